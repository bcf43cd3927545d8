// Triangles and diagonals of matrices: tril, triu, diagonal (a strided view), diag,
// diag_embed, diagflat, trace. The diagonal of a tensor is one geometry (sizes, strides, offset) used
// three ways: as a view (diagonal), as the place a gradient is written (diagonal's backward,
// diag_embed's forward) and as what a sum reads (trace).
#include <cstdint>

#include "kernels/copy.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

namespace {

struct DiagGeometry {
  Shape sizes, strides;
  int64_t offset = 0;  // added to the tensor's own
};

// The diagonal `offset` of the (dim1, dim2) planes of a tensor with these sizes and strides:
// the other dims in order, then the diagonal as the last dim (PyTorch's layout).
DiagGeometry diagonal_geometry(const Shape& sizes, const Shape& strides, int64_t offset, int64_t dim1,
                               int64_t dim2) {
  const int64_t n = (int64_t)sizes.size();
  const int64_t d1 = wrap_dim(dim1, n), d2 = wrap_dim(dim2, n);
  TG_CHECK(d1 != d2, Runtime, "diagonal dimensions cannot be identical ", dim1, ", ", dim2);
  DiagGeometry g;
  // Clamped in wide arithmetic: a huge offset gives an empty diagonal, never an overflow.
  const __int128 len = offset >= 0 ? std::min<__int128>(sizes[d1], (__int128)sizes[d2] - offset)
                                   : std::min<__int128>((__int128)sizes[d1] + offset, sizes[d2]);
  const int64_t length = len > 0 ? (int64_t)len : 0;
  if (length > 0) g.offset = offset >= 0 ? offset * strides[d2] : -offset * strides[d1];
  for (int64_t d = 0; d < n; ++d) {
    if (d == d1 || d == d2) continue;
    g.sizes.push_back(sizes[d]);
    g.strides.push_back(strides[d]);
  }
  g.sizes.push_back(length);
  g.strides.push_back(strides[d1] + strides[d2]);
  return g;
}

Tensor diagonal_view(const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2) {
  DiagGeometry g = diagonal_geometry(a.sizes(), a.strides(), offset, dim1, dim2);
  return Tensor::view_of(a, g.sizes, g.strides, a.offset() + g.offset);
}

// Zeros of `sizes` with `values` written on the diagonal: diagonal's backward, diag_embed's
// forward. Its own backward reads the diagonal back, so it differentiates again.
struct DiagonalScatter {
  static constexpr const char* name = "diagonal_backward";
  static constexpr const char* node = "DiagonalBackwardBackward0";
  struct Saved {
    int64_t offset = 0, dim1 = 0, dim2 = 0;
  };
  static Tensor forward(const Tensor& values, const Shape& sizes, int64_t offset, int64_t dim1, int64_t dim2) {
    Tensor out = kernels::full(sizes, 0, values.dtype());
    kernels::copy_into(diagonal_view(out, offset, dim1, dim2), values);
    return out;
  }
  static void save(Saved& s, const Tensor&, const Shape&, int64_t offset, int64_t dim1, int64_t dim2, const Tensor&) {
    s.offset = offset, s.dim1 = dim1, s.dim2 = dim2;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs);
};

Tensor diagonal_scatter(const Tensor& values, const Shape& sizes, int64_t offset, int64_t dim1, int64_t dim2) {
  return apply_op<DiagonalScatter>(values, sizes, offset, dim1, dim2);
}

// tril and triu: zero the elements above (tril) or below (triu) diagonal `k` of every matrix.
template <bool Lower>
Tensor triangle(const Tensor& a, int64_t k, const char* fname) {
  TG_CHECK(a.dim() >= 2, Runtime, fname, ": input tensor must have at least 2 dimensions");
  Tensor out = kernels::contiguous_copy(a);
  const int64_t rows = a.size(-2), cols = a.size(-1);
  const int64_t matrices = rows * cols ? out.numel() / (rows * cols) : 0;
  visit_dtype(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = out.data<T>();
    for (int64_t m = 0; m < matrices; ++m)
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) {
          const __int128 d = (__int128)j - i;  // no overflow for k near int64's ends
          if (Lower ? d > k : d < k) p[(m * rows + i) * cols + j] = T{};
        }
  });
  return out;
}

}  // namespace

template <bool Lower>
struct Triangle {
  static constexpr const char* name = Lower ? "tril" : "triu";
  static constexpr const char* node = Lower ? "TrilBackward0" : "TriuBackward0";
  static constexpr Schema schema{Lower ? "tril(Tensor input, int diagonal=0, *, Tensor? out=None)"
                                       : "triu(Tensor input, int diagonal=0, *, Tensor? out=None)",
                                 kFunction | kMethod | kInPlace};
  struct Saved {
    int64_t k = 0;
  };
  static Tensor forward(const Tensor& a, int64_t k) { return triangle<Lower>(a, k, name); }
  static void save(Saved& s, const Tensor&, int64_t k, const Tensor&) { s.k = k; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {apply_op<Triangle>(grad, s.k)}; }
};
using Tril = Triangle<true>;
using Triu = Triangle<false>;

// diagonal and diag's copy of it: the gradient goes back onto the input's diagonal.
struct DiagonalGrad {
  struct Saved {
    Shape sizes;
    int64_t offset = 0, dim1 = 0, dim2 = 0;
  };
  static void save(Saved& s, const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2, const Tensor&) {
    s.sizes = a.sizes(), s.offset = offset, s.dim1 = dim1, s.dim2 = dim2;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    return {diagonal_scatter(grad, s.sizes, s.offset, s.dim1, s.dim2)};
  }
};

// diagonal is a view of its input (it shares storage, and writes through it reach the input).
struct Diagonal : DiagonalGrad {
  static constexpr const char* name = "diagonal";
  static constexpr const char* node = "DiagonalBackward0";
  static constexpr Schema schema{"diagonal(Tensor input, int offset=0, int dim1=0, int dim2=1)", kFunction | kMethod};
  static Tensor forward(const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2) {
    return diagonal_view(a, offset, dim1, dim2);
  }
};

TensorList DiagonalScatter::backward(Saved& s, const Tensor& grad, Needs) {
  return {apply_op<Diagonal>(grad, s.offset, s.dim1, s.dim2)};
}

// diag of a matrix: a copy of its diagonal (PyTorch records diagonal_copy's node).
struct DiagonalCopy : DiagonalGrad {
  static constexpr const char* name = "diagonal_copy";
  static constexpr const char* node = "DiagonalBackward0_copy";
  static Tensor forward(const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2) {
    return kernels::contiguous_copy(diagonal_view(a, offset, dim1, dim2));
  }
};

// diag_embed: the last dim of the input becomes the diagonal of new (dim1, dim2) planes.
struct DiagEmbed {
  static constexpr const char* name = "diag_embed";
  static constexpr const char* node = "DiagEmbedBackward0";
  static constexpr Schema schema{"diag_embed(Tensor input, int offset=0, int dim1=-2, int dim2=-1)",
                                 kFunction | kMethod};
  struct Saved {
    int64_t offset = 0, dim1 = 0, dim2 = 0;
  };
  static Tensor forward(const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2) {
    const int64_t n = a.dim() + 1;
    const int64_t d1 = wrap_dim(dim1, n), d2 = wrap_dim(dim2, n);
    TG_CHECK(d1 != d2, Runtime, "diagonal dimensions cannot be identical ", dim1, ", ", dim2);
    const __int128 wide = (__int128)a.size(-1) + (offset < 0 ? -(__int128)offset : (__int128)offset);
    TG_CHECK(wide <= INT64_MAX, Runtime, "diag_embed: offset ", offset, " makes a dimension of more than 2**63 elements");
    const int64_t side = (int64_t)wide;
    Shape sizes;
    for (int64_t d = 0, k = 0; d < n; ++d)  // the input's leading dims, with the two new ones inserted
      sizes.push_back(d == d1 || d == d2 ? side : a.sizes()[k++]);
    return DiagonalScatter::forward(a, sizes, offset, d1, d2);
  }
  static void save(Saved& s, const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2, const Tensor&) {
    s.offset = offset, s.dim1 = wrap_dim(dim1, a.dim() + 1), s.dim2 = wrap_dim(dim2, a.dim() + 1);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    return {apply_op<Diagonal>(grad, s.offset, s.dim1, s.dim2)};
  }
};

Tensor diagonal(const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2) {
  return apply_op<Diagonal>(a, offset, dim1, dim2);
}

Tensor diag(const Tensor& a, int64_t diagonal) {
  TG_CHECK(a.dim() == 1 || a.dim() == 2, Runtime, "diag(): Supports 1D or 2D tensors. Got ", a.dim(), "D");
  if (a.dim() == 1) return apply_op<DiagEmbed>(a, diagonal, 0, 1);
  return apply_op<DiagonalCopy>(a, diagonal, 0, 1);
}

// diagflat: the flattened input on diagonal `offset` of a matrix (diag_embed of the flat input).
Tensor diagflat(const Tensor& a, int64_t offset) { return apply_op<DiagEmbed>(reshape(a, {-1}), offset, 0, 1); }

// trace: the sum of a matrix's diagonal; integers sum in int64, as PyTorch's do.
struct Trace {
  static constexpr const char* name = "trace";
  static constexpr const char* node = "TraceBackward0";
  static constexpr Schema schema{"trace(Tensor input)", kFunction | kMethod};
  struct Saved {
    Shape sizes;
  };
  static Tensor forward(const Tensor& a) {
    TG_CHECK(a.dtype() != DType::Bool, NotImplemented, "\"trace\" not implemented for 'Bool'");
    TG_CHECK(a.dim() == 2, Runtime, "trace: expected a matrix, but got tensor with dim ", a.dim());
    return sum(diagonal_view(a, 0, 0, 1));
  }
  static void save(Saved& s, const Tensor& a, const Tensor&) { s.sizes = a.sizes(); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    const int64_t n = std::min(s.sizes[0], s.sizes[1]);
    return {diagonal_scatter(expand(grad, {n}), s.sizes, 0, 0, 1)};
  }
};

void register_triangular_ops(std::vector<OpInfo>& ops) {
  register_ops<Tril, Triu, Diagonal, DiagonalCopy, DiagEmbed, Trace>(ops);
  register_functions(ops, {{{"diag(Tensor input, int diagonal=0, *, Tensor? out=None)", kFunction | kMethod},
                            invoke_fn<&diag>},
                           {{"diagflat(Tensor input, int offset=0)", kFunction | kMethod}, invoke_fn<&diagflat>}});
}

}  // namespace tg
