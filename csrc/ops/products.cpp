// Products of vectors and matrices beyond mm/bmm/mv/dot (linalg.cpp): the fused
// `beta * input + alpha * product` family (addmm, addmv, addbmm, baddbmm), vdot, cross and
// cdist with their own nodes, and outer/ger, inner and kron composed as PyTorch composes them.
#include <cmath>
#include <limits>

#include "ops/op.h"
#include "ops/ops.h"
#include "ops/mm_grad.h"
#include "ops/registry.h"

namespace tg {

Tensor tensordot(const Tensor& a, const Tensor& b, const DimList& dims_a, const DimList& dims_b);  // contraction.cpp
Tensor matrix_product(const Tensor& a, const Tensor& b);        // contraction.cpp: mm / bmm for
Tensor batch_matrix_product(const Tensor& a, const Tensor& b);  // any dtype

namespace {

// beta and alpha as wrapped numbers: an integer result takes them as integers, as PyTorch's
// integer kernels do.
Tensor coefficient(Scalar s, DType result) {
  if (is_floating(result)) return scalar_tensor(s.to_double());
  return scalar_tensor(Scalar::from_int(s.to<int64_t>()));
}

bool is_one(Scalar s) { return s.to_double() == 1.0; }
bool is_zero(Scalar s) { return s.to_double() == 0.0; }

// beta * input + alpha * product, input broadcast to the product's shape; beta == 0 ignores
// the input (its NaNs too), as PyTorch's BLAS-style ops do.
Tensor combine(const Tensor& input, const Tensor& product, Scalar beta, Scalar alpha) {
  Tensor p = is_one(alpha) ? product : mul(product, coefficient(alpha, product.dtype()));
  if (is_zero(beta)) return p;
  Tensor in = expand(input, product.sizes());
  return add(is_one(beta) ? in : mul(in, coefficient(beta, product.dtype())), p);
}

void check_same_dtype(const Tensor& self, const Tensor& m1, const Tensor& m2) {
  TG_CHECK(self.dtype() == m2.dtype(), Runtime, "self and mat2 must have the same dtype, but got ",
           dtype_legacy_name(self.dtype()), " and ", dtype_legacy_name(m2.dtype()));
  TG_CHECK(m1.dtype() == m2.dtype(), Runtime, "mat1 and mat2 must have the same dtype, but got ",
           dtype_legacy_name(m1.dtype()), " and ", dtype_legacy_name(m2.dtype()));
}

// The saves and input gradient the four fused ops share.
struct FusedSaved {
  SavedTensor m1, m2;
  Shape input_sizes;
  Scalar beta, alpha;
  auto tensors() { return std::tie(m1, m2); }
};
void save_fused(FusedSaved& s, const Tensor& input, const Tensor& m1, const Tensor& m2, Scalar beta, Scalar alpha) {
  s.input_sizes = input.sizes(), s.beta = beta, s.alpha = alpha;
  if (m2.requires_grad()) s.m1 = m1;
  if (m1.requires_grad()) s.m2 = m2;
}
Tensor input_grad(const FusedSaved& s, const Tensor& grad) {
  if (is_zero(s.beta)) return zeros(s.input_sizes, grad.dtype());
  return sum_to(is_one(s.beta) ? grad : grad * s.beta.to_double(), s.input_sizes);
}
Tensor scaled(const Tensor& g, Scalar alpha) { return is_one(alpha) ? g : g * alpha.to_double(); }

}  // namespace

#define TG_FUSED_SCHEMA(op, a, b) \
  #op "(Tensor input, Tensor " a ", Tensor " b ", *, Number beta=1, Number alpha=1, Tensor? out=None)"

struct Addmm {
  static constexpr const char* name = "addmm";
  static constexpr const char* node = "AddmmBackward0";
  static constexpr Schema schema{TG_FUSED_SCHEMA(addmm, "mat1", "mat2"), kFunction | kMethod | kInPlace};
  using Saved = FusedSaved;
  static Tensor forward(const Tensor& input, const Tensor& m1, const Tensor& m2, Scalar beta, Scalar alpha) {
    TG_CHECK(m1.dim() == 2, Runtime, "mat1 must be a matrix, got ", m1.dim(), "-D tensor");
    TG_CHECK(m2.dim() == 2, Runtime, "mat2 must be a matrix, got ", m2.dim(), "-D tensor");
    TG_CHECK(m1.size(1) == m2.size(0), Runtime, "mat1 and mat2 shapes cannot be multiplied (", m1.size(0), "x",
             m1.size(1), " and ", m2.size(0), "x", m2.size(1), ")");
    check_same_dtype(input, m1, m2);
    return combine(input, matrix_product(m1, m2), beta, alpha);
  }
  static void save(Saved& s, const Tensor& in, const Tensor& m1, const Tensor& m2, Scalar beta, Scalar alpha,
                   const Tensor&) {
    save_fused(s, in, m1, m2, beta, alpha);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    return {needs[0] ? input_grad(s, grad) : Tensor(),
            needs[1] ? scaled(mm(grad, t(s.m2.unpack())), s.alpha) : Tensor(),
            needs[2] ? scaled(mm(t(s.m1.unpack()), grad), s.alpha) : Tensor()};
  }
};

struct Addmv {
  static constexpr const char* name = "addmv";
  static constexpr const char* node = "AddmvBackward0";
  static constexpr Schema schema{TG_FUSED_SCHEMA(addmv, "mat", "vec"), kFunction | kMethod | kInPlace};
  using Saved = FusedSaved;
  static Tensor forward(const Tensor& input, const Tensor& mat, const Tensor& vec, Scalar beta, Scalar alpha) {
    TG_CHECK(mat.dim() == 2 && vec.dim() == 1 && input.dim() <= 1, Runtime,
             "vector + matrix @ vector expected, got ", input.dim(), ", ", mat.dim(), ", ", vec.dim());
    const int64_t in_size = input.dim() ? input.size(0) : 1;
    TG_CHECK(mat.size(1) == vec.size(0) && (in_size == mat.size(0) || in_size == 1), Runtime,
             "size mismatch, got input (", in_size, "), mat (", mat.size(0), "x", mat.size(1), "), vec (",
             vec.size(0), ")");
    TG_CHECK(input.dtype() == mat.dtype() && mat.dtype() == vec.dtype(), Runtime,
             "addmv input tensors must have the same dtype, but got ", dtype_legacy_name(input.dtype()), ", ",
             dtype_legacy_name(mat.dtype()), ", and ", dtype_legacy_name(vec.dtype()));
    return combine(input, reshape(matrix_product(mat, unsqueeze(vec, 1)), {mat.size(0)}), beta, alpha);
  }
  static void save(Saved& s, const Tensor& in, const Tensor& m, const Tensor& v, Scalar beta, Scalar alpha,
                   const Tensor&) {
    save_fused(s, in, m, v, beta, alpha);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    return {needs[0] ? input_grad(s, grad) : Tensor(),
            needs[1] ? scaled(mm(unsqueeze(grad, 1), unsqueeze(s.m2.unpack(), 0)), s.alpha) : Tensor(),
            needs[2] ? scaled(mv(t(s.m1.unpack()), grad), s.alpha) : Tensor()};
  }
};

namespace {
void check_batches(const Tensor& b1, const Tensor& b2) {
  wrap_dim(2, b1.dim()), wrap_dim(2, b2.dim());  // PyTorch reads size(2) first: its IndexError
  TG_CHECK(b1.dim() == 3, Runtime, "batch1 must be a 3D tensor");
  TG_CHECK(b2.dim() == 3, Runtime, "batch2 must be a 3D tensor");
}
Tensor batch_product(const Tensor& b1, const Tensor& b2) {
  TG_CHECK(b1.dtype() == b2.dtype(), Runtime, "expected scalar type ", dtype_legacy_name(b1.dtype()), " but found ",
           dtype_legacy_name(b2.dtype()));
  return batch_matrix_product(b1, b2);
}
}  // namespace

struct Addbmm {
  static constexpr const char* name = "addbmm";
  static constexpr const char* node = "AddbmmBackward0";
  static constexpr Schema schema{TG_FUSED_SCHEMA(addbmm, "batch1", "batch2"), kFunction | kMethod | kInPlace};
  using Saved = FusedSaved;
  static Tensor forward(const Tensor& input, const Tensor& b1, const Tensor& b2, Scalar beta, Scalar alpha) {
    expand(input, {b1.size(1), b2.size(2)});  // PyTorch broadcasts the input first: its errors come first
    check_batches(b1, b2);
    TG_CHECK(b1.size(0) == b2.size(0), Runtime, "batch1 and batch2 must have same number of batches, got ",
             b1.size(0), " and ", b2.size(0));
    TG_CHECK(b1.size(2) == b2.size(1), Runtime, "Incompatible matrix sizes for bmm (", b1.size(1), "x", b1.size(2),
             " and ", b2.size(1), "x", b2.size(2), ")");
    check_same_dtype(input, b1, b2);
    return combine(input, sum(batch_product(b1, b2), {0}, false), beta, alpha);
  }
  static void save(Saved& s, const Tensor& in, const Tensor& b1, const Tensor& b2, Scalar beta, Scalar alpha,
                   const Tensor&) {
    save_fused(s, in, b1, b2, beta, alpha);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor b1 = s.m1.unpack(), b2 = s.m2.unpack();
    const Tensor& some = b1.defined() ? b1 : b2;
    const Tensor g = needs[1] || needs[2] ? expand(grad, {some.size(0), grad.size(0), grad.size(1)}) : Tensor();
    return {needs[0] ? input_grad(s, grad) : Tensor(),
            needs[1] ? scaled(bmm(g, transpose(b2, 1, 2)), s.alpha) : Tensor(),
            needs[2] ? scaled(bmm(transpose(b1, 1, 2), g), s.alpha) : Tensor()};
  }
};

struct Baddbmm {
  static constexpr const char* name = "baddbmm";
  static constexpr const char* node = "BaddbmmBackward0";
  static constexpr Schema schema{TG_FUSED_SCHEMA(baddbmm, "batch1", "batch2"), kFunction | kMethod | kInPlace};
  using Saved = FusedSaved;
  static Tensor forward(const Tensor& input, const Tensor& b1, const Tensor& b2, Scalar beta, Scalar alpha) {
    expand(input, {b1.size(0), b1.size(1), b2.size(2)});  // PyTorch broadcasts the input first
    check_batches(b1, b2);
    TG_CHECK(b2.size(0) == b1.size(0) && b2.size(1) == b1.size(2), Runtime,
             "Expected size for first two dimensions of batch2 tensor to be: [", b1.size(0), ", ", b1.size(2),
             "] but got: [", b2.size(0), ", ", b2.size(1), "].");
    check_same_dtype(input, b1, b2);
    return combine(input, batch_product(b1, b2), beta, alpha);
  }
  static void save(Saved& s, const Tensor& in, const Tensor& b1, const Tensor& b2, Scalar beta, Scalar alpha,
                   const Tensor&) {
    save_fused(s, in, b1, b2, beta, alpha);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    return {needs[0] ? input_grad(s, grad) : Tensor(),
            needs[1] ? scaled(bmm(grad, transpose(s.m2.unpack(), 1, 2)), s.alpha) : Tensor(),
            needs[2] ? scaled(bmm(transpose(s.m1.unpack(), 1, 2), grad), s.alpha) : Tensor()};
  }
};
#undef TG_FUSED_SCHEMA

// vdot: dot for real tensors (no conjugation to do), integers included.
struct Vdot : VectorProductGrad {
  static constexpr const char* name = "vdot";
  static constexpr const char* node = "VdotBackward0";
  static constexpr Schema schema{"vdot(Tensor input, Tensor other, *, Tensor? out=None)", kFunction | kMethod};
  static Tensor forward(const Tensor& a, const Tensor& b) {
    TG_CHECK(a.dim() == 1 && b.dim() == 1, Runtime, "1D tensors expected, but got ", a.dim(), "D and ", b.dim(),
             "D tensors");
    TG_CHECK(a.dtype() == b.dtype(), Runtime, "dot : expected both vectors to have same dtype, but found ",
             dtype_legacy_name(a.dtype()), " and ", dtype_legacy_name(b.dtype()));
    TG_CHECK(a.numel() == b.numel(), Runtime, "inconsistent tensor size, expected tensor [", a.numel(),
             "] and src [", b.numel(), "] to have the same number of elements, but got ", a.numel(), " and ",
             b.numel(), " elements respectively");
    return is_floating(a.dtype()) ? dot(a, b) : sum(mul(a, b));
  }
};

// cross product along a dim of size 3 (broadcast inputs); node named after linalg.cross.
struct Cross {
  static constexpr const char* name = "cross";
  static constexpr const char* node = "LinalgCrossBackward0";
  struct Saved {
    SavedTensor a, b;
    Shape a_sizes, b_sizes;
    int64_t dim = 0;
    auto tensors() { return std::tie(a, b); }
  };
  static int64_t check(const Tensor& a, const Tensor& b, std::optional<int64_t> dim) {
    TG_CHECK(a.dim() == b.dim(), Runtime, "linalg.cross: inputs must have the same number of dimensions.");
    const Shape shape = broadcast_shapes(a.sizes(), b.sizes());
    if (!dim) {
      for (int64_t d = 0; d < (int64_t)shape.size(); ++d)
        if (shape[d] == 3) return d;
      TG_ERROR(Runtime, "no dimension of size 3 in input");
    }
    TG_CHECK(a.dim() > 0, Index, "Dimension specified as ", *dim, " but tensor has no dimensions");
    const int64_t d = wrap_dim(*dim, a.dim());
    TG_CHECK(a.size(d) == 3 && b.size(d) == 3, Runtime, "linalg.cross: inputs dimension ", d,
             " must have length 3. Got ", a.size(d), " and ", b.size(d));
    return d;
  }
  static Tensor forward(const Tensor& a, const Tensor& b, std::optional<int64_t> dim) {
    const int64_t d = check(a, b, dim);
    TG_CHECK(a.dtype() == b.dtype(), Runtime, "expected scalar type ", dtype_legacy_name(a.dtype()), " but found ",
             dtype_legacy_name(b.dtype()));
    auto at = [d](const Tensor& x, int64_t i) { return narrow(x, d, i, 1); };
    return cat({at(a, 1) * at(b, 2) - at(a, 2) * at(b, 1), at(a, 2) * at(b, 0) - at(a, 0) * at(b, 2),
                at(a, 0) * at(b, 1) - at(a, 1) * at(b, 0)},
               d);
  }
  static void save(Saved& s, const Tensor& a, const Tensor& b, std::optional<int64_t> dim, const Tensor&) {
    s.dim = check(a, b, dim), s.a_sizes = a.sizes(), s.b_sizes = b.sizes();
    if (b.requires_grad()) s.a = a;
    if (a.requires_grad()) s.b = b;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    const std::optional<int64_t> d = s.dim;
    return {needs[0] ? sum_to(apply_op<Cross>(s.b.unpack(), grad, d), s.a_sizes) : Tensor(),
            needs[1] ? sum_to(apply_op<Cross>(grad, s.a.unpack(), d), s.b_sizes) : Tensor()};
  }
};

// cdist: the p-norm distance of every row of x1 to every row of x2 (batch dims broadcast).
struct Cdist {
  static constexpr const char* name = "cdist";
  static constexpr const char* node = "CdistBackward0";
  static constexpr Schema schema{"cdist(Tensor x1, Tensor x2, float p=2.0, str? compute_mode=None)", kFunction};
  struct Saved {
    SavedTensor x1, x2, out;
    double p = 2;
    auto tensors() { return std::tie(x1, x2, out); }
  };
  static Tensor call(const Tensor& x1, const Tensor& x2, double p, std::optional<std::string_view> mode) {
    if (mode)
      TG_CHECK(*mode == "use_mm_for_euclid_dist_if_necessary" || *mode == "use_mm_for_euclid_dist" ||
                   *mode == "donot_use_mm_for_euclid_dist",
               Value, *mode, " is not a valid value for compute_mode");
    return apply_op<Cdist>(x1, x2, p);
  }
  static Tensor difference(const Tensor& x1, const Tensor& x2) { return unsqueeze(x1, -2) - unsqueeze(x2, -3); }
  static Tensor forward(const Tensor& x1, const Tensor& x2, double p) {
    TG_CHECK(x1.dim() >= 2, Runtime, "cdist only supports at least 2D tensors, X1 got: ", x1.dim(), "D");
    TG_CHECK(x2.dim() >= 2, Runtime, "cdist only supports at least 2D tensors, X2 got: ", x2.dim(), "D");
    TG_CHECK(x1.size(-1) == x2.size(-1), Runtime, "X1 and X2 must have the same number of columns. X1: ",
             x1.size(-1), " X2: ", x2.size(-1));
    TG_CHECK(is_floating(x1.dtype()), Runtime, "cdist only supports floating-point dtypes, X1 got: ",
             dtype_legacy_name(x1.dtype()));
    TG_CHECK(is_floating(x2.dtype()), Runtime, "cdist only supports floating-point dtypes, X2 got: ",
             dtype_legacy_name(x2.dtype()));
    TG_CHECK(p >= 0, Runtime, "cdist only supports non-negative p values");
    // PyTorch returns an empty result (in x1's dtype) before it compares dtypes.
    const bool empty = x1.numel() == 0 || x2.numel() == 0;
    TG_CHECK(empty || x1.dtype() == x2.dtype(), Runtime, "expected scalar type ", dtype_legacy_name(x1.dtype()),
             " but found ", dtype_legacy_name(x2.dtype()));
    const Tensor d = abs(difference(x1, empty ? to_dtype(x2, x1.dtype()) : x2));
    if (p == 0) return sum(to_dtype(ne(d, zeros({}, d.dtype())), d.dtype()), {-1}, false);
    if (std::isinf(p)) return amax(d, {-1}, false);
    if (p == 1) return sum(d, {-1}, false);
    if (p == 2) return sqrt(sum(d * d, {-1}, false));
    return pow(sum(pow(d, p), {-1}, false), 1.0 / p);
  }
  static void save(Saved& s, const Tensor& x1, const Tensor& x2, double p, const Tensor& out) {
    s.x1 = x1, s.x2 = x2, s.out = SavedTensor(out, /*is_output=*/true), s.p = p;
  }
  // d dist / d diff = sign(diff) |diff|^(p-1) / dist^(p-1), zero where the distance is zero.
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    const Tensor x1 = s.x1.unpack(), x2 = s.x2.unpack(), dist = unsqueeze(s.out.unpack(), -1);
    const Tensor diff = difference(x1, x2), zero = zeros({}, grad.dtype());
    Tensor w;
    if (s.p == 0) return {needs[0] ? zeros_like(x1) : Tensor(), needs[1] ? zeros_like(x2) : Tensor()};
    if (std::isinf(s.p)) w = sign(diff) * to_dtype(eq(abs(diff), dist), grad.dtype());
    else if (s.p == 1) w = sign(diff);
    else if (s.p == 2) w = diff / where(eq(dist, zero), ones({}, grad.dtype()), dist);
    else w = sign(diff) * pow(abs(diff), s.p - 1) / where(eq(dist, zero), ones({}, grad.dtype()), pow(dist, s.p - 1));
    const Tensor g = where(eq(dist, zero), zero, unsqueeze(grad, -1) * w);
    return {needs[0] ? sum_to(sum(g, {-2}, false), x1.sizes()) : Tensor(),
            needs[1] ? sum_to(neg(sum(g, {-3}, false)), x2.sizes()) : Tensor()};
  }
};

namespace {

Tensor outer(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.dim() == 1, Runtime, "outer: Expected 1-D argument self, but got ", a.dim(), "-D");
  TG_CHECK(b.dim() == 1, Runtime, "outer: Expected 1-D argument vec2, but got ", b.dim(), "-D");
  return mul(reshape(a, {a.size(0), 1}), b);
}

Tensor inner(const Tensor& a, const Tensor& b) {
  if (a.dim() == 0 || b.dim() == 0) return mul(a, b);
  TG_CHECK(a.size(-1) == b.size(-1), Runtime,
           "inner() the last dimension must match on both input tensors but got shapes ", shape_str(a.sizes()),
           " and ", shape_str(b.sizes()));
  return tensordot(a, b, {-1}, {-1});
}

// kron: a's dims interleaved with b's, multiplied, and folded pairwise.
Tensor kron(const Tensor& a, const Tensor& b) {
  const int64_t n = std::max(a.dim(), b.dim());
  Shape as, bs, out;
  for (int64_t d = 0; d < n; ++d) {
    const int64_t sa = d < n - a.dim() ? 1 : a.size(d - (n - a.dim()));
    const int64_t sb = d < n - b.dim() ? 1 : b.size(d - (n - b.dim()));
    as.push_back(sa), as.push_back(1), bs.push_back(1), bs.push_back(sb), out.push_back(sa * sb);
  }
  return unsafe_view(mul(reshape(a, as), reshape(b, bs)), out);
}

Tensor cross(const Tensor& a, const Tensor& b, std::optional<int64_t> dim) { return apply_op<Cross>(a, b, dim); }

}  // namespace

void register_products_ops(std::vector<OpInfo>& ops) {
  register_ops<Addmm, Addmv, Addbmm, Baddbmm, Vdot, Cross, Cdist>(ops);
  constexpr uint8_t kBoth = kFunction | kMethod;
  register_functions(ops, {
                              {{"outer(Tensor input, Tensor vec2, *, Tensor? out=None)", kBoth}, invoke_fn<&outer>},
                              {{"ger(Tensor input, Tensor vec2, *, Tensor? out=None)", kBoth}, invoke_fn<&outer>},
                              {{"inner(Tensor input, Tensor other, *, Tensor? out=None)", kBoth}, invoke_fn<&inner>},
                              {{"kron(Tensor input, Tensor other, *, Tensor? out=None)", kBoth}, invoke_fn<&kron>},
                              {{"cross(Tensor input, Tensor other, int? dim=None, *, Tensor? out=None)", kBoth},
                               invoke_fn<&cross>},
                          });
}

}  // namespace tg
