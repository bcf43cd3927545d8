// The differentiable op API of the C++ core, for C++ callers (backward formulas, bindings).
// Every function here records history when grad mode is on; the op structs behind them live in
// one file per family (unary.cpp, binary.cpp, reduction.cpp, view.cpp, ...), each with its
// forward and backward side by side. An op only Python calls needs no line here: its schema
// makes its Python function (Note [Op schemas] in schema.h).
#pragma once
#include <functional>
#include <optional>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/schema.h"

namespace tg {

// ---- creation (no history) ----
Tensor scalar_tensor(double value, DType dtype = DType::Float64);  // a wrapped Python number
Tensor scalar_tensor(Scalar value);  // the same in the number's own dtype (bool, int64, float64), exact
Tensor zeros(const Shape& sizes, DType dtype = kDefaultFloat);
Tensor ones(const Shape& sizes, DType dtype = kDefaultFloat);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);

// PyTorch's result_type: dimensioned tensors win, then 0-d tensors, then Python numbers, each
// of the later ones only when it is of a higher category (bool < int < float).
DType result_type(const Tensor& a, const Tensor& b);
DType result_type(const Tensor& a, const Tensor& b, const Tensor& c);

// ---- elementwise (binary.cpp, unary.cpp, where_clamp_lerp.cpp) ----
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor rsub(const Tensor& a, const Tensor& b);  // b - a, PyTorch's RsubBackward1 for `2 - x`
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);   // tensor ** tensor
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
Tensor floor_divide(const Tensor& a, const Tensor& b);  // never differentiable, as in PyTorch
Tensor remainder(const Tensor& a, const Tensor& b);     // Python's %: the divisor's sign
Tensor log1p(const Tensor& a);
Tensor expm1(const Tensor& a);
Tensor log2(const Tensor& a);
Tensor sin(const Tensor& a);
Tensor cos(const Tensor& a);
Tensor tan(const Tensor& a);
Tensor rsqrt(const Tensor& a);
Tensor square(const Tensor& a);
// Number bounds promote as wrapped numbers do: clamp(int tensor, max=1.5) is floating.
Tensor clamp(const Tensor& a, std::optional<Scalar> min, std::optional<Scalar> max);
Tensor clamp(const Tensor& a, const Tensor& min, const Tensor& max);  // either may be undefined
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor lerp(const Tensor& a, const Tensor& b, double weight);
Tensor lerp(const Tensor& a, const Tensor& b, const Tensor& weight);
// truth values and float classes: bool results, never differentiable
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& a);
Tensor isnan(const Tensor& a);
Tensor isinf(const Tensor& a);
Tensor isfinite(const Tensor& a);
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
Tensor prod(const Tensor& a);
Tensor prod(const Tensor& a, const DimList& dims, bool keepdim);
// extrema.cpp: max()/min() of all elements; max(dim)/min(dim) give values and indices
struct ValuesIndices {
  Tensor values, indices;
};
Tensor max(const Tensor& a);
Tensor min(const Tensor& a);
ValuesIndices max(const Tensor& a, int64_t dim, bool keepdim);
ValuesIndices min(const Tensor& a, int64_t dim, bool keepdim);
Tensor amax(const Tensor& a, const DimList& dims, bool keepdim);
Tensor amin(const Tensor& a, const DimList& dims, bool keepdim);
Tensor argmax(const Tensor& a, std::optional<int64_t> dim, bool keepdim);  // int64, no history
Tensor argmin(const Tensor& a, std::optional<int64_t> dim, bool keepdim);
Tensor all(const Tensor& a, const DimList& dims, bool keepdim);  // bool, no history
Tensor any(const Tensor& a, const DimList& dims, bool keepdim);
// statistics.cpp
Tensor var(const Tensor& a, const DimList& dims, double correction, bool keepdim);
Tensor std_dev(const Tensor& a, const DimList& dims, double correction, bool keepdim);
Tensor logsumexp(const Tensor& a, const DimList& dims, bool keepdim);
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

// ---- indexing (slice.cpp; x[key] itself: index.h); slice and select are views ----
// A strided layout relative to a contiguous tensor of some shape.
struct Geometry {
  Shape sizes, strides;
  int64_t offset = 0;
};
Tensor slice(const Tensor& a, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end, int64_t step);
Tensor select(const Tensor& a, int64_t dim, int64_t index);
Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length);
// Where `view` (a view of `base`) looks, relative to base (base must be contiguous).
Geometry geometry_of(const Tensor& view, const Tensor& base);
// self with `value` (broadcast) written where `g` points; out of place (see apply_inplace).
Tensor slice_put(const Tensor& self, const Tensor& value, const Geometry& g);
// The view `g` describes of `a` (made contiguous first), recorded as AsStridedBackward0.
Tensor strided_view(const Tensor& a, const Shape& sizes, const Geometry& g);

// index.cpp: indices[d] (int64, or undefined for a whole dim) index dim d
Tensor index(const Tensor& a, const std::vector<Tensor>& indices);
Tensor index_put(const Tensor& self, const std::vector<Tensor>& indices, const Tensor& value, bool accumulate);

// gather_scatter.cpp; index tensors are int64
Tensor gather(const Tensor& a, int64_t dim, const Tensor& index);
Tensor scatter(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter(const Tensor& a, int64_t dim, const Tensor& index, Scalar value);
Tensor scatter_add(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src);
Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index);
Tensor masked_fill(const Tensor& a, const Tensor& mask, Scalar value);

// join.cpp
Tensor cat(const TensorList& tensors, int64_t dim);
Tensor stack(const TensorList& tensors, int64_t dim);
Tensor repeat(const Tensor& a, const Shape& repeats);
Tensor flip(const Tensor& a, const DimList& dims);
// split.cpp: views of `a`, all outputs of one node
TensorList split(const Tensor& a, int64_t split_size, int64_t dim);
TensorList split_with_sizes(const Tensor& a, const Shape& sizes, int64_t dim);
TensorList chunk(const Tensor& a, int64_t chunks, int64_t dim);
TensorList unbind(const Tensor& a, int64_t dim);

// ---- in-place (inplace.cpp) ----
// Runs `out_of_place(self)` and writes the result into self (see inplace.cpp); returns self.
Tensor apply_inplace(const Tensor& self, const std::function<Tensor(const Tensor&)>& out_of_place);
// Out-of-place forms of fill_, zero_ and copy_ (recorded with PyTorch's node names).
Tensor fill(const Tensor& a, Scalar value);
Tensor zero(const Tensor& a);
Tensor copy(const Tensor& self, const Tensor& src);

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

// ---- out= (out_argument.cpp): PyTorch's errors, then `result` written into `out` ----
// Before the op runs: out= records no history, so no input (nor out) may require grad.
void check_out_argument(const Tensor& out, bool any_input_requires_grad, const char* fname);
Tensor write_out(const Tensor& out, const Tensor& result);

// ---- the op registry: every op struct with its PyTorch node name, and every Python-callable
// schema (Note [Op schemas] in schema.h) with the function that runs it ----
struct OpInfo {
  const char* name = nullptr;  // the op table key in tests/python/op_db.py (null: a schema only)
  const char* node = nullptr;  // grad_fn name
  Schema schema;               // how Python calls it, if it is called directly
  Invoke invoke;
};
const std::vector<OpInfo>& registered_ops();

}  // namespace tg
