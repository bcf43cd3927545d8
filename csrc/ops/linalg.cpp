// Matrix products: mm, bmm, mv, dot, and matmul composed from them with PyTorch's rules.
#include "kernels/matmul.h"
#include "ops/mm_grad.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

namespace {
void check_same_dtype(const Tensor& a, const Tensor& b, const char* what) {
  TG_CHECK(a.dtype() == b.dtype(), Runtime, "expected ", what, " to have the same dtype, but got: ",
           dtype_scalar_name(a.dtype()), " != ", dtype_scalar_name(b.dtype()));
}
}  // namespace

struct Mm {
  static constexpr const char* name = "mm";
  static constexpr const char* node = "MmBackward0";
  static constexpr Schema schema{"mm(Tensor input, Tensor mat2, *, Tensor? out=None)", kFunction | kMethod};
  struct Saved {
    SavedTensor a, b;
    bool a_transposed = false, b_transposed = false;  // gradients come out in the same layout
    auto tensors() { return std::tie(a, b); }
  };
  static Tensor forward(const Tensor& a, const Tensor& b) {
    TG_CHECK(a.dim() == 2, Runtime, "self must be a matrix");
    TG_CHECK(b.dim() == 2, Runtime, "mat2 must be a matrix");
    TG_CHECK(a.size(1) == b.size(0), Runtime, "mat1 and mat2 shapes cannot be multiplied (", a.size(0), "x",
             a.size(1), " and ", b.size(0), "x", b.size(1), ")");
    check_same_dtype(a, b, "m1 and m2");
    return kernels::mm(a, b);
  }
  static void save(Saved& s, const Tensor& a, const Tensor& b, const Tensor&) {
    if (b.requires_grad()) s.a = a;
    if (a.requires_grad()) s.b = b;
    s.a_transposed = is_transposed_contiguous(a);
    s.b_transposed = is_transposed_contiguous(b);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    return {needs[0] ? mm_grad_a(grad, s.b.unpack(), s.a_transposed) : Tensor(),
            needs[1] ? mm_grad_b(grad, s.a.unpack(), s.b_transposed) : Tensor()};
  }
};

struct Bmm {
  static constexpr const char* name = "bmm";
  static constexpr const char* node = "BmmBackward0";
  static constexpr Schema schema{"bmm(Tensor input, Tensor mat2, *, Tensor? out=None)", kFunction | kMethod};
  struct Saved {
    SavedTensor a, b;
    auto tensors() { return std::tie(a, b); }
  };
  static Tensor forward(const Tensor& a, const Tensor& b) {
    TG_CHECK(a.dim() == 3, Runtime, "batch1 must be a 3D tensor");
    TG_CHECK(b.dim() == 3, Runtime, "batch2 must be a 3D tensor");
    TG_CHECK(b.size(0) == a.size(0) && b.size(1) == a.size(2), Runtime,
             "Expected size for first two dimensions of batch2 tensor to be: [", a.size(0), ", ", a.size(2),
             "] but got: [", b.size(0), ", ", b.size(1), "].");
    // PyTorch returns an empty (or, with an empty inner dim, zero) result before its dtype check,
    // in batch2's dtype.
    if (a.size(0) * a.size(1) * b.size(2) == 0 || a.size(2) == 0) return zeros({a.size(0), a.size(1), b.size(2)}, b.dtype());
    TG_CHECK(a.dtype() == b.dtype(), Runtime, "expected scalar type ", dtype_legacy_name(a.dtype()), " but found ",
             dtype_legacy_name(b.dtype()));
    return kernels::bmm(a, b);
  }
  static void save(Saved& s, const Tensor& a, const Tensor& b, const Tensor&) {
    if (b.requires_grad()) s.a = a;
    if (a.requires_grad()) s.b = b;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    return {needs[0] ? bmm(grad, transpose(s.b.unpack(), 1, 2)) : Tensor(),
            needs[1] ? bmm(transpose(s.a.unpack(), 1, 2), grad) : Tensor()};
  }
};

struct Mv {
  static constexpr const char* name = "mv";
  static constexpr const char* node = "MvBackward0";
  static constexpr Schema schema{"mv(Tensor input, Tensor vec, *, Tensor? out=None)", kFunction | kMethod};
  struct Saved {
    SavedTensor a, v;
    auto tensors() { return std::tie(a, v); }
  };
  static Tensor forward(const Tensor& a, const Tensor& v) {
    TG_CHECK(a.dim() == 2 && v.dim() == 1, Runtime, "vector + matrix @ vector expected, got 1, ", a.dim(), ", ",
             v.dim());
    TG_CHECK(a.size(1) == v.size(0), Runtime, "size mismatch, got input (", a.size(0), "), mat (", a.size(0), "x",
             a.size(1), "), vec (", v.size(0), ")");
    TG_CHECK(a.dtype() == v.dtype(), Runtime, "addmv input tensors must have the same dtype, but got ",
             dtype_legacy_name(v.dtype()), ", ", dtype_legacy_name(a.dtype()), ", and ", dtype_legacy_name(v.dtype()));
    return kernels::mv(a, v);
  }
  static void save(Saved& s, const Tensor& a, const Tensor& v, const Tensor&) {
    if (v.requires_grad()) s.a = a;
    if (a.requires_grad()) s.v = v;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    return {needs[0] ? mm(unsqueeze(grad, 1), unsqueeze(s.v.unpack(), 0)) : Tensor(),
            needs[1] ? mv(t(s.a.unpack()), grad) : Tensor()};
  }
};

struct Dot : VectorProductGrad {
  static constexpr const char* name = "dot";
  static constexpr const char* node = "DotBackward0";
  static constexpr Schema schema{"dot(Tensor input, Tensor tensor, *, Tensor? out=None)", kFunction | kMethod};
  static Tensor forward(const Tensor& a, const Tensor& b) {
    TG_CHECK(a.dim() == 1 && b.dim() == 1, Runtime, "1D tensors expected, but got ", a.dim(), "D and ", b.dim(),
             "D tensors");
    TG_CHECK(a.numel() == b.numel(), Runtime, "inconsistent tensor size, expected tensor [", a.numel(),
             "] and src [", b.numel(), "] to have the same number of elements, but got ", a.numel(), " and ",
             b.numel(), " elements respectively");
    TG_CHECK(a.dtype() == b.dtype(), Runtime, "dot : expected both vectors to have same dtype, but found ",
             dtype_legacy_name(a.dtype()), " and ", dtype_legacy_name(b.dtype()));
    return kernels::dot(a, b);
  }
};

Tensor mm(const Tensor& a, const Tensor& b) { return apply_op<Mm>(a, b); }
Tensor bmm(const Tensor& a, const Tensor& b) { return apply_op<Bmm>(a, b); }
Tensor mv(const Tensor& a, const Tensor& v) { return apply_op<Mv>(a, v); }
Tensor dot(const Tensor& a, const Tensor& b) { return apply_op<Dot>(a, b); }

Tensor matmul(const Tensor& a, const Tensor& b) {
  const int64_t da = a.dim(), db = b.dim();
  TG_CHECK(da >= 1 && db >= 1, Runtime, "both arguments to matmul need to be at least 1D, but they are ", da,
           "D and ", db, "D");
  if (da == 1 && db == 1) return dot(a, b);
  if (da == 2 && db == 1) return mv(a, b);
  if (da == 1 && db == 2) return squeeze(mm(unsqueeze(a, 0), b), DimList{0});
  if (da == 2 && db == 2) return mm(a, b);
  // Batched: 1-D operands become matrices, batch dims broadcast, everything folds into one bmm.
  // PyTorch folds a batch against a matrix into mm, so its dtype error is mm's there.
  if (std::min(da, db) <= 2) check_same_dtype(a, b, "m1 and m2");
  // PyTorch folds a batch against a matrix or vector into one mm or mv, so its shape errors name
  // the folded sizes: (2, 2, 3) @ (4, 5) says "(4x3 and 4x5)".
  if (da >= 3 && db <= 2 && a.size(-1) != b.size(0)) {
    const int64_t rows = numel_of(Shape(a.sizes().begin(), a.sizes().end() - 1)), k = a.size(-1);
    TG_CHECK(db == 1, Runtime, "mat1 and mat2 shapes cannot be multiplied (", rows, "x", k, " and ", b.size(0), "x",
             b.size(1), ")");
    TG_ERROR(Runtime, "size mismatch, got input (", rows, "), mat (", rows, "x", k, "), vec (", b.size(0), ")");
  }
  Tensor A = da == 1 ? unsqueeze(a, 0) : a;
  Tensor B = db == 1 ? unsqueeze(b, 1) : b;
  const int64_t n = A.size(-2), k = A.size(-1), k2 = B.size(-2), m = B.size(-1);
  Shape batch_a(A.sizes().begin(), A.sizes().end() - 2), batch_b(B.sizes().begin(), B.sizes().end() - 2);
  Shape batch = broadcast_shapes(batch_a, batch_b);
  const int64_t nbatch = numel_of(batch);
  Shape full_a = batch, full_b = batch;
  full_a.push_back(n), full_a.push_back(k);
  full_b.push_back(k2), full_b.push_back(m);
  Tensor out = bmm(reshape(expand(A, full_a), {nbatch, n, k}), reshape(expand(B, full_b), {nbatch, k2, m}));
  Shape out_shape = batch;
  if (da > 1) out_shape.push_back(n);
  if (db > 1) out_shape.push_back(m);
  return unsafe_view(out, out_shape);
}

void register_linalg_ops(std::vector<OpInfo>& ops) {
  register_ops<Mm, Bmm, Mv, Dot>(ops);
  register_functions(ops, {{{"matmul(Tensor input, Tensor other, *, Tensor? out=None)", kFunction | kMethod},
                            invoke_fn<&matmul>}});
}

}  // namespace tg
