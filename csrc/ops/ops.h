// The differentiable op API of the C++ core. Every function here records history when grad
// mode is on; the op structs behind them live in pointwise.cpp, reduction.cpp, linalg.cpp and
// view.cpp, each with its forward and backward side by side.
#pragma once
#include <optional>
#include <vector>

#include "core/tensor.h"

namespace tg {

using DimList = SmallVector<int64_t, 6>;

// ---- creation (no history) ----
Tensor scalar_tensor(double value, DType dtype = DType::Float64);  // a wrapped Python number
Tensor zeros(const Shape& sizes, DType dtype = kDefaultFloat);
Tensor ones(const Shape& sizes, DType dtype = kDefaultFloat);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);

// PyTorch's result_type: dimensioned tensors win, then 0-d tensors, then Python numbers, each
// of the later ones only when it is of a higher category (bool < int < float).
DType result_type(const Tensor& a, const Tensor& b);

// ---- pointwise (pointwise.cpp) ----
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor rsub(const Tensor& a, const Tensor& b);  // b - a, PyTorch's RsubBackward1 for `2 - x`
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);   // tensor ** tensor
// A Python number: its value, and whether it was an int (int ** int stays int64).
struct Scalar {
  double value = 0;
  bool is_int = false;
};
Tensor pow(const Tensor& a, Scalar exponent);   // tensor ** number
Tensor pow(Scalar base, const Tensor& exponent);  // number ** tensor
inline Tensor pow(const Tensor& a, double exponent) { return pow(a, Scalar{exponent}); }
inline Tensor pow(double base, const Tensor& exponent) { return pow(Scalar{base}, exponent); }
Tensor neg(const Tensor& a);
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);
Tensor sqrt(const Tensor& a);
Tensor tanh(const Tensor& a);
Tensor sigmoid(const Tensor& a);
Tensor relu(const Tensor& a);
Tensor abs(const Tensor& a);
Tensor sign(const Tensor& a);
Tensor reciprocal(const Tensor& a);
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
// comparisons: bool results, never differentiable
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);

// ---- reductions (reduction.cpp); dims may be negative; empty `dims` = all dims ----
Tensor sum(const Tensor& a);
Tensor sum(const Tensor& a, const DimList& dims, bool keepdim);
Tensor mean(const Tensor& a);
Tensor mean(const Tensor& a, const DimList& dims, bool keepdim);
Tensor norm(const Tensor& a, double p, const std::optional<DimList>& dims, bool keepdim);
// Sums a broadcast gradient back down to `shape` (the engine's and expand's reduction).
Tensor sum_to(const Tensor& a, const Shape& shape);

// ---- linear algebra (linalg.cpp) ----
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor mv(const Tensor& a, const Tensor& v);
Tensor dot(const Tensor& a, const Tensor& b);
Tensor matmul(const Tensor& a, const Tensor& b);  // PyTorch's 1-D / 2-D / batched rules

// ---- shape and layout (view.cpp); views share storage with their input ----
Tensor view(const Tensor& a, const Shape& sizes);
Tensor reshape(const Tensor& a, const Shape& sizes);
Tensor unsafe_view(const Tensor& a, const Shape& sizes);  // view of a fresh contiguous buffer
Tensor transpose(const Tensor& a, int64_t dim0, int64_t dim1);
Tensor t(const Tensor& a);
Tensor permute(const Tensor& a, const DimList& dims);
Tensor unsqueeze(const Tensor& a, int64_t dim);
Tensor squeeze(const Tensor& a);
Tensor squeeze(const Tensor& a, int64_t dim);
Tensor squeeze(const Tensor& a, const DimList& dims);
Tensor expand(const Tensor& a, const Shape& sizes);
Tensor clone(const Tensor& a);
Tensor contiguous(const Tensor& a);  // `a` itself when already contiguous
Tensor to_dtype(const Tensor& a, DType dtype);  // `a` itself when already of that dtype

// ---- operators, for formulas and C++ users ----
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& a) { return neg(a); }
inline Tensor operator+(const Tensor& a, double b) { return add(a, scalar_tensor(b)); }
inline Tensor operator-(const Tensor& a, double b) { return sub(a, scalar_tensor(b)); }
inline Tensor operator*(const Tensor& a, double b) { return mul(a, scalar_tensor(b)); }
inline Tensor operator/(const Tensor& a, double b) { return div(a, scalar_tensor(b)); }
inline Tensor operator*(double a, const Tensor& b) { return mul(b, scalar_tensor(a)); }
inline Tensor operator-(double a, const Tensor& b) { return rsub(b, scalar_tensor(a)); }

// ---- the op registry: every differentiable op with its PyTorch node name ----
struct OpInfo {
  const char* name;  // the op table key in tests/python/op_db.py
  const char* node;  // grad_fn name
};
const std::vector<OpInfo>& registered_ops();

}  // namespace tg
