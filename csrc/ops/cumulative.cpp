// Running (scan) ops along one dim: cumsum.
#include "core/shape.h"
#include "kernels/int_wrap.h"
#include "ops/elementwise.h"

namespace tg {

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
    const Tensor x = kernels::contiguous_copy(elementwise::cast_to(a, is_floating(a.dtype()) ? a.dtype() : DType::Int64));
    Tensor out = Tensor::empty(x.sizes(), x.dtype());
    int64_t outer = 1, n = 1, inner = 1;
    for (int64_t i = 0; i < x.dim(); ++i) (i < d ? outer : i == d ? n : inner) *= x.sizes()[i];
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_same_v<T, bool>) {
        const T* src = x.data<T>();
        T* dst = out.data<T>();
        for (int64_t o = 0; o < outer; ++o) {
          const int64_t base = o * n * inner;
          for (int64_t i = 0; i < inner; ++i) dst[base + i] = src[base + i];
          for (int64_t k = 1; k < n; ++k)  // row k = row k-1 + x's row k, vectorised along inner
            for (int64_t i = 0; i < inner; ++i)
              dst[base + k * inner + i] = kernels::wrap_add(dst[base + (k - 1) * inner + i], src[base + k * inner + i]);
        }
      }
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

void register_cumulative_ops(std::vector<OpInfo>& ops) { register_ops<Cumsum>(ops); }

}  // namespace tg
