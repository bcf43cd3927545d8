// Running (scan) ops along one dim: cumsum and cumprod (cummax, cummin and logcumsumexp are in
// cumulative_extrema.cpp; what they share is scan.h).
#include "kernels/int_wrap.h"
#include "ops/elementwise.h"
#include "ops/registry.h"
#include "ops/scan.h"

namespace tg {

namespace {

// Ints and bools scan in int64, as torch's cumsum/cumprod do.
Tensor scan_input(const Tensor& a) {
  return kernels::contiguous_copy(elementwise::cast_to(a, is_floating(a.dtype()) ? a.dtype() : DType::Int64));
}

}  // namespace

// cumsum(x, dim): out[..., k, ...] = x[..., 0, ...] + ... + x[..., k, ...]. Ints and bools sum
// in int64 (wrapping, as PyTorch's do), floats in their own dtype. Its backward sums the
// gradient from the end: flip(cumsum(flip(grad))), with its own ops, so it differentiates again.
struct Cumsum {
  static constexpr const char* name = "cumsum";
  static constexpr const char* node = "CumsumBackward0";
  static constexpr Schema schema{"cumsum(Tensor input, int dim, *, dtype? dtype=None, Tensor? out=None)",
                                 kFunction | kMethod | kInPlace};
  struct Saved {
    int64_t dim = 0;
  };
  static Tensor call(const Tensor& a, int64_t dim, std::optional<DType> dtype) {
    return apply_op<Cumsum>(dtype ? to_dtype(a, *dtype) : a, dim);
  }
  static Tensor forward(const Tensor& a, int64_t dim) {
    const int64_t d = wrap_dim(dim, a.dim());
    const Tensor x = scan_input(a);
    Tensor out = Tensor::empty(x.sizes(), x.dtype());
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_same_v<T, bool>) scan::run<T>(x, out, d, [](T acc, T v) { return kernels::wrap_add(acc, v); });
    });
    return out;
  }
  static void save(Saved& s, const Tensor& a, int64_t dim, const Tensor&) { s.dim = wrap_dim(dim, a.dim()); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    if (grad.dim() == 0) return {grad};
    const DimList d{s.dim};
    return {flip(apply_op<Cumsum>(flip(grad, d), s.dim), d)};
  }
};

namespace {

// sum_{j >= k} t[j] along d: a gradient of every scan.
Tensor reverse_cumsum(const Tensor& t, int64_t d) {
  const DimList dims{d};
  return flip(apply_op<Cumsum>(flip(t, dims), d), dims);
}

}  // namespace

// cumprod(x, dim): running products, in int64 for ints and bools. Its gradient is
// sum_{j >= k} g[j] * y[j] / x[k] when x has no zero; with a zero that division is 0/0, so the
// products that leave x[k] out are formed explicitly (an n x n table per row, only then).
struct Cumprod {
  static constexpr const char* name = "cumprod";
  static constexpr const char* node = "CumprodBackward0";
  static constexpr Schema schema{"cumprod(Tensor input, int dim, *, dtype? dtype=None, Tensor? out=None)",
                                 kFunction | kMethod | kInPlace};
  struct Saved {
    SavedTensor self, out;
    int64_t dim = 0;
    auto tensors() { return std::tie(self, out); }
  };
  static Tensor call(const Tensor& a, int64_t dim, std::optional<DType> dtype) {
    return apply_op<Cumprod>(dtype ? to_dtype(a, *dtype) : a, dim);
  }
  static Tensor forward(const Tensor& a, int64_t dim) {
    const int64_t d = scan::dim_of(a, dim);
    const Tensor x = scan_input(a);
    Tensor out = Tensor::empty(x.sizes(), x.dtype());
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_same_v<T, bool>) scan::run<T>(x, out, d, [](T acc, T v) { return kernels::wrap_mul(acc, v); });
    });
    return out;
  }
  static void save(Saved& s, const Tensor& a, int64_t dim, const Tensor& out) {
    s.self = a, s.out = SavedTensor(out, /*is_output=*/true), s.dim = scan::dim_of(a, dim);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    const Tensor x = s.self.unpack();
    if (x.dim() == 0 || x.numel() == 0) return {grad};
    const bool has_zero = kernels::item(any(eq(x, scalar_tensor(0.0, x.dtype())), DimList{}, false)).to<bool>();
    if (!has_zero) return {reverse_cumsum(grad * s.out.unpack(), s.dim) / x};
    // Rows along the last dim; table[..., k, j] = prod_{i <= j, i != k} x[i], kept where j >= k.
    const int64_t last = x.dim() - 1, n = x.sizes()[s.dim];
    const Tensor xr = transpose(x, s.dim, last), gr = transpose(grad, s.dim, last);
    const Tensor pos = kernels::arange(Scalar::from_int(0), Scalar::from_int(n), Scalar::from_int(1), DType::Int64);
    const Tensor k = view(pos, {n, 1}), j = view(pos, {1, n});
    const Tensor row = unsqueeze(xr, -2);
    const Tensor left_out = where(eq(k, j), ones_like(row), row);  // [..., k, i]: 1 where i == k, else x[i]
    const Tensor table = apply_op<Cumprod>(left_out, int64_t(-1));
    const Tensor kept = where(le(k, j), table, zeros({}, x.dtype()));
    return {transpose(sum(kept * unsqueeze(gr, -2), DimList{-1}, false), s.dim, last)};
  }
};

void register_cumulative_extrema_ops(std::vector<OpInfo>& ops);  // cumulative_extrema.cpp

void register_cumulative_ops(std::vector<OpInfo>& ops) {
  register_ops<Cumsum, Cumprod>(ops);
  register_cumulative_extrema_ops(ops);
}

}  // namespace tg
