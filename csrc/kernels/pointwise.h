// Elementwise kernels: a table of functors run by the strided loop in loop.h.
// These know nothing of autograd or type promotion: operands arrive already cast to one dtype.
#pragma once
#include "core/tensor.h"

namespace tg::kernels {

enum class BinaryOp {
  Add, Sub, Mul, Div, Pow, Maximum, Minimum,        // result has the operands' dtype
  FloorDiv, Remainder,                              // Python's // and % (sign of the divisor)
  Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr,    // result is bool
};
enum class UnaryOp {
  Neg, Exp, Log, Sqrt, Tanh, Sigmoid, Relu, Abs, Sign, Reciprocal,
  Log1p, Expm1, Log2, Sin, Cos, Tan, Rsqrt,         // floating only
  IsNan, IsInf, IsFinite, LogicalNot,               // result is bool
};

bool is_comparison(BinaryOp op);
bool is_predicate(UnaryOp op);

// out must already have the broadcast shape; a, b and (for arithmetic) out share one dtype.
void binary_into(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b);
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b);

void unary_into(UnaryOp op, const Tensor& out, const Tensor& a);
Tensor unary(UnaryOp op, const Tensor& a);

// Backward formulas that are a chain of pointwise ops, evaluated in one pass over memory.
// Ops use them when the backward is not itself recorded (no create_graph); under create_graph
// they spell the same formula with differentiable ops. `saved` is the op's saved output.
enum class FusedGrad {
  Tanh,        // grad * (1 - y*y)
  Sigmoid,     // grad * y * (1 - y)
  Sqrt,        // grad / (2 y)
  Reciprocal,  // -grad * y*y
  Relu,        // y > 0 ? grad : 0 (a NaN or inf grad does not leak where y <= 0)
};
// grad and saved: same shape and floating dtype (else the caller uses the composed formula).
bool can_fuse(const Tensor& grad, const Tensor& saved);
Tensor fused_backward(FusedGrad op, const Tensor& grad, const Tensor& saved);
// grad * exponent * x^(exponent - 1), the backward of x ** exponent for a number exponent.
Tensor pow_scalar_backward(const Tensor& grad, const Tensor& x, double exponent);

// out = cond ? a : b, all broadcast to out (a, b, out share a dtype; cond is bool).
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

}  // namespace tg::kernels
