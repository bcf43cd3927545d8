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
  Rsqrt,                                            // floating only
  IsNan, IsInf, IsFinite, LogicalNot,               // result is bool
};

bool is_comparison(BinaryOp op);
bool is_predicate(UnaryOp op);

// out must already have the broadcast shape; a, b and (for arithmetic) out share one dtype.
void binary_into(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b);
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b);

void unary_into(UnaryOp op, const Tensor& out, const Tensor& a);
Tensor unary(UnaryOp op, const Tensor& a);

// out = cond ? a : b, all broadcast to out (a, b, out share a dtype; cond is bool).
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

}  // namespace tg::kernels
