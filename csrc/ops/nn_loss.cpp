// Losses of tapegrad.nn.functional; every backward is written with tapegrad ops so it
// differentiates again.
#include "ops/nn_common.h"

namespace tg {

using namespace nn_detail;

namespace {  // op structs: see nn_common.h

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
    // Only the picked entries get a gradient (PyTorch scatters it): a NaN or inf grad must not
    // reach the others through 0 * grad.
    return {where(ne(coef, scalar_tensor(0.0)), g * coef, zeros({}, grad.dtype()))};
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

// 0 <= v <= 1 everywhere; NaN is outside, as in PyTorch's check.
bool all_in_unit_interval(const Tensor& v) {
  Tensor inside = logical_and(ge(v, scalar_tensor(0.0)), le(v, scalar_tensor(1.0)));
  return all(inside, DimList{}, false).data<bool>()[0];
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
    TG_CHECK(all_in_unit_interval(x), Runtime, "all elements of input should be between 0 and 1");
    TG_CHECK(all_in_unit_interval(t), Runtime, "all elements of target should be between 0 and 1");
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
      if (needs[1]) gt_ = g * ((pw - 1.0) * nn_softplus(neg(x), 1.0, (double)INFINITY) - x);
    } else {
      if (needs[0]) gx = g * (sigmoid(x) - t);
      if (needs[1]) gt_ = g * -x;
    }
    return {gx.defined() ? sum_to(gx, x.sizes()) : gx, gt_.defined() ? sum_to(gt_, t.sizes()) : gt_};
  }
};


}  // namespace

Tensor nn_mse_loss(const Tensor& x, const Tensor& t, int64_t reduction) { return apply_op<MseLoss>(x, t, reduction); }
Tensor nn_nll_loss(const Tensor& x, const Tensor& t, const Tensor& w, int64_t ignore_index, int64_t reduction) {
  return apply_op<NllLoss>(x, NonDiff{t}, NonDiff{w}, ignore_index, reduction);
}
Tensor nn_nll_loss2d(const Tensor& x, const Tensor& t, const Tensor& w, int64_t ignore_index, int64_t reduction) {
  return apply_op<NllLoss2d>(x, NonDiff{t}, NonDiff{w}, ignore_index, reduction);
}

// F.nll_loss: PyTorch's argument checks, then the node PyTorch records for the input's rank.
// Written here rather than in nn/functional.py because cross_entropy runs it on every training
// step, where its Python checks cost as much as the loss itself.
Tensor nn_nll(const Tensor& x, const Tensor& target, const Tensor& w, int64_t ignore_index, int64_t reduction) {
  TG_CHECK(x.dim() >= 1, Value, "Expected 1 or more dimensions (got ", x.dim(), ")");
  TG_CHECK(!w.defined() || w.dtype() == x.dtype(), Runtime, "expected scalar type ", dtype_legacy_name(x.dtype()),
           " but found ", dtype_legacy_name(w.dtype()));
  Tensor t = target;
  if (x.dim() == 1 && t.dim() == 1) {  // PyTorch takes a one-element target as the class
    TG_CHECK(t.size(0) == 1, Value, "For 1D input, 1D target must have size 1, but got target size: ", t.size(0));
    t = reshape(t, {});
  }
  TG_CHECK(x.dim() < 2 || (t.dim() > 0 && t.size(0) == x.size(0)), Value, "Expected input batch_size (", x.size(0),
           ") to match target batch_size (", t.dim() > 0 ? t.size(0) : 0, ").");
  if (x.dim() < 3) return nn_nll_loss(x, t, w, ignore_index, reduction);
  if (x.dim() == 4) return nn_nll_loss2d(x, t, w, ignore_index, reduction);
  // Other image-like ranks go through the 4-D loss and back, as PyTorch does (same nodes).
  const int64_t n = x.size(0), c = x.size(1);
  Shape expected(x.sizes().begin() + 1, x.sizes().end());
  expected[0] = n;
  TG_CHECK(Shape(t.sizes().begin() + 1, t.sizes().end()) == Shape(x.sizes().begin() + 2, x.sizes().end()), Runtime,
           "Expected target size ", shape_str(expected), ", got ", shape_str(t.sizes()));
  Tensor out = nn_nll_loss2d(reshape(x, {n, c, 1, -1}), reshape(t, {n, 1, -1}), w, ignore_index, reduction);
  return reduction == 0 ? view(out, t.sizes()) : out;
}

Tensor nn_cross_entropy(const Tensor& x, const Tensor& target, const Tensor& w, int64_t ignore_index,
                        int64_t reduction) {
  return nn_nll(nn_log_softmax(x, x.dim() == 1 ? 0 : 1), target, w, ignore_index, reduction);
}
Tensor nn_binary_cross_entropy(const Tensor& x, const Tensor& t, const Tensor& w, int64_t reduction) {
  return apply_op<BinaryCrossEntropy>(x, t, NonDiff{w}, reduction);
}
Tensor nn_bce_with_logits(const Tensor& x, const Tensor& t, const Tensor& w, const Tensor& pw, int64_t reduction) {
  return apply_op<BinaryCrossEntropyWithLogits>(x, t, NonDiff{w}, NonDiff{pw}, reduction);
}

void register_nn_loss_ops(std::vector<OpInfo>& ops) {
  register_ops<MseLoss, NllLoss, NllLoss2d, BinaryCrossEntropy, BinaryCrossEntropyWithLogits>(ops);
}

}  // namespace tg
