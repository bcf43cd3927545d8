// Layer ops of tapegrad.nn.functional: linear (addmm), layer norm, embedding, padding,
// dropout masks, one_hot.
#include "kernels/pointwise.h"
#include "ops/mm_grad.h"
#include "ops/nn_common.h"

namespace tg {

using namespace nn_detail;

namespace {  // op structs: see nn_common.h

// ---------------------------------------------------------------------------------------------
// linear: bias + mat1 @ mat2 (PyTorch's addmm, whose node F.linear shows for 2-D input).

struct Addmm {
  static constexpr const char* name = "linear";
  static constexpr const char* node = "AddmmBackward0";
  struct Saved {
    SavedTensor mat1, mat2;
    Shape bias_sizes;
    bool mat1_transposed = false, mat2_transposed = false;  // see mm_grad.h
    auto tensors() { return std::tie(mat1, mat2); }
  };
  static Tensor forward(const Tensor& bias, const Tensor& mat1, const Tensor& mat2) {
    Tensor prod = mm(mat1, mat2);
    // PyTorch's error when bias does not fit; when it fits prod's shape, prod is ours: add in place.
    if (bias.dtype() == prod.dtype() && broadcast_shapes(bias.sizes(), prod.sizes()) == prod.sizes()) {
      kernels::binary_into(kernels::BinaryOp::Add, prod, prod, bias);
      return prod;
    }
    return add(prod, bias);
  }
  static void save(Saved& s, const Tensor& bias, const Tensor& mat1, const Tensor& mat2, const Tensor&) {
    if (mat2.requires_grad()) s.mat1 = mat1;
    if (mat1.requires_grad()) s.mat2 = mat2;
    s.bias_sizes = bias.sizes();
    s.mat1_transposed = is_transposed_contiguous(mat1);
    s.mat2_transposed = is_transposed_contiguous(mat2);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    return {needs[0] ? sum_to(grad, s.bias_sizes) : Tensor(),
            needs[1] ? mm_grad_a(grad, s.mat2.unpack(), s.mat1_transposed) : Tensor(),
            needs[2] ? mm_grad_b(grad, s.mat1.unpack(), s.mat2_transposed) : Tensor()};
  }
};

// ---------------------------------------------------------------------------------------------
// layer_norm over the trailing `norm_dims` dims, with optional elementwise weight and bias.

struct NativeLayerNorm {
  static constexpr const char* name = "layer_norm";
  static constexpr const char* node = "NativeLayerNormBackward0";
  struct Saved {
    SavedTensor self, weight;
    int64_t norm_dims = 1;
    double eps = 1e-5;
    auto tensors() { return std::tie(self, weight); }
  };
  static Tensor forward(const Tensor& x, const Tensor& w, const Tensor& b, int64_t norm_dims, double eps) {
    int64_t M = 1;
    for (int64_t d = x.dim() - norm_dims; d < x.dim(); ++d) M *= x.size(d);
    Tensor y = knn::layer_norm(x, M, eps);
    if (w.defined()) y = y * w;
    if (b.defined()) y = y + b;
    return y;
  }
  static void save(Saved& s, const Tensor& x, const Tensor& w, const Tensor&, int64_t norm_dims, double eps,
                   const Tensor&) {
    s.self = x, s.norm_dims = norm_dims, s.eps = eps;
    if (w.defined()) s.weight = w;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor x = s.self.unpack();
    DimList nd, batch;
    for (int64_t d = 0; d < x.dim(); ++d) (d >= x.dim() - s.norm_dims ? nd : batch).push_back(d);
    // Recomputed with tapegrad ops (not the kernel) so the formula differentiates again.
    Tensor xc = x - mean(x, nd, true);
    Tensor rstd = reciprocal(sqrt(mean(xc * xc, nd, true) + s.eps));
    Tensor xhat = xc * rstd;
    Tensor gw, gb, gx;
    auto over_batch = [&](const Tensor& t) { return batch.empty() ? t : sum(t, batch, false); };
    if (needs[1]) gw = over_batch(grad * xhat);
    if (needs[2]) gb = over_batch(grad);
    if (needs[0]) {
      Tensor gh = s.weight.defined() ? grad * s.weight.unpack() : grad;
      gx = rstd * (gh - mean(gh, nd, true) - xhat * mean(gh * xhat, nd, true));
    }
    return {gx, gw, gb};
  }
};

// ---------------------------------------------------------------------------------------------
// embedding: rows of `weight` picked by int64 indices.

Tensor embed(const Tensor& weight, const Tensor& indices, int64_t padding_idx);

// Its gradient as an op of its own, so double backward can go through it (it is linear in grad).
struct EmbeddingDenseBackward {
  static constexpr const char* name = "embedding_dense_backward";
  static constexpr const char* node = "EmbeddingDenseBackwardBackward0";
  struct Saved {
    Tensor indices;
    int64_t padding_idx = -1;
  };
  static Tensor forward(const Tensor& grad, const NonDiff& idx, int64_t num_weights, int64_t padding_idx) {
    return knn::embedding_backward(grad, idx.t, num_weights, padding_idx);
  }
  static void save(Saved& s, const Tensor&, const NonDiff& idx, int64_t, int64_t padding_idx, const Tensor&) {
    s.indices = idx.t, s.padding_idx = padding_idx;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor picked = embed(grad, s.indices, -1);
    if (s.padding_idx < 0) return {picked};
    Tensor keep = ne(s.indices, scalar_tensor((double)s.padding_idx, DType::Int64));
    return {picked * unsqueeze(to_dtype(keep, picked.dtype()), -1)};
  }
};

struct Embedding {
  static constexpr const char* name = "embedding";
  static constexpr const char* node = "EmbeddingBackward0";
  struct Saved {
    Tensor indices;
    int64_t num_weights = 0, padding_idx = -1;
  };
  static Tensor forward(const Tensor& weight, const NonDiff& idx, int64_t) {
    TG_CHECK(idx.t.dtype() == DType::Int64, Runtime,
             "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ",
             "torch.", dtype_legacy_name(idx.t.dtype()), "Tensor instead (while checking arguments for embedding)");
    TG_CHECK(weight.dim() == 2, Runtime, "'weight' must be 2-D");
    return knn::embedding(weight, idx.t);
  }
  static void save(Saved& s, const Tensor& weight, const NonDiff& idx, int64_t padding_idx, const Tensor&) {
    s.indices = idx.t, s.num_weights = weight.size(0), s.padding_idx = padding_idx;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    return {apply_op<EmbeddingDenseBackward>(grad, NonDiff{s.indices}, s.num_weights, s.padding_idx)};
  }
};

Tensor embed(const Tensor& weight, const Tensor& indices, int64_t padding_idx) {
  return apply_op<Embedding>(weight, NonDiff{indices}, padding_idx);
}

// ---------------------------------------------------------------------------------------------
// Constant padding: pads = (last_lo, last_hi, prev_lo, prev_hi, ...); negative pads crop.

struct ConstantPadNd {
  static constexpr const char* name = "pad";
  static constexpr const char* node = "ConstantPadNdBackward0";
  using Pads = std::vector<int64_t>;
  struct Saved {
    Pads pads;
  };
  static Tensor forward(const Tensor& a, const Pads& pads, Scalar value) {
    TG_CHECK(pads.size() % 2 == 0, Runtime, "Padding length must be divisible by 2");
    TG_CHECK((int64_t)pads.size() / 2 <= a.dim(), Runtime, "Length of pad should be no more than twice the number of dimensions of the input. Pad length is ",
             pads.size(), " while the input has ", a.dim(), " dimensions.");
    // PyTorch first cuts negative pads off the input with narrow(): a cut longer than the dim
    // is its error (so the output-size check below only guards overflow).
    auto cut_fits = [&](size_t i) {
      const int64_t d = a.dim() - 1 - (int64_t)i, lo = pads[2 * i], hi = pads[2 * i + 1];
      int64_t n = a.size(d);
      if (lo < 0 && (__builtin_add_overflow(n, lo, &n) || n < 0)) return false;
      return !(hi < 0 && (__builtin_add_overflow(n, hi, &n) || n < 0));
    };
    for (size_t i = 0; i < pads.size() / 2; ++i)
      TG_CHECK(cut_fits(i), Runtime, "narrow(): length must be non-negative.");
    Shape out_sizes = a.sizes(), src_off(a.dim(), 0), dst_off(a.dim(), 0), region = a.sizes();
    for (size_t i = 0; i < pads.size() / 2; ++i) {
      const int64_t d = a.dim() - 1 - (int64_t)i, lo = pads[2 * i], hi = pads[2 * i + 1];
      const bool overflow = __builtin_add_overflow(a.size(d), lo, &out_sizes[d]) ||
                            __builtin_add_overflow(out_sizes[d], hi, &out_sizes[d]);
      TG_CHECK(!overflow && out_sizes[d] >= 0, Runtime, "The input size ", a.size(d), ", plus negative padding ", lo, " and ", hi,
               " resulted in a negative output size, which is invalid. Check dimension ", d, " of your input.");
      src_off[d] = lo < 0 ? -lo : 0;
      dst_off[d] = lo > 0 ? lo : 0;
      region[d] = std::max<int64_t>(0, std::min(a.size(d) - src_off[d], out_sizes[d] - dst_off[d]));
    }
    Tensor out = kernels::full(out_sizes, value, a.dtype());
    auto window = [&](const Tensor& t, const Shape& off) {
      int64_t o = t.offset();
      for (int64_t d = 0; d < t.dim(); ++d) o += off[d] * t.strides()[d];
      return Tensor::view_of(t, region, t.strides(), o);
    };
    if (numel_of(region) > 0) kernels::copy_into(window(out, dst_off), window(a, src_off));
    return out;
  }
  static void save(Saved& s, const Tensor&, const Pads& pads, Scalar, const Tensor&) { s.pads = pads; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Pads neg_pads;
    for (int64_t p : s.pads) neg_pads.push_back(-p);
    return {apply_op<ConstantPadNd>(grad, neg_pads, 0.0)};
  }
};

// ---------------------------------------------------------------------------------------------
// reflect / replicate / circular padding: each output element reads one input element through a
// per-dim index map, so forward is a gather and backward its adjoint scatter-add.

enum class PadMode { Reflect, Replicate, Circular };

knn::IndexMaps pad_maps(const Tensor& a, const std::vector<int64_t>& pads, PadMode mode) {
  knn::IndexMaps maps(a.dim());
  const char* names[] = {"W", "H", "D"};
  Shape out_sizes = a.sizes();
  bool big = false;
  for (size_t i = 0; i < pads.size() / 2; ++i) {
    const int64_t d = a.dim() - 1 - (int64_t)i, n = a.size(d), lo = pads[2 * i], hi = pads[2 * i + 1];
    if (mode == PadMode::Reflect)
      TG_CHECK(std::max(lo, hi) < n, Runtime, "Argument #4: Padding size should be less than the corresponding input "
               "dimension, but got: padding (", lo, ", ", hi, ") at dimension ", d, " of input ", shape_str(a.sizes()));
    if (mode == PadMode::Circular)
      TG_CHECK(std::max(lo, hi) <= n, Runtime, "Padding value causes wrapping around more than once.");
    int64_t out = 0;
    const bool overflow = __builtin_add_overflow(n, lo, &out) || __builtin_add_overflow(out, hi, &out);
    TG_CHECK(!overflow, Runtime, "Storage size calculation overflowed with sizes=[", n, " + ", lo, " + ", hi, "]");
    TG_CHECK(n > 0 && out > 0, Runtime, "input (", names[i], ": ", n, ") is too small. Calculated output ", names[i],
             ": ", out);
    out_sizes[d] = out;
    big |= out > (1 << 20);
  }
  // Huge pads: fail on the output's allocation (PyTorch's error) before building huge maps.
  if (big) Tensor::empty(out_sizes, a.dtype());
  for (size_t i = 0; i < pads.size() / 2; ++i) {
    const int64_t d = a.dim() - 1 - (int64_t)i, n = a.size(d), lo = pads[2 * i], hi = pads[2 * i + 1];
    for (int64_t o = 0; o < n + lo + hi; ++o) {
      int64_t src = o - lo;
      if (mode == PadMode::Reflect) src = src < 0 ? -src : src >= n ? 2 * (n - 1) - src : src;
      if (mode == PadMode::Replicate) src = std::clamp<int64_t>(src, 0, n - 1);
      if (mode == PadMode::Circular) src = ((src % n) + n) % n;
      maps[d].push_back(src);
    }
  }
  return maps;
}

template <PadMode Mode>
Tensor index_pad(const Tensor& a, const std::vector<int64_t>& pads);

// The adjoint, as an op of its own so double backward can go through it.
template <PadMode Mode>
struct IndexPadBackward {
  static constexpr const char* name = "index_pad_backward";
  static constexpr const char* node = Mode == PadMode::Reflect     ? "ReflectionPadBackwardBackward0"
                                      : Mode == PadMode::Replicate ? "ReplicationPadBackwardBackward0"
                                                                   : "CircularPadBackwardBackward0";
  struct Saved {
    std::vector<int64_t> pads;
  };
  static Tensor forward(const Tensor& grad, const std::vector<int64_t>& pads, const Shape& in_sizes) {
    Tensor probe = Tensor::view_of(grad, in_sizes, contiguous_strides(in_sizes), grad.offset());  // sizes only
    return knn::scatter_index_map(grad, pad_maps(probe, pads, Mode), in_sizes);
  }
  static void save(Saved& s, const Tensor&, const std::vector<int64_t>& pads, const Shape&, const Tensor&) {
    s.pads = pads;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {index_pad<Mode>(grad, s.pads)}; }
};

// PyTorch names the node by mode and by how many trailing dims are padded (1, 2 or 3).
template <PadMode Mode, int Dims>
struct IndexPad {
  static constexpr const char* kNames[3][3] = {
      {"ReflectionPad1DBackward0", "ReflectionPad2DBackward0", "ReflectionPad3DBackward0"},
      {"ReplicationPad1DBackward0", "ReplicationPad2DBackward0", "ReplicationPad3DBackward0"},
      {"torch::autograd::CopySlices", "torch::autograd::CopySlices", "torch::autograd::CopySlices"}};
  static constexpr const char* kOps[3][3] = {{"reflection_pad1d", "reflection_pad2d", "reflection_pad3d"},
                                              {"replication_pad1d", "replication_pad2d", "replication_pad3d"},
                                              {"circular_pad", "circular_pad", "circular_pad"}};
  static constexpr const char* name = kOps[(int)Mode][Dims - 1];
  static constexpr const char* node = kNames[(int)Mode][Dims - 1];
  struct Saved {
    std::vector<int64_t> pads;
    Shape sizes;
  };
  static Tensor forward(const Tensor& a, const std::vector<int64_t>& pads) {
    return knn::gather_index_map(a, pad_maps(a, pads, Mode));
  }
  static void save(Saved& s, const Tensor& a, const std::vector<int64_t>& pads, const Tensor&) {
    s.pads = pads, s.sizes = a.sizes();
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    return {apply_op<IndexPadBackward<Mode>>(grad, s.pads, s.sizes)};
  }
};

template <PadMode Mode>
Tensor index_pad(const Tensor& a, const std::vector<int64_t>& pads) {
  switch (pads.size()) {
    case 2: return apply_op<IndexPad<Mode, 1>>(a, pads);
    case 4: return apply_op<IndexPad<Mode, 2>>(a, pads);
    case 6: return apply_op<IndexPad<Mode, 3>>(a, pads);
  }
  TG_ERROR(Runtime, "Padding length must be divisible by 2");
}

}  // namespace

Tensor nn_addmm(const Tensor& bias, const Tensor& m1, const Tensor& m2) { return apply_op<Addmm>(bias, m1, m2); }

// F.linear: input @ weight.T + bias, with PyTorch's checks in PyTorch's order. Here rather than
// in Python because every layer of every model calls it: the checks cost nothing in C++ and
// several microseconds as Python attribute lookups.
Tensor nn_linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  TG_CHECK(input.dim() > 0 && weight.dim() > 0, Runtime, "both arguments to linear need to be at least 1D, but they are ",
           input.dim(), "D and ", weight.dim(), "D");
  if (bias.defined()) {  // addmm's checks: self (the bias) against mat2, then mat1 against mat2
    TG_CHECK(bias.dtype() == weight.dtype(), Runtime, "self and mat2 must have the same dtype, but got ",
             dtype_legacy_name(bias.dtype()), " and ", dtype_legacy_name(weight.dtype()));
    TG_CHECK(input.dtype() == weight.dtype(), Runtime, "mat1 and mat2 must have the same dtype, but got ",
             dtype_legacy_name(input.dtype()), " and ", dtype_legacy_name(weight.dtype()));
    if (input.dim() >= 2 && weight.dim() == 2) {
      int64_t rows = 1;
      for (int64_t d = 0; d + 1 < input.dim(); ++d) rows *= input.size(d);
      // The bias must broadcast to (rows, out_features); expand raises PyTorch's error if not.
      bool fits = bias.dim() <= 2;
      for (int64_t i = 0; fits && i < bias.dim(); ++i) {
        const int64_t b = bias.size(bias.dim() - 1 - i), want = i == 0 ? weight.size(0) : rows;
        fits = b == 1 || b == want;
      }
      if (!fits) expand(bias.detach(), {rows, weight.size(0)});
    }
  }
  const Tensor wt = t(weight);
  if (!bias.defined()) return matmul(input, wt);
  if (input.dim() == 2) return nn_addmm(bias, input, wt);
  // Any other rank goes through 2-D, as PyTorch does: the top node is then ViewBackward0.
  Shape out_sizes(input.sizes().begin(), input.sizes().end() - 1);
  out_sizes.push_back(weight.size(0));
  const Tensor flat = input.dim() != 1 ? reshape(input, {-1, input.size(-1)}) : view(input, {1, -1});
  return view(nn_addmm(bias, flat, wt), out_sizes);
}
Tensor nn_layer_norm(const Tensor& x, int64_t norm_dims, const Tensor& w, const Tensor& b, double eps) {
  return apply_op<NativeLayerNorm>(x, w, b, norm_dims, eps);
}
Tensor nn_embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx) {
  return embed(weight, indices, padding_idx);
}
Tensor nn_constant_pad(const Tensor& a, const std::vector<int64_t>& pads, Scalar value) {
  return apply_op<ConstantPadNd>(a, pads, value);
}
// mode: 0 reflect, 1 replicate, 2 circular (Python checks the rank/length combinations).
Tensor nn_index_pad(const Tensor& a, const std::vector<int64_t>& pads, int64_t mode) {
  switch (mode) {
    case 0: return index_pad<PadMode::Reflect>(a, pads);
    case 1: return index_pad<PadMode::Replicate>(a, pads);
    default: return index_pad<PadMode::Circular>(a, pads);
  }
}
Tensor nn_dropout_mask(const Tensor& a, double p) { return knn::dropout_mask(a.sizes(), a.dtype(), p); }

// Index tensor -> int64 one-hot rows (no gradient: the result is an integer tensor).
Tensor nn_one_hot(const Tensor& t, int64_t num_classes) {
  TG_CHECK(t.dtype() == DType::Int64, Runtime, "one_hot is only applicable to index tensor of type LongTensor.");
  Tensor idx = t.is_contiguous() ? t : kernels::contiguous_copy(t);
  const int64_t* ix = idx.data<int64_t>();
  const int64_t n = idx.numel();
  int64_t lo = 0, hi = -1;
  for (int64_t i = 0; i < n; ++i) lo = i ? std::min(lo, ix[i]) : ix[i], hi = std::max(hi, ix[i]);
  if (num_classes == -1) {
    TG_CHECK(n > 0, Runtime, "Can not infer total number of classes from empty tensor.");
    num_classes = hi + 1;
  }
  TG_CHECK(lo >= 0, Runtime, "Class values must be non-negative.");
  TG_CHECK(hi < num_classes, Runtime, "Class values must be smaller than num_classes.");
  Shape sizes = t.sizes();
  sizes.push_back(num_classes);
  Tensor out = kernels::full(sizes, 0.0, DType::Int64);
  for (int64_t i = 0; i < n; ++i) out.data<int64_t>()[i * num_classes + ix[i]] = 1;
  return out;
}

void register_nn_layer_ops(std::vector<OpInfo>& ops) {
  register_ops<Addmm, NativeLayerNorm, Embedding, ConstantPadNd, IndexPad<PadMode::Reflect, 1>, IndexPad<PadMode::Reflect, 2>,
               IndexPad<PadMode::Reflect, 3>, IndexPad<PadMode::Replicate, 1>, IndexPad<PadMode::Replicate, 2>,
               IndexPad<PadMode::Replicate, 3>, IndexPad<PadMode::Circular, 1>>(ops);
}

}  // namespace tg
