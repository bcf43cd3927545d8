// scatter_reduce: src's elements reduced into self at index along dim (sum, prod, mean, amax,
// amin), with or without self's own value. The forward is one loop; the backward is written
// with tapegrad ops (gather, scatter_add, where), so it differentiates again.
#include "kernels/copy.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

namespace {

enum class Reduce { Sum, Prod, Mean, Amax, Amin };

Reduce reduce_of(std::string_view r) {
  if (r == "sum") return Reduce::Sum;
  if (r == "prod") return Reduce::Prod;
  if (r == "mean") return Reduce::Mean;
  if (r == "amax" || r == "max") return Reduce::Amax;
  if (r == "amin" || r == "min") return Reduce::Amin;
  TG_ERROR(Runtime, "reduce argument must be either sum, prod, mean, amax or amin, got ", r);
}

// src cut to index's shape: the elements scatter reads.
Tensor read_part(const Tensor& src, const Tensor& index) {
  Tensor s = src;
  for (int64_t d = 0; d < index.dim(); ++d) s = narrow(s, d, 0, index.size(d));
  return s;
}

}  // namespace

struct ScatterReduce {
  static constexpr const char* name = "scatter_reduce";
  static constexpr const char* node = "ScatterReduceBackward0";
  struct Saved {
    SavedTensor self, src, out;
    Tensor index;
    int64_t dim = 0;
    Reduce reduce = Reduce::Sum;
    bool include_self = true;
    auto tensors() { return std::tie(self, src, out); }
  };
  static Tensor call(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src, std::string_view reduce,
                     bool include_self) {
    return apply_op<ScatterReduce>(a, dim, index, src, (int64_t)reduce_of(reduce), include_self);
  }
  static Tensor forward(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src, int64_t reduce,
                        bool include_self) {
    const int64_t d = wrap_dim(dim, a.dim());
    scatter_add(a, dim, index, src);  // PyTorch's checks and messages (shapes, dtypes, bounds); forward records nothing
    const Reduce r = (Reduce)reduce;
    Tensor out = kernels::contiguous_copy(a);
    const Tensor idx = kernels::contiguous_copy(index), s = kernels::contiguous_copy(read_part(src, index));
    const Shape out_strides = contiguous_strides(a.sizes()), in_strides = contiguous_strides(index.sizes());
    std::vector<int64_t> count(out.numel(), include_self ? 1 : 0);
    std::vector<char> touched(out.numel(), 0);
    visit_dtype(a.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* o = out.data<T>();
      const T* v = s.data<T>();
      const int64_t* ix = idx.data<int64_t>();
      for (int64_t k = 0; k < idx.numel(); ++k) {
        int64_t at = 0;
        for (int64_t j = 0; j < index.dim(); ++j) {
          const int64_t p = k / in_strides[j] % index.size(j);
          at += (j == d ? ix[k] : p) * out_strides[j];
        }
        if (!include_self && !touched[at]) o[at] = v[k];  // the first value replaces self's
        else if constexpr (std::is_same_v<T, bool>) o[at] = r == Reduce::Prod || r == Reduce::Amin ? o[at] && v[k] : o[at] || v[k];
        else if (r == Reduce::Sum || r == Reduce::Mean) o[at] = o[at] + v[k];
        else if (r == Reduce::Prod) o[at] = o[at] * v[k];
        else if (r == Reduce::Amax) o[at] = v[k] > o[at] || v[k] != v[k] ? v[k] : o[at];
        else o[at] = v[k] < o[at] || v[k] != v[k] ? v[k] : o[at];
        touched[at] = 1, count[at] += 1;
      }
      if (r == Reduce::Mean)
        for (int64_t i = 0; i < out.numel(); ++i)
          if (count[i] > 1) {
            if constexpr (std::is_floating_point_v<T>) o[i] = o[i] / (T)count[i];
            else if constexpr (!std::is_same_v<T, bool>) o[i] = (T)(o[i] / (T)count[i]);
          }
    });
    return out;
  }
  static void save(Saved& s, const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src, int64_t reduce,
                   bool include_self, const Tensor& out) {
    s.self = a, s.src = src, s.out = SavedTensor(out, /*is_output=*/true), s.index = index;
    s.dim = wrap_dim(dim, a.dim()), s.reduce = (Reduce)reduce, s.include_self = include_self;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    const Tensor self = s.self.unpack(), src = s.src.unpack(), out = s.out.unpack();
    const Tensor part = read_part(src, s.index);
    const Tensor zero = zeros({}, grad.dtype()), one = ones({}, grad.dtype());
    // How many values each place reduced: its own (if included) and the scattered ones.
    const Tensor scattered = scatter_add(zeros(self.sizes(), grad.dtype()), s.dim, s.index, ones_like(part));
    const Tensor hit = gt(scattered, zero);
    Tensor g_self, g_part;
    switch (s.reduce) {
      case Reduce::Sum:
        g_self = s.include_self ? grad : where(hit, zero, grad);
        g_part = gather(grad, s.dim, s.index);
        break;
      case Reduce::Mean: {
        const Tensor n = s.include_self ? scattered + 1.0 : where(hit, scattered, one);
        g_self = s.include_self ? grad / n : where(hit, zero, grad);
        g_part = gather(grad / n, s.dim, s.index);
        break;
      }
      case Reduce::Prod:  // away from zeros: d out / d x = out / x
        g_self = s.include_self ? grad * out / self : where(hit, zero, grad);
        g_part = gather(grad * out, s.dim, s.index) / part;
        break;
      default: {  // amax / amin: the gradient is shared among the values equal to the result
        const Tensor self_is = s.include_self ? to_dtype(eq(self, out), grad.dtype()) : to_dtype(logical_not(hit), grad.dtype());
        const Tensor part_is = to_dtype(eq(part, gather(out, s.dim, s.index)), grad.dtype());
        const Tensor n = self_is + scatter_add(zeros(self.sizes(), grad.dtype()), s.dim, s.index, part_is);
        g_self = grad * self_is / where(eq(n, zero), one, n);
        g_part = gather(grad / where(eq(n, zero), one, n), s.dim, s.index) * part_is;
      }
    }
    // Index-shaped, as PyTorch's: a src bigger than index gets the engine's shape error there too.
    const Tensor g_src = needs[2] ? g_part : Tensor();
    return {needs[0] ? g_self : Tensor(), Tensor(), g_src};
  }
};

void register_scatter_reduce_ops(std::vector<OpInfo>& ops) {
  register_ops<ScatterReduce>(ops);
  register_functions(ops, {{{"scatter_reduce(Tensor input, int dim, Tensor index, Tensor src, str reduce, *, "
                             "bool include_self=True, Tensor? out=None)",
                             kFunction | kMethod | kInPlace},
                            invoke_fn<&ScatterReduce::call>}});
}

}  // namespace tg
