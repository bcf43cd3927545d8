// Neural-network ops (tapegrad.nn.functional): activations, softmax, losses, layer norm,
// embedding, padding. Forwards run fused kernels (kernels/nn_kernels.cpp) or tapegrad ops under
// no_grad; every backward is written with tapegrad ops so that it differentiates again.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "kernels/copy.h"
#include "kernels/nn_kernels.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

namespace knn = kernels::nn;
using knn::Act;

// Everything up to the bound functions is private to this file (anonymous namespace), so op
// structs named like another family's (Addmm, Erf) can never clash across translation units.
namespace {

// A tensor argument that never gets a gradient edge (targets, class weights, indices): apply_op
// only makes edges for Tensor arguments, so wrapping keeps the node's inputs as PyTorch's.
struct NonDiff {
  Tensor t;
};

enum Reduction : int64_t { kNone = 0, kMean = 1, kSum = 2 };

Tensor like(const Tensor& x, double v) { return ones_like(x) * v; }  // keeps x's dtype
Tensor positive(const Tensor& x) { return gt(x, scalar_tensor(0.0)); }
Tensor reduce(const Tensor& t, int64_t reduction) {
  return reduction == kMean ? mean(t) : reduction == kSum ? sum(t) : t;
}

// ---------------------------------------------------------------------------------------------
// Private helpers reached only by double backward (not in the registry: no user calls them).

struct Erf {
  static constexpr const char* name = "erf";
  static constexpr const char* node = "ErfBackward0";
  struct Saved {
    SavedTensor self;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a) { return knn::activation(Act::Erf, a); }
  static void save(Saved& s, const Tensor& a, const Tensor&) { s.self = a; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor x = s.self.unpack();
    return {grad * (exp(-(x * x)) * (2.0 / std::sqrt(std::numbers::pi)))};
  }
};
Tensor erf_op(const Tensor& a) { return apply_op<Erf>(a); }

// ---------------------------------------------------------------------------------------------
// Activations.

struct LeakyRelu {
  static constexpr const char* name = "leaky_relu";
  static constexpr const char* node = "LeakyReluBackward0";
  struct Saved {
    SavedTensor self;
    double slope = 0;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a, double slope) { return knn::activation(Act::LeakyRelu, a, slope); }
  static void save(Saved& s, const Tensor& a, double slope, const Tensor&) { s.self = a, s.slope = slope; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor x = s.self.unpack();
    return {grad * where(positive(x), ones_like(x), like(x, s.slope))};
  }
};

struct Gelu {
  static constexpr const char* name = "gelu";
  static constexpr const char* node = "GeluBackward0";
  struct Saved {
    SavedTensor self;
    bool tanh_approx = false;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a, bool tanh_approx) {
    return knn::activation(tanh_approx ? Act::GeluTanh : Act::Gelu, a);
  }
  static void save(Saved& s, const Tensor& a, bool t, const Tensor&) { s.self = a, s.tanh_approx = t; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor x = s.self.unpack();
    if (s.tanh_approx) {
      const double k = std::sqrt(2.0 / std::numbers::pi), c = 0.044715;
      Tensor th = tanh((x + x * x * x * c) * k);
      Tensor inner = (x * x * (3.0 * c) + 1.0) * k;
      return {grad * ((th + 1.0) * 0.5 + x * 0.5 * (1.0 - th * th) * inner)};
    }
    // d/dx x*Phi(x) = Phi(x) + x*phi(x)
    Tensor cdf = (erf_op(x * std::numbers::sqrt2 / 2.0) + 1.0) * 0.5;
    Tensor pdf = exp(x * x * -0.5) * (1.0 / std::sqrt(2.0 * std::numbers::pi));
    return {grad * (cdf + x * pdf)};
  }
};

struct Silu {
  static constexpr const char* name = "silu";
  static constexpr const char* node = "SiluBackward0";
  struct Saved {
    SavedTensor self;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a) { return knn::activation(Act::Silu, a); }
  static void save(Saved& s, const Tensor& a, const Tensor&) { s.self = a; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor x = s.self.unpack(), sg = sigmoid(x);
    return {grad * (sg * (x * (1.0 - sg) + 1.0))};
  }
};

struct Elu {
  static constexpr const char* name = "elu";
  static constexpr const char* node = "EluBackward0";
  struct Saved {
    SavedTensor self;
    double alpha = 1;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a, double alpha) { return knn::activation(Act::Elu, a, alpha); }
  static void save(Saved& s, const Tensor& a, double alpha, const Tensor&) { s.self = a, s.alpha = alpha; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor x = s.self.unpack();
    return {grad * where(positive(x), ones_like(x), exp(x) * s.alpha)};
  }
};

struct Softplus {
  static constexpr const char* name = "softplus";
  static constexpr const char* node = "SoftplusBackward0";
  struct Saved {
    SavedTensor self;
    double beta = 1, threshold = 20;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a, double beta, double threshold) {
    return knn::activation(Act::Softplus, a, beta, threshold);
  }
  static void save(Saved& s, const Tensor& a, double beta, double threshold, const Tensor&) {
    s.self = a, s.beta = beta, s.threshold = threshold;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor bx = s.self.unpack() * s.beta;
    return {grad * where(gt(bx, scalar_tensor(s.threshold)), ones_like(bx), sigmoid(bx))};
  }
};

// ---------------------------------------------------------------------------------------------
// softmax and log_softmax along one dim (max-subtracted in the kernel).

struct Softmax {
  static constexpr const char* name = "softmax";
  static constexpr const char* node = "SoftmaxBackward0";
  struct Saved {
    SavedTensor out;
    int64_t dim = 0;
    auto tensors() { return std::tie(out); }
  };
  static Tensor forward(const Tensor& a, int64_t dim) { return knn::softmax(a, wrap_dim(dim, a.dim()), false); }
  static void save(Saved& s, const Tensor& a, int64_t dim, const Tensor& out) {
    s.out = SavedTensor(out, true), s.dim = dim;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor y = s.out.unpack();
    return {y * (grad - sum(grad * y, {s.dim}, true))};
  }
};

struct LogSoftmax {
  static constexpr const char* name = "log_softmax";
  static constexpr const char* node = "LogSoftmaxBackward0";
  struct Saved {
    SavedTensor out;
    int64_t dim = 0;
    auto tensors() { return std::tie(out); }
  };
  static Tensor forward(const Tensor& a, int64_t dim) { return knn::softmax(a, wrap_dim(dim, a.dim()), true); }
  static void save(Saved& s, const Tensor& a, int64_t dim, const Tensor& out) {
    s.out = SavedTensor(out, true), s.dim = dim;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    return {grad - exp(s.out.unpack()) * sum(grad, {s.dim}, true)};
  }
};

// ---------------------------------------------------------------------------------------------
// linear: bias + mat1 @ mat2 (PyTorch's addmm, whose node F.linear shows for 2-D input).

struct Addmm {
  static constexpr const char* name = "linear";
  static constexpr const char* node = "AddmmBackward0";
  struct Saved {
    SavedTensor mat1, mat2;
    Shape bias_sizes;
    auto tensors() { return std::tie(mat1, mat2); }
  };
  static Tensor forward(const Tensor& bias, const Tensor& mat1, const Tensor& mat2) {
    Tensor prod = mm(mat1, mat2);
    broadcast_shapes(bias.sizes(), prod.sizes());  // PyTorch's error when bias does not fit
    return add(prod, bias);
  }
  static void save(Saved& s, const Tensor& bias, const Tensor& mat1, const Tensor& mat2, const Tensor&) {
    if (mat2.requires_grad()) s.mat1 = mat1;
    if (mat1.requires_grad()) s.mat2 = mat2;
    s.bias_sizes = bias.sizes();
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    return {needs[0] ? sum_to(grad, s.bias_sizes) : Tensor(), needs[1] ? mm(grad, t(s.mat2.unpack())) : Tensor(),
            needs[2] ? mm(t(s.mat1.unpack()), grad) : Tensor()};
  }
};

// ---------------------------------------------------------------------------------------------
// Losses. `reduction` is 0 none, 1 mean, 2 sum.

struct MseLoss {
  static constexpr const char* name = "mse_loss";
  static constexpr const char* node = "MseLossBackward0";
  struct Saved {
    SavedTensor self, target;
    int64_t reduction = kMean;
    auto tensors() { return std::tie(self, target); }
  };
  static Tensor forward(const Tensor& x, const Tensor& target, int64_t reduction) {
    Tensor d = x - target;
    return reduce(d * d, reduction);
  }
  static void save(Saved& s, const Tensor& x, const Tensor& target, int64_t reduction, const Tensor&) {
    s.self = x, s.target = target, s.reduction = reduction;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor x = s.self.unpack(), t = s.target.unpack();
    Tensor d = x - t;
    Tensor g = s.reduction == kMean ? grad * (2.0 / (double)d.numel()) : grad * 2.0;
    Tensor gi = g * d;
    return {needs[0] ? sum_to(gi, x.sizes()) : Tensor(), needs[1] ? sum_to(-gi, t.sizes()) : Tensor()};
  }
};

struct NllLoss {
  static constexpr const char* name = "nll_loss";
  static constexpr const char* node = "NllLossBackward0";
  struct Saved {
    Tensor target, weight;  // constants: no gradient, never modified by the op
    Shape sizes;
    int64_t ignore_index = -100, reduction = kMean;
  };
  static void check(const Tensor& x, const Tensor& target, const Tensor& weight) {
    TG_CHECK(x.dim() >= 1, Runtime, "input tensor should be 1D or more");
    const bool batched = x.dim() >= 2;
    TG_CHECK(target.dim() <= 1 || x.dim() > 2, Runtime, "0D or 1D target tensor expected, multi-target not supported");
    TG_CHECK(target.dim() == (batched ? x.dim() - 1 : 0), Runtime, "expected target of ", batched ? x.dim() - 1 : 0,
             " dims for input of ", x.dim(), " dims, got ", target.dim());
    TG_CHECK(target.dtype() == DType::Int64, Runtime, "expected target dtype to be Long or Byte, but got ",
             dtype_legacy_name(target.dtype()));
    if (batched) {
      TG_CHECK(x.size(0) == target.size(0), Value, "Expected input batch_size (", x.size(0),
               ") to match target batch_size (", target.size(0), ").");
      for (int64_t d = 2; d < x.dim(); ++d)
        TG_CHECK(x.size(d) == target.size(d - 1), Runtime, "size mismatch (got input: ", shape_str(x.sizes()),
                 ", target: ", shape_str(target.sizes()), ")");
    }
    const int64_t C = batched ? x.size(1) : x.size(0);
    TG_CHECK(!weight.defined() || (weight.dim() == 1 && weight.numel() == C), Runtime,
             "weight tensor should be defined either for all ", C, " classes or no classes but got weight tensor of shape: ",
             shape_str(weight.sizes()));
  }
  static Tensor forward(const Tensor& x, const NonDiff& target, const NonDiff& weight, int64_t ignore_index,
                        int64_t reduction) {
    check(x, target.t, weight.t);
    double total = 0;
    Tensor losses = knn::nll_pick(x, target.t, weight.t, ignore_index, &total);
    if (reduction == kNone) return losses;
    Tensor s = sum(losses);
    return reduction == kSum ? s : s / total;  // 0/0 = NaN when every target is ignored, as PyTorch
  }
  static void save(Saved& s, const Tensor& x, const NonDiff& target, const NonDiff& weight, int64_t ignore_index,
                   int64_t reduction, const Tensor&) {
    s.target = target.t, s.weight = weight.t, s.sizes = x.sizes();
    s.ignore_index = ignore_index, s.reduction = reduction;
  }
  // The loss is linear in the input: its gradient is a constant pattern scaled by grad.
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor coef = knn::nll_coef(s.sizes, grad.dtype(), s.target, s.weight, s.ignore_index, s.reduction == kMean);
    Tensor g = s.reduction == kNone && s.sizes.size() >= 2 ? unsqueeze(grad, 1) : grad;
    return {g * coef};
  }
};

// PyTorch's name for the same loss on image-shaped (N, C, H, W) input; nll_loss in Python
// views other ranks >= 3 to 4-D, as PyTorch does.
struct NllLoss2d : NllLoss {
  static constexpr const char* name = "nll_loss2d";
  static constexpr const char* node = "NllLoss2DBackward0";
};

// log(x) clamped at -100 as PyTorch's BCE does, so that x = 0 or 1 gives a finite loss.
Tensor clamped_log(const Tensor& x) {
  Tensor l = log(x);
  return where(lt(l, scalar_tensor(-100.0)), like(l, -100.0), l);
}

struct BinaryCrossEntropy {
  static constexpr const char* name = "binary_cross_entropy";
  static constexpr const char* node = "BinaryCrossEntropyBackward0";
  struct Saved {
    SavedTensor self, target;
    Tensor weight;
    int64_t reduction = kMean;
    auto tensors() { return std::tie(self, target); }
  };
  static Tensor forward(const Tensor& x, const Tensor& t, const NonDiff& w, int64_t reduction) {
    TG_CHECK(x.sizes() == t.sizes(), Value, "Using a target size (torch.Size(", shape_str(t.sizes()),
             ")) that is different to the input size (torch.Size(", shape_str(x.sizes()),
             ")) is deprecated. Please ensure they have the same size.");
    Tensor bad = sum(to_dtype(lt(x, scalar_tensor(0.0)), DType::Int64) + to_dtype(gt(x, scalar_tensor(1.0)), DType::Int64));
    TG_CHECK(bad.data<int64_t>()[0] == 0, Runtime, "all elements of input should be between 0 and 1");
    Tensor loss = -(t * clamped_log(x) + (1.0 - t) * clamped_log(1.0 - x));
    return reduce(w.t.defined() ? loss * w.t : loss, reduction);
  }
  static void save(Saved& s, const Tensor& x, const Tensor& t, const NonDiff& w, int64_t reduction, const Tensor&) {
    s.self = x, s.target = t, s.weight = w.t, s.reduction = reduction;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor x = s.self.unpack(), t = s.target.unpack();
    Tensor g = s.reduction == kMean ? grad / (double)x.numel() : grad;
    if (s.weight.defined()) g = g * s.weight;
    Tensor gx, gt_;
    if (needs[0]) {
      // (x - t) / (x (1 - x)), with the denominator kept away from 0 as PyTorch does (eps 1e-12)
      Tensor den = x * (1.0 - x);
      den = where(lt(den, scalar_tensor(1e-12)), like(den, 1e-12), den);
      gx = sum_to(g * (x - t) / den, x.sizes());
    }
    if (needs[1]) gt_ = sum_to(g * (clamped_log(1.0 - x) - clamped_log(x)), t.sizes());
    return {gx, gt_};
  }
};

struct BinaryCrossEntropyWithLogits {
  static constexpr const char* name = "binary_cross_entropy_with_logits";
  static constexpr const char* node = "BinaryCrossEntropyWithLogitsBackward0";
  struct Saved {
    SavedTensor self, target;
    Tensor weight, pos_weight;
    int64_t reduction = kMean;
    auto tensors() { return std::tie(self, target); }
  };
  // softplus(-x) = log(1 + e^-x), computed without overflow.
  static Tensor softplus_neg(const Tensor& x) { return knn::activation(Act::Softplus, neg(x), 1.0, INFINITY); }
  static Tensor forward(const Tensor& x, const Tensor& t, const NonDiff& w, const NonDiff& pw, int64_t reduction) {
    TG_CHECK(x.sizes() == t.sizes(), Value, "Target size (torch.Size(", shape_str(t.sizes()),
             ")) must be the same as input size (torch.Size(", shape_str(x.sizes()), "))");
    // loss = (1 - t) x + L softplus(-x), with L = 1 + (pos_weight - 1) t
    Tensor sp = softplus_neg(x);
    Tensor L = pw.t.defined() ? (pw.t - 1.0) * t + 1.0 : Tensor();
    Tensor loss = (1.0 - t) * x + (L.defined() ? L * sp : sp);
    return reduce(w.t.defined() ? loss * w.t : loss, reduction);
  }
  static void save(Saved& s, const Tensor& x, const Tensor& t, const NonDiff& w, const NonDiff& pw, int64_t reduction,
                   const Tensor&) {
    s.self = x, s.target = t, s.weight = w.t, s.pos_weight = pw.t, s.reduction = reduction;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor x = s.self.unpack(), t = s.target.unpack();
    Tensor g = s.reduction == kMean ? grad / (double)x.numel() : grad;
    if (s.weight.defined()) g = g * s.weight;
    Tensor gx, gt_;
    if (s.pos_weight.defined()) {
      Tensor pw = s.pos_weight;
      Tensor L = (pw - 1.0) * t + 1.0;
      if (needs[0]) gx = g * (L * sigmoid(x) - pw * t);
      if (needs[1]) gt_ = g * ((pw - 1.0) * apply_op<Softplus>(neg(x), 1.0, (double)INFINITY) - x);
    } else {
      if (needs[0]) gx = g * (sigmoid(x) - t);
      if (needs[1]) gt_ = g * -x;
    }
    return {gx.defined() ? sum_to(gx, x.sizes()) : gx, gt_.defined() ? sum_to(gt_, t.sizes()) : gt_};
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
             dtype_legacy_name(idx.t.dtype()), " instead (while checking arguments for embedding)");
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
  static Tensor forward(const Tensor& a, const Pads& pads, double value) {
    TG_CHECK(pads.size() % 2 == 0, Runtime, "Length of pad must be even but instead it equals ", pads.size());
    TG_CHECK((int64_t)pads.size() / 2 <= a.dim(), Runtime, "Length of pad should be no more than twice the number of dimensions of the input. Pad length is ",
             pads.size(), " while the input has ", a.dim(), " dimensions.");
    Shape out_sizes = a.sizes(), src_off(a.dim(), 0), dst_off(a.dim(), 0), region = a.sizes();
    for (size_t i = 0; i < pads.size() / 2; ++i) {
      const int64_t d = a.dim() - 1 - (int64_t)i, lo = pads[2 * i], hi = pads[2 * i + 1];
      out_sizes[d] = a.size(d) + lo + hi;
      TG_CHECK(out_sizes[d] >= 0, Runtime, "The input size ", a.size(d), ", plus negative padding ", lo, " and ", hi,
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
  static void save(Saved& s, const Tensor&, const Pads& pads, double, const Tensor&) { s.pads = pads; }
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
  for (size_t i = 0; i < pads.size() / 2; ++i) {
    const int64_t d = a.dim() - 1 - (int64_t)i, n = a.size(d), lo = pads[2 * i], hi = pads[2 * i + 1];
    if (mode == PadMode::Reflect)
      TG_CHECK(std::max(lo, hi) < n, Runtime, "Argument #4: Padding size should be less than the corresponding input "
               "dimension, but got: padding (", lo, ", ", hi, ") at dimension ", d, " of input ", shape_str(a.sizes()));
    if (mode == PadMode::Circular)
      TG_CHECK(std::max(lo, hi) <= n, Runtime, "Padding value causes wrapping around more than once.");
    TG_CHECK(n > 0 && n + lo + hi > 0, Runtime, "input (", names[i], ": ", n, ") is too small. Calculated output ",
             names[i], ": ", n + lo + hi);
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

// ---------------------------------------------------------------------------------------------
// The functions tapegrad._C._nn binds (declared in bindings/bind_nn.cpp).

Tensor nn_leaky_relu(const Tensor& a, double slope) { return apply_op<LeakyRelu>(a, slope); }
Tensor nn_gelu(const Tensor& a, bool tanh_approx) { return apply_op<Gelu>(a, tanh_approx); }
Tensor nn_silu(const Tensor& a) { return apply_op<Silu>(a); }
Tensor nn_elu(const Tensor& a, double alpha) { return apply_op<Elu>(a, alpha); }
Tensor nn_softplus(const Tensor& a, double beta, double threshold) { return apply_op<Softplus>(a, beta, threshold); }
Tensor nn_softmax(const Tensor& a, int64_t dim) { return apply_op<Softmax>(a, dim); }
Tensor nn_log_softmax(const Tensor& a, int64_t dim) { return apply_op<LogSoftmax>(a, dim); }
Tensor nn_addmm(const Tensor& bias, const Tensor& m1, const Tensor& m2) { return apply_op<Addmm>(bias, m1, m2); }
Tensor nn_mse_loss(const Tensor& x, const Tensor& t, int64_t reduction) { return apply_op<MseLoss>(x, t, reduction); }
Tensor nn_nll_loss(const Tensor& x, const Tensor& t, const Tensor& w, int64_t ignore_index, int64_t reduction) {
  return apply_op<NllLoss>(x, NonDiff{t}, NonDiff{w}, ignore_index, reduction);
}
Tensor nn_nll_loss2d(const Tensor& x, const Tensor& t, const Tensor& w, int64_t ignore_index, int64_t reduction) {
  return apply_op<NllLoss2d>(x, NonDiff{t}, NonDiff{w}, ignore_index, reduction);
}
Tensor nn_binary_cross_entropy(const Tensor& x, const Tensor& t, const Tensor& w, int64_t reduction) {
  return apply_op<BinaryCrossEntropy>(x, t, NonDiff{w}, reduction);
}
Tensor nn_bce_with_logits(const Tensor& x, const Tensor& t, const Tensor& w, const Tensor& pw, int64_t reduction) {
  return apply_op<BinaryCrossEntropyWithLogits>(x, t, NonDiff{w}, NonDiff{pw}, reduction);
}
Tensor nn_layer_norm(const Tensor& x, int64_t norm_dims, const Tensor& w, const Tensor& b, double eps) {
  return apply_op<NativeLayerNorm>(x, w, b, norm_dims, eps);
}
Tensor nn_embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx) {
  return embed(weight, indices, padding_idx);
}
Tensor nn_constant_pad(const Tensor& a, const std::vector<int64_t>& pads, double value) {
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

void register_nn_ops(std::vector<OpInfo>& ops) {
  register_ops<LeakyRelu, Gelu, Silu, Elu, Softplus, Softmax, LogSoftmax, Addmm, MseLoss, NllLoss, NllLoss2d, BinaryCrossEntropy,
               BinaryCrossEntropyWithLogits, NativeLayerNorm, Embedding, ConstantPadNd, IndexPad<PadMode::Reflect, 1>,
               IndexPad<PadMode::Reflect, 2>, IndexPad<PadMode::Reflect, 3>, IndexPad<PadMode::Replicate, 1>,
               IndexPad<PadMode::Replicate, 2>, IndexPad<PadMode::Replicate, 3>, IndexPad<PadMode::Circular, 1>>(ops);
}

}  // namespace tg
