#include "kernels/reduce.h"

#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/parallel.h"
#include "kernels/copy.h"
#include "kernels/int_wrap.h"
#include "kernels/loop.h"

namespace tg::kernels {

namespace {

// Sum of a contiguous run. Floats are added in 16 independent lanes (so the compiler can use
// vector adds without reassociating one serial chain) over blocks of 2048 elements, and each
// block's total goes into a double: no element passes through more than 128 float additions.
template <class T, class Acc>
Acc sum_run(const T* p, int64_t n) {
  Acc total = 0;
  int64_t i = 0;
  if constexpr (std::is_floating_point_v<T>) {
    constexpr int kLanes = 16;
    constexpr int64_t kBlock = 2048;
    while (n - i >= kLanes) {
      const int64_t len = std::min<int64_t>((n - i) / kLanes * kLanes, kBlock);
      T lanes[kLanes] = {};
      for (int64_t j = 0; j < len; j += kLanes)
        for (int l = 0; l < kLanes; ++l) lanes[l] += p[i + j + l];
      Acc block = 0;
      for (int l = 0; l < kLanes; ++l) block += lanes[l];
      total += block;
      i += len;
    }
  }
  for (; i < n; ++i) total = wrap_add(total, Acc(p[i]));  // int64 sums wrap (int_wrap.h)
  return total;
}

// out[j] = sum over i < rows of p[i * cols + j], for j in [lo, hi): whole rows are added at a
// time, so the loop over j vectorises; the running sums are kept in Acc.
template <class T, class Acc>
void sum_columns(T* out, const T* p, int64_t rows, int64_t cols, int64_t lo, int64_t hi) {
  constexpr int64_t kTile = 256;
  Acc acc[kTile];
  for (int64_t j0 = lo; j0 < hi; j0 += kTile) {
    const int64_t w = std::min(kTile, hi - j0);
    for (int64_t j = 0; j < w; ++j) acc[j] = 0;
    for (int64_t i = 0; i < rows; ++i) {
      const T* row = p + i * cols + j0;
      for (int64_t j = 0; j < w; ++j) acc[j] = wrap_add(acc[j], Acc(row[j]));
    }
    for (int64_t j = 0; j < w; ++j) out[j0 + j] = static_cast<T>(acc[j]);
  }
}

}  // namespace

Tensor sum_keepdim(const Tensor& a, const SmallVector<bool, 6>& reduce) {
  Shape out_shape = a.sizes();
  for (size_t d = 0; d < out_shape.size(); ++d)
    if (reduce[d]) out_shape[d] = 1;
  Tensor out = full(out_shape, 0.0, a.dtype());
  if (a.numel() == 0) return out;
  // A contiguous input whose reduced dims are all trailing (rows) or all leading (columns)
  // takes a vectorised path split across threads; any other layout the generic loop below.
  int64_t first_reduced = a.dim(), last_reduced = -1, n_reduced = 0;
  for (int64_t d = 0; d < a.dim(); ++d)
    if (reduce[d] && a.sizes()[d] != 1) {
      first_reduced = std::min(first_reduced, d);
      last_reduced = d;
      ++n_reduced;
    }
  const bool dense = n_reduced > 0 && last_reduced - first_reduced + 1 == n_reduced;
  int64_t inner = 1, outer = 1;  // elements after / before the reduced block
  for (int64_t d = last_reduced + 1; d < a.dim(); ++d) inner *= a.sizes()[d];
  for (int64_t d = 0; d < first_reduced; ++d) outer *= a.sizes()[d];
  const int64_t reduced = a.numel() / std::max<int64_t>(1, inner * outer);
  bool done = false;
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
    if constexpr (!std::is_same_v<T, bool>) {
      if (!a.is_contiguous() || !dense) return;
      const T* in = a.data<T>();
      T* o = out.data<T>();
      if (inner == 1 && outer == 1) {  // everything into one number: partial sums per thread
        const int threads = parallel::chunk_count(reduced, parallel::kGrainCheap);
        std::vector<Acc> partial(threads, 0);
        parallel::parallel_chunks(threads, reduced, [&](int t, int64_t b, int64_t e) {
          partial[t] = sum_run<T, Acc>(in + b, e - b);
        });
        Acc total = 0;
        for (Acc x : partial) total = wrap_add(total, x);
        *o = static_cast<T>(total);
        done = true;
      } else if (inner == 1) {  // each output sums one contiguous row
        parallel::parallel_for(outer, std::max<int64_t>(1, parallel::kGrainCheap / reduced),
                               [&](int64_t b, int64_t e) {
                                 for (int64_t r = b; r < e; ++r)
                                   o[r] = static_cast<T>(sum_run<T, Acc>(in + r * reduced, reduced));
                               });
        done = true;
      } else if (outer == 1) {  // each output sums one column of a (reduced, inner) matrix
        parallel::parallel_for(inner, std::max<int64_t>(64, parallel::kGrainCheap / reduced),
                               [&](int64_t b, int64_t e) { sum_columns<T, Acc>(o, in, reduced, inner, b, e); });
        done = true;
      }
    }
  });
  if (done) return out;
  // The output is read through stride 0 along every reduced dim, so the loop adds each input
  // element into its output slot.
  Shape out_strides = broadcast_strides(out, a.sizes());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
    strided_loop<2>(a.sizes(), {out_strides, a.strides()}, {(char*)out.raw_data(), (char*)a.raw_data()},
                    {(int64_t)sizeof(T), (int64_t)sizeof(T)},
                    [](char** p, const int64_t* s, int64_t n) {
                      if (s[0] == 0) {
                        Acc acc = 0;
                        if (s[1] == (int64_t)sizeof(T)) acc = sum_run<T, Acc>((const T*)p[1], n);
                        else
                          for (int64_t i = 0; i < n; ++i) acc = wrap_add(acc, Acc(*(const T*)(p[1] + i * s[1])));
                        *(T*)p[0] = static_cast<T>(wrap_add(Acc(*(T*)p[0]), acc));
                      } else {
                        for (int64_t i = 0; i < n; ++i)
                          *(T*)(p[0] + i * s[0]) = wrap_add(*(T*)(p[0] + i * s[0]), *(const T*)(p[1] + i * s[1]));
                      }
                    });
  });
  return out;
}

}  // namespace tg::kernels

namespace tg::kernels {

namespace {

template <class T> T reduce_identity(ReduceOp op) {
  switch (op) {
    case ReduceOp::Prod: return T(1);
    case ReduceOp::Max:
      return std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                  : std::numeric_limits<T>::lowest();
    case ReduceOp::Min:
      return std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity()
                                                  : std::numeric_limits<T>::max();
    case ReduceOp::All: return T(1);
    case ReduceOp::Any: return T(0);
  }
  return T(0);
}

template <class T> T combine(ReduceOp op, T acc, T x) {
  if constexpr (std::is_floating_point_v<T>) {
    if ((op == ReduceOp::Max || op == ReduceOp::Min) && (std::isnan(acc) || std::isnan(x)))
      return std::numeric_limits<T>::quiet_NaN();
  }
  switch (op) {
    case ReduceOp::Prod: return wrap_mul(acc, x);
    case ReduceOp::Max: return x > acc ? x : acc;
    case ReduceOp::Min: return x < acc ? x : acc;
    case ReduceOp::All: return T(acc && x);
    case ReduceOp::Any: return T(acc || x);
  }
  return acc;
}

}  // namespace

Tensor reduce_keepdim(const Tensor& a_in, const SmallVector<bool, 6>& reduce, ReduceOp op) {
  const bool logical = op == ReduceOp::All || op == ReduceOp::Any;
  Tensor a = logical && a_in.dtype() != DType::Bool ? cast(a_in, DType::Bool) : a_in;
  Shape out_shape = a.sizes();
  for (size_t d = 0; d < out_shape.size(); ++d)
    if (reduce[d]) out_shape[d] = 1;
  Tensor out = Tensor::empty(out_shape, a.dtype());
  Shape out_strides = broadcast_strides(out, a.sizes());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = out.data<T>();
    for (int64_t i = 0, m = out.numel(); i < m; ++i) o[i] = reduce_identity<T>(op);
    strided_loop<2>(a.sizes(), {out_strides, a.strides()}, {(char*)out.raw_data(), (char*)a.raw_data()},
                    {(int64_t)sizeof(T), (int64_t)sizeof(T)}, [op](char** p, const int64_t* s, int64_t n) {
                      for (int64_t i = 0; i < n; ++i) {
                        T* o = (T*)(p[0] + i * s[0]);
                        *o = combine<T>(op, *o, *(const T*)(p[1] + i * s[1]));
                      }
                    });
  });
  return out;
}

std::pair<Tensor, Tensor> arg_reduce_dim(const Tensor& a, int64_t dim, bool is_max) {
  // Move `dim` last and copy contiguous, so that each output element owns one contiguous row.
  Shape sizes, strides;
  for (int64_t d = 0; d < a.dim(); ++d)
    if (d != dim) sizes.push_back(a.sizes()[d]), strides.push_back(a.strides()[d]);
  const int64_t n = a.dim() == 0 ? 1 : a.sizes()[dim];
  sizes.push_back(n);
  strides.push_back(a.dim() == 0 ? 1 : a.strides()[dim]);
  Tensor rows = contiguous_copy(Tensor::view_of(a, sizes, strides, a.offset()));
  Shape kept = a.sizes();
  if (a.dim() > 0) kept[dim] = 1;
  Tensor values = Tensor::empty(kept, a.dtype()), indices = Tensor::empty(kept, DType::Int64);
  const int64_t m = values.numel();
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* in = rows.data<T>();
    for (int64_t r = 0; r < m; ++r) {
      const T* row = in + r * n;
      int64_t best = 0;
      for (int64_t i = 1; i < n; ++i) {
        if constexpr (std::is_floating_point_v<T>) {
          if (std::isnan(row[best])) break;
          if (std::isnan(row[i])) { best = i; break; }
        }
        if (is_max ? row[i] > row[best] : row[i] < row[best]) best = i;
      }
      values.data<T>()[r] = row[best];
      indices.data<int64_t>()[r] = best;
    }
  });
  return {values, indices};
}

}  // namespace tg::kernels
