// Reductions that add or multiply: sum, mean, norm, prod, nansum, nanmean, count_nonzero (all
// dims, or a list of dims with keepdim).
#include <cmath>
#include <limits>

#include "kernels/copy.h"
#include "kernels/pointwise.h"
#include "kernels/reduce.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/reduce_util.h"
#include "ops/registry.h"

namespace tg {

namespace {

Tensor sum_kernel(const Tensor& a, const DimMask& mask, bool keepdim) {
  Tensor in = is_floating(a.dtype()) || a.dtype() == DType::Int64 ? a : kernels::cast(a, DType::Int64);
  Tensor kept = kernels::sum_keepdim(in, mask);
  return keepdim ? kept : drop_reduced(kept, mask);
}

Tensor mean_kernel(const Tensor& a, const DimMask& mask, bool keepdim) {
  TG_CHECK(is_floating(a.dtype()), Runtime,
           "mean(): could not infer output dtype. Input dtype must be either a floating point or "
           "complex dtype. Got: ", dtype_legacy_name(a.dtype()));
  Tensor s = sum_kernel(a, mask, keepdim);
  // 0 / 0 gives NaN for an empty reduction, as in PyTorch.
  kernels::binary_into(kernels::BinaryOp::Div, s, s,
                       kernels::full({}, (double)reduced_count(a, mask), s.dtype()));
  return s;
}

}  // namespace

// sum and mean of all elements (SumBackward0, MeanBackward0).
template <bool Mean>
struct ReduceAll {
  static constexpr const char* name = Mean ? "mean" : "sum";
  static constexpr const char* node = Mean ? "MeanBackward0" : "SumBackward0";
  struct Saved {
    Shape sizes;
  };
  static Tensor forward(const Tensor& a) {
    const DimMask all(a.dim(), true);
    return Mean ? mean_kernel(a, all, false) : sum_kernel(a, all, false);
  }
  static void save(Saved& s, const Tensor& a, const Tensor&) { s.sizes = a.sizes(); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor g = expand(grad, s.sizes);
    if (!Mean) return {g};
    return {g / (double)numel_of(s.sizes)};
  }
};
using SumAll = ReduceAll<false>;
using MeanAll = ReduceAll<true>;

// sum and mean over a list of dims (SumBackward1, MeanBackward1): the same op but for the
// division by the count of reduced elements.
template <bool Mean>
struct ReduceDims {
  static constexpr const char* name = Mean ? "mean_dim" : "sum_dim";
  static constexpr const char* node = Mean ? "MeanBackward1" : "SumBackward1";
  struct Saved {
    Shape sizes;
    DimMask mask;
    bool keepdim = false;
  };
  static Tensor forward(const Tensor& a, const DimList& dims, bool keepdim) {
    return Mean ? mean_kernel(a, dim_mask(a, dims), keepdim) : sum_kernel(a, dim_mask(a, dims), keepdim);
  }
  static void save(Saved& s, const Tensor& a, const DimList& dims, bool keepdim, const Tensor&) {
    s.sizes = a.sizes();
    s.mask = dim_mask(a, dims);
    s.keepdim = keepdim;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor g = expand_reduced(grad, s.sizes, s.mask, s.keepdim);
    if (!Mean) return {g};
    int64_t n = 1;
    for (size_t d = 0; d < s.mask.size(); ++d)
      if (s.mask[d]) n *= s.sizes[d];
    return {g / (double)n};
  }
};
using SumDims = ReduceDims<false>;
using MeanDims = ReduceDims<true>;

// prod: bools and ints multiply in int64. The gradient is out / x, except where x is zero:
// a lone zero gets the product of the others, and with two or more zeros every gradient is 0.
template <bool All>
struct Prod : SavesInputAndOutput {
  static constexpr const char* name = All ? "prod" : "prod_dim";
  static constexpr const char* node = All ? "ProdBackward0" : "ProdBackward1";
  static Tensor forward(const Tensor& a, const DimList& dims, bool keepdim) {
    const DimMask mask = dim_mask(a, dims);
    Tensor in = a.dtype() == DType::Bool ? kernels::cast(a, DType::Int64) : a;
    Tensor kept = kernels::reduce_keepdim(in, mask, kernels::ReduceOp::Prod);
    return keepdim ? kept : drop_reduced(kept, mask);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor x = s.self.unpack();
    Tensor g = expand_reduced(grad, x.sizes(), s.mask, s.keepdim);
    Tensor out = with_kept_dims(s.out.unpack(), s.mask, s.keepdim);
    DimList dims;
    for (size_t d = 0; d < s.mask.size(); ++d)
      if (s.mask[d]) dims.push_back((int64_t)d);
    Tensor is_zero = eq(x, scalar_tensor(0.0));
    Tensor zero = zeros_like(x);
    Tensor nonzero_x = where(is_zero, ones_like(x), x);
    Tensor others = x.dim() == 0 ? ones_like(x) : prod(nonzero_x, dims, true);
    Tensor zeros_in_slice = x.dim() == 0 ? to_dtype(is_zero, DType::Int64) : sum(is_zero, dims, true);
    Tensor at_zero = where(eq(zeros_in_slice, scalar_tensor(1.0)), expand(others, x.sizes()), zero);
    return {g * where(is_zero, at_zero, out / nonzero_x)};
  }
};

// The vector p-norm, PyTorch's linalg_vector_norm (what Tensor.norm calls).
struct Norm {
  static constexpr const char* name = "norm";
  static constexpr const char* node = "LinalgVectorNormBackward0";
  struct Saved {
    SavedTensor self, out;
    double p = 2;
    DimMask mask;
    bool keepdim = false;
    auto tensors() { return std::tie(self, out); }
  };
  static DimMask mask_of(const Tensor& a, const std::optional<DimList>& dims) {
    return dims ? dim_mask(a, *dims) : DimMask(a.dim(), true);
  }
  static Tensor forward(const Tensor& a, double p, const std::optional<DimList>& dims, bool keepdim) {
    TG_CHECK(is_floating(a.dtype()), Runtime,
             "linalg.vector_norm: Expected a floating point or complex tensor as input. Got ",
             dtype_legacy_name(a.dtype()));
    TG_CHECK(std::isfinite(p) && p > 0, Runtime, "norm: p=", p,
             " is not supported yet (supported: finite p > 0)");
    DimMask mask = mask_of(a, dims);
    using kernels::BinaryOp;
    using kernels::UnaryOp;
    Tensor absx = kernels::unary(UnaryOp::Abs, a);
    Tensor powered = p == 1 ? absx
                     : p == 2 ? kernels::binary(BinaryOp::Mul, absx, absx)
                              : kernels::binary(BinaryOp::Pow, absx, kernels::full({}, p, a.dtype()));
    Tensor s = sum_kernel(powered, mask, keepdim);
    if (p == 1) return s;
    if (p == 2) return kernels::unary(UnaryOp::Sqrt, s);
    return kernels::binary(BinaryOp::Pow, s, kernels::full({}, 1.0 / p, a.dtype()));
  }
  static void save(Saved& s, const Tensor& a, double p, const std::optional<DimList>& dims, bool keepdim,
                   const Tensor& out) {
    s.self = a;
    s.out = SavedTensor(out, true);
    s.p = p;
    s.mask = mask_of(a, dims);
    s.keepdim = keepdim;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor x = s.self.unpack();
    if (s.p == 1) return {sign(x) * expand_reduced(grad, x.sizes(), s.mask, s.keepdim)};
    Tensor out = s.out.unpack();
    // d||x||_p / dx = sign(x) |x|^(p-1) / ||x||^(p-1); taken as 0 where the norm is 0, and
    // where x is 0 (|0|^(p-1) is infinite for p < 1).
    Tensor denom = s.p == 2 ? out : pow(out, s.p - 1);
    Tensor zero = zeros_like(out);
    Tensor scale = where(eq(out, zero), zero, grad / denom);
    Tensor num = s.p == 2 ? x
                          : where(eq(x, scalar_tensor(0.0)), zeros_like(x), sign(x) * pow(abs(x), s.p - 1));
    return {num * expand_reduced(scale, x.sizes(), s.mask, s.keepdim)};
  }
};

Tensor sum(const Tensor& a) { return apply_op<SumAll>(a); }
Tensor sum(const Tensor& a, const DimList& dims, bool keepdim) { return apply_op<SumDims>(a, dims, keepdim); }
Tensor mean(const Tensor& a) { return apply_op<MeanAll>(a); }
Tensor mean(const Tensor& a, const DimList& dims, bool keepdim) { return apply_op<MeanDims>(a, dims, keepdim); }
Tensor norm(const Tensor& a, double p, const std::optional<DimList>& dims, bool keepdim) {
  return apply_op<Norm>(a, p, dims, keepdim);
}
Tensor prod(const Tensor& a) { return apply_op<Prod<true>>(a, DimList{}, false); }
Tensor prod(const Tensor& a, const DimList& dims, bool keepdim) { return apply_op<Prod<false>>(a, dims, keepdim); }

Tensor sum_to(const Tensor& a, const Shape& shape) {
  if (a.sizes() == shape) return a;
  const int64_t lead = a.dim() - (int64_t)shape.size();
  DimList dims;
  for (int64_t d = 0; d < lead; ++d)
    if (a.sizes()[d] != 1) dims.push_back(d);  // a leading size-1 dim only needs dropping
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == 1 && a.sizes()[lead + i] != 1) dims.push_back(lead + (int64_t)i);
  Tensor r = dims.empty() ? a : sum(a, dims, /*keepdim=*/true);
  return lead > 0 ? view(r, shape) : r;
}

// nansum: sum with NaNs counted as zero; their gradient is zero too.
struct Nansum {
  static constexpr const char* name = "nansum";
  static constexpr const char* node = "NansumBackward0";
  struct Saved {
    SavedTensor self;
    DimMask mask;
    bool keepdim = false;
    auto tensors() { return std::tie(self); }
  };
  static Tensor without_nan(const Tensor& a) {
    return is_floating(a.dtype()) ? where(isnan(a), zeros({}, a.dtype()), a) : a;
  }
  static Tensor forward(const Tensor& a, const DimList& dims, bool keepdim) {
    return sum_kernel(without_nan(a), dim_mask(a, dims), keepdim);
  }
  static void save(Saved& s, const Tensor& a, const DimList& dims, bool keepdim, const Tensor&) {
    s.self = a, s.mask = dim_mask(a, dims), s.keepdim = keepdim;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    const Tensor x = s.self.unpack();
    return {where(isnan(x), zeros({}, grad.dtype()), expand_reduced(grad, x.sizes(), s.mask, s.keepdim))};
  }
};

namespace {

Tensor nansum_dims(const Tensor& a, std::optional<DimList> dims, bool keepdim, std::optional<DType> dtype) {
  return apply_op<Nansum>(dtype ? to_dtype(a, *dtype) : a, dims.value_or(DimList{}), keepdim);
}
Tensor nansum_all(const Tensor& a, std::optional<DType> dtype) { return nansum_dims(a, std::nullopt, false, dtype); }

// nanmean = nansum / the count of numbers, composed as torch composes it (DivBackward0).
Tensor nanmean(const Tensor& a, std::optional<DimList> dims, bool keepdim, std::optional<DType> dtype) {
  TG_CHECK(is_floating(a.dtype()) || dtype, Runtime,
           "nanmean(): expected input to have floating point or complex dtype but got ", dtype_legacy_name(a.dtype()));
  const Tensor x = dtype ? to_dtype(a, *dtype) : a;
  TG_CHECK(is_floating(x.dtype()), Runtime,
           "nanmean(): expected input to have floating point or complex dtype but got ", dtype_legacy_name(x.dtype()));
  const DimList d = dims.value_or(DimList{});
  const Tensor count = sum_kernel(logical_not(isnan(x)), dim_mask(x, d), keepdim);
  return apply_op<Nansum>(x, d, keepdim) / count;
}

// count_nonzero: int64, no history.
Tensor count_nonzero_dims(const Tensor& a, const DimList& dims) {
  return sum_kernel(ne(a, scalar_tensor(Scalar::from_int(0))), dim_mask(a, dims), false);
}
Tensor count_nonzero(const Tensor& a, std::optional<int64_t> dim) {
  return count_nonzero_dims(a, dim ? DimList{*dim} : DimList{});
}

}  // namespace

void register_reduction_ops(std::vector<OpInfo>& ops) {
  register_ops<SumAll, SumDims, MeanAll, MeanDims, Norm, Prod<true>, Prod<false>, Nansum>(ops);
  register_functions(
      ops,
      {
          {{"nansum(Tensor input, *, dtype? dtype=None)", kFunction | kMethod}, invoke_fn<&nansum_all>},
          {{"nansum(Tensor input, int[]? dim, bool keepdim=False, *, dtype? dtype=None, Tensor? out=None)",
            kFunction | kMethod},
           invoke_fn<&nansum_dims>},
          {{"nanmean(Tensor input, int[]? dim=None, bool keepdim=False, *, dtype? dtype=None, Tensor? out=None)",
            kFunction | kMethod},
           invoke_fn<&nanmean>},
          {{"count_nonzero(Tensor input, int[] dim)", kFunction | kMethod}, invoke_fn<&count_nonzero_dims>},
          {{"count_nonzero(Tensor input, int? dim=None)", kFunction | kMethod}, invoke_fn<&count_nonzero>},
      });
}

}  // namespace tg
