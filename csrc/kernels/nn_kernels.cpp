#include "kernels/nn_kernels.h"

#include <cmath>
#include <cstring>
#include <limits>

#include <Eigen/Core>

#include "core/parallel.h"
#include "kernels/copy.h"
#include "kernels/loop.h"
#include "kernels/vmath.h"

namespace tg::kernels::nn {

namespace {
Tensor contig(const Tensor& t) { return t.is_contiguous() ? t : contiguous_copy(t); }

// softplus with PyTorch's threshold switch, but computed stably below it (no exp overflow).
double softplus(double x, double beta, double threshold) {
  double bx = beta * x;
  if (bx > threshold) return x;
  return (std::max(bx, 0.0) + std::log1p(std::exp(-std::abs(bx)))) / beta;
}
}  // namespace

Tensor activation(Act op, const Tensor& a, double p0, double p1) {
  Tensor out = Tensor::empty(a.sizes(), a.dtype());
  visit_floating(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    auto run = [&](auto f) { unary_loop<T, T>(out, a, [f](T x) { return T(f(double(x))); }); };
    constexpr double kSqrt2 = 1.4142135623730951, kSqrt2OverPi = 0.7978845608028654;
    switch (op) {
      case Act::LeakyRelu: return run([p0](double x) { return x > 0 ? x : x * p0; });
      case Act::Gelu: return run([](double x) { return 0.5 * x * (1 + std::erf(x / kSqrt2)); });
      case Act::GeluTanh:
        return run([](double x) { return 0.5 * x * (1 + std::tanh(kSqrt2OverPi * (x + 0.044715 * x * x * x))); });
      case Act::Silu: return run([](double x) { return x / (1 + std::exp(-x)); });
      case Act::Elu: return run([p0](double x) { return x > 0 ? x : p0 * std::expm1(x); });
      case Act::Softplus: return run([p0, p1](double x) { return softplus(x, p0, p1); });
      case Act::Erf: return run([](double x) { return std::erf(x); });
    }
  });
  return out;
}

namespace {

// The largest value of a row, NaNs ignored (softmax_row's exp propagates them). Four vectors
// of running maxima, not one: a single chain of max instructions waits on each one's latency.
template <class T>
T row_max(const T* row, int64_t n) {
  constexpr int64_t kLanes = 32;
  T m = -std::numeric_limits<T>::infinity();
  if (n < kLanes) {  // a row of class scores: setting up the lanes would cost more than the row
    for (int64_t i = 0; i < n; ++i) m = row[i] > m ? row[i] : m;
    return m;
  }
  T lanes[kLanes];
  std::fill(lanes, lanes + kLanes, -std::numeric_limits<T>::infinity());
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t l = 0; l < kLanes; ++l) lanes[l] = row[i + l] > lanes[l] ? row[i + l] : lanes[l];
  for (; i < n; ++i) m = row[i] > m ? row[i] : m;
  for (T v : lanes) m = v > m ? v : m;
  return m;
}

// softmax / log_softmax of one contiguous row, in T, with vmath's exp.
template <class T>
void softmax_row(const T* row, T* orow, int64_t n, bool log) {
  using Array = Eigen::Array<T, Eigen::Dynamic, 1>;
  Eigen::Map<const Array> x(row, n);
  Eigen::Map<Array> y(orow, n);
  // Subtracting the max keeps exp() from overflowing; the result is unchanged. A NaN in the
  // row makes every output NaN whatever max() says, as in PyTorch.
  T m = row_max(row, n);
  if (std::isinf(m)) m = 0;  // all -inf (or +inf present): let the arithmetic give NaN/0 as torch
  // exp(x - m) goes into the output first (log_softmax then overwrites it): no second buffer.
  y = x - m;
  vmath::apply<T>(vmath::Fn::Exp, orow, orow, n);
  if (log) y = x - (m + std::log(y.sum()));
  else y *= T(1) / y.sum();
}

}  // namespace

Tensor softmax(const Tensor& a, int64_t dim, bool log) {
  Tensor x = contig(a);
  Tensor out = Tensor::empty(x.sizes(), x.dtype());
  if (x.numel() == 0) return out;
  const int64_t n = x.dim() == 0 ? 1 : x.sizes()[dim];
  int64_t inner = 1;
  for (int64_t d = dim + 1; d < x.dim(); ++d) inner *= x.sizes()[d];
  const int64_t outer = x.numel() / (n * inner);
  const int64_t grain = std::max<int64_t>(1, parallel::kGrainCostly / (n * inner));
  visit_floating(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* in = x.data<T>();
    T* o = out.data<T>();
    if (inner == 1) {  // rows are contiguous: the vectorised path
      // A result bigger than the cache is computed a row at a time in a buffer on the stack and
      // streamed out (kernels/stream_store.h), saving the read of each output line.
      constexpr int64_t kRowBuffer = 4096 / sizeof(T) * 4;
      const bool stream = x.numel() * (int64_t)sizeof(T) >= kStreamingBytes && n <= kRowBuffer;
      parallel::parallel_for(outer, grain, [&](int64_t b, int64_t e) {
        alignas(32) T buffer[kRowBuffer];
        for (int64_t i = b; i < e; ++i) {
          if (!stream) {
            softmax_row<T>(in + i * n, o + i * n, n, log);
            continue;
          }
          softmax_row<T>(in + i * n, buffer, n, log);
          stream_copy(o + i * n, buffer, n);
        }
      });
      return;
    }
    parallel::parallel_for(outer, grain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i)
        for (int64_t j = 0; j < inner; ++j) {
          const T* row = in + i * n * inner + j;
          T* orow = o + i * n * inner + j;
          double m = -std::numeric_limits<double>::infinity();
          for (int64_t k = 0; k < n; ++k) m = std::max(m, double(row[k * inner]));
          if (std::isinf(m)) m = 0;
          double s = 0;
          for (int64_t k = 0; k < n; ++k) s += std::exp(double(row[k * inner]) - m);
          double ls = std::log(s);
          for (int64_t k = 0; k < n; ++k) {
            double z = double(row[k * inner]) - m;
            orow[k * inner] = T(log ? z - ls : std::exp(z) / s);
          }
        }
    });
  });
  return out;
}

namespace {
// Walks (n, r) over target with input laid out as (N, C, R); calls f(target_offset, input_offset_of_class0, cls).
template <class F>
void for_each_target(const Shape& input_sizes, const Tensor& target, F f) {
  const int64_t C = input_sizes.size() == 1 ? input_sizes[0] : input_sizes[1];
  int64_t R = 1;
  for (size_t d = 2; d < input_sizes.size(); ++d) R *= input_sizes[d];
  const int64_t N = input_sizes.size() == 1 ? 1 : input_sizes[0];
  const int64_t* t = target.data<int64_t>();
  for (int64_t i = 0; i < N; ++i)
    for (int64_t r = 0; r < R; ++r) f(i * R + r, i * C * R + r, t[i * R + r], C, R);
}
}  // namespace

Tensor nll_pick(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index,
                double* total_weight) {
  Tensor x = contig(input), tg_ = contig(target);
  Tensor w = weight.defined() ? cast(weight, DType::Float64) : Tensor();
  Tensor out = full(target.sizes(), 0.0, x.dtype());
  double total = 0;
  visit_floating(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* in = x.data<T>();
    T* o = out.data<T>();
    for_each_target(x.sizes(), tg_, [&](int64_t ti, int64_t xi, int64_t cls, int64_t C, int64_t R) {
      if (cls == ignore_index) return;
      TG_CHECK(cls >= 0 && cls < C, Index, "Target ", cls, " is out of bounds.");
      double wc = w.defined() ? w.data<double>()[cls] : 1.0;
      o[ti] = T(-wc * double(in[xi + cls * R]));
      total += wc;
    });
  });
  *total_weight = total;
  return out;
}

Tensor nll_coef(const Shape& input_sizes, DType dtype, const Tensor& target, const Tensor& weight,
                int64_t ignore_index, bool mean) {
  Tensor tg_ = contig(target);
  Tensor w = weight.defined() ? cast(weight, DType::Float64) : Tensor();
  Tensor out = full(input_sizes, 0.0, dtype);
  double total = 0;
  std::vector<int64_t> picked;
  visit_floating(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = out.data<T>();
    for_each_target(input_sizes, tg_, [&](int64_t, int64_t xi, int64_t cls, int64_t, int64_t R) {
      if (cls == ignore_index) return;
      const double wc = w.defined() ? w.data<double>()[cls] : 1.0;
      o[xi + cls * R] = T(-wc);
      total += wc;
      picked.push_back(xi + cls * R);
    });
    if (mean)
      for (int64_t i : picked) o[i] = T(o[i] / total);
  });
  return out;
}

Tensor embedding(const Tensor& weight, const Tensor& indices) {
  Tensor w = contig(weight), idx = contig(indices);
  const int64_t V = w.sizes()[0], D = w.numel() / std::max<int64_t>(V, 1);
  Shape sizes = idx.sizes();
  for (int64_t d = 1; d < w.dim(); ++d) sizes.push_back(w.sizes()[d]);
  Tensor out = Tensor::empty(sizes, w.dtype());
  const int64_t* ix = idx.data<int64_t>();
  const size_t row = (size_t)D * itemsize(w.dtype());
  for (int64_t i = 0, n = idx.numel(); i < n; ++i) {
    TG_CHECK(ix[i] >= 0 && ix[i] < V, Index, "index out of range in self");
    std::memcpy((char*)out.raw_data() + i * row, (const char*)w.raw_data() + ix[i] * row, row);
  }
  return out;
}

Tensor embedding_backward(const Tensor& grad, const Tensor& indices, int64_t num_weights, int64_t padding_idx) {
  Tensor g = contig(grad), idx = contig(indices);
  const int64_t n = idx.numel(), D = n ? g.numel() / n : 0;
  Shape sizes{num_weights};
  for (int64_t d = idx.dim(); d < g.dim(); ++d) sizes.push_back(g.sizes()[d]);
  Tensor out = full(sizes, 0.0, g.dtype());
  visit_floating(g.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const int64_t* ix = idx.data<int64_t>();
    for (int64_t i = 0; i < n; ++i) {
      if (ix[i] == padding_idx) continue;  // the padding row never learns
      T* dst = out.data<T>() + ix[i] * D;
      const T* src = g.data<T>() + i * D;
      for (int64_t k = 0; k < D; ++k) dst[k] += src[k];
    }
  });
  return out;
}

Tensor layer_norm(const Tensor& input, int64_t M, double eps) {
  Tensor x = contig(input);
  Tensor out = Tensor::empty(x.sizes(), x.dtype());
  const int64_t rows = M ? x.numel() / M : 0;
  visit_floating(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (int64_t r = 0; r < rows; ++r) {
      const T* in = x.data<T>() + r * M;
      T* o = out.data<T>() + r * M;
      double mean = 0, var = 0;
      for (int64_t k = 0; k < M; ++k) mean += in[k];
      mean /= M;
      for (int64_t k = 0; k < M; ++k) var += (in[k] - mean) * (in[k] - mean);  // two passes: no cancellation
      double rstd = 1.0 / std::sqrt(var / M + eps);
      for (int64_t k = 0; k < M; ++k) o[k] = T((in[k] - mean) * rstd);
    }
  });
  return out;
}

namespace {
// Calls f(out_linear_index, source_offset_in_elements) for every output element, walking the
// output's multi-index like an odometer; `strides` are the source's.
template <class F>
void walk_index_map(const Shape& out_sizes, const IndexMaps& maps, const Shape& strides, F f) {
  const int64_t nd = (int64_t)out_sizes.size(), n = numel_of(out_sizes);
  if (n == 0) return;
  auto src = [&](int64_t d, int64_t o) { return (maps[d].empty() ? o : maps[d][o]) * strides[d]; };
  Shape idx(nd, 0);
  int64_t off = 0;
  for (int64_t d = 0; d < nd; ++d) off += src(d, 0);
  for (int64_t i = 0; i < n; ++i) {
    f(i, off);
    for (int64_t d = nd - 1; d >= 0; --d) {
      off -= src(d, idx[d]);
      if (++idx[d] < out_sizes[d]) {
        off += src(d, idx[d]);
        break;
      }
      idx[d] = 0;
      off += src(d, 0);
    }
  }
}

Shape mapped_sizes(const Shape& in_sizes, const IndexMaps& maps) {
  Shape out = in_sizes;
  for (size_t d = 0; d < maps.size(); ++d)
    if (!maps[d].empty()) out[d] = (int64_t)maps[d].size();
  return out;
}
}  // namespace

Tensor gather_index_map(const Tensor& a, const IndexMaps& maps) {
  Tensor out = Tensor::empty(mapped_sizes(a.sizes(), maps), a.dtype());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* in = a.data<T>();
    T* o = out.data<T>();
    walk_index_map(out.sizes(), maps, a.strides(), [&](int64_t i, int64_t off) { o[i] = in[off]; });
  });
  return out;
}

Tensor scatter_index_map(const Tensor& grad, const IndexMaps& maps, const Shape& in_sizes) {
  Tensor g = contig(grad);
  Tensor out = full(in_sizes, 0.0, g.dtype());
  visit_floating(g.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* in = g.data<T>();
    T* o = out.data<T>();
    walk_index_map(g.sizes(), maps, out.strides(), [&](int64_t i, int64_t off) { o[off] += in[i]; });
  });
  return out;
}

Tensor dropout_mask(const Shape& sizes, DType dtype, double p) {
  Tensor u = Tensor::empty(sizes, DType::Float64);
  fill_uniform(u, 0.0, 1.0);
  Tensor mask = Tensor::empty(sizes, dtype);
  const double scale = p < 1 ? 1.0 / (1.0 - p) : 0.0;
  visit_floating(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (int64_t i = 0, n = u.numel(); i < n; ++i) mask.data<T>()[i] = u.data<double>()[i] < p ? T(0) : T(scale);
  });
  return mask;
}

}  // namespace tg::kernels::nn
