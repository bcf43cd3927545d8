// The two gradients of a matrix product out = a @ b, each laid out like the operand it is for.
//
// A weight is usually used transposed (F.linear computes x @ w.t()), so b is the transpose of
// a contiguous tensor. Computing grad_b = a.t() @ grad gives a contiguous (in, out) matrix whose
// transpose, the gradient of w, is then strided, and AccumulateGrad has to copy it into .grad.
// Computing it as (grad.t() @ a).t() instead gives the same values with w's own layout, so
// .grad takes the buffer as it is. Both forms are ordinary ops: create_graph still works.
#pragma once
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/saved_tensor.h"

namespace tg {

// True when m is the transpose of a contiguous matrix (column-major).
inline bool is_transposed_contiguous(const Tensor& m) {
  return m.dim() == 2 && m.size(0) > 1 && m.size(1) > 1 && m.stride(0) == 1 && m.stride(1) == m.size(0);
}

// d(a @ b)/da = grad @ b.t(); a_transposed: is_transposed_contiguous(a) at forward time (the
// op saves that flag, not a itself, which this gradient does not need).
inline Tensor mm_grad_a(const Tensor& grad, const Tensor& b, bool a_transposed) {
  if (a_transposed) return t(mm(b, t(grad)));
  return mm(grad, t(b));
}

// d(a @ b)/db = a.t() @ grad
inline Tensor mm_grad_b(const Tensor& grad, const Tensor& a, bool b_transposed) {
  if (b_transposed) return t(mm(t(grad), a));
  return mm(t(a), grad);
}

// What the products of two vectors (dot, vdot) save and their gradient: each operand's
// gradient is grad times the other, which is saved only when that gradient is wanted.
struct VectorProductGrad {
  struct Saved {
    SavedTensor a, b;
    auto tensors() { return std::tie(a, b); }
  };
  static void save(Saved& s, const Tensor& a, const Tensor& b, const Tensor&) {
    if (b.requires_grad()) s.a = a;
    if (a.requires_grad()) s.b = b;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    return {needs[0] ? grad * s.b.unpack() : Tensor(), needs[1] ? grad * s.a.unpack() : Tensor()};
  }
};

}  // namespace tg
