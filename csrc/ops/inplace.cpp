// In-place ops, generated from their out-of-place forms: x.add_(y) is add(x, y) written back
// into x. The out-of-place op does the validation and the math (so there is never a second
// implementation); apply_inplace checks what only in-place adds (a leaf's data, a result that
// would have to grow self or change its dtype class), writes, bumps the version counter and
// moves self's history onto the new node.
#include "kernels/copy.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

namespace {

int category(DType d) { return d == DType::Bool ? 0 : is_floating(d) ? 2 : 1; }

// A copy of self's current value that carries self's current history: the out-of-place op
// reads (and may save) it, so the write into self below does not invalidate what it saved.
Tensor snapshot(const Tensor& self) {
  Tensor snap = kernels::contiguous_copy(self);
  if (self.requires_grad()) {
    AutogradMeta& meta = snap.autograd_meta();
    meta.grad_fn = self.grad_fn();
    meta.output_nr = self.output_nr();
  }
  return snap;
}

}  // namespace

Tensor apply_inplace(const Tensor& self, const std::function<Tensor(const Tensor&)>& out_of_place) {
  const bool recording = GradMode::is_enabled();
  TG_CHECK(!(recording && self.is_leaf() && self.requires_grad()), Runtime,
           "a leaf Variable that requires grad is being used in an in-place operation.");
  Tensor out = out_of_place(recording && is_floating(self.dtype()) ? snapshot(self) : self);
  TG_CHECK(out.sizes() == self.sizes(), Runtime, "output with shape ", shape_str(self.sizes()),
           " doesn't match the broadcast shape ", shape_str(out.sizes()));
  TG_CHECK(category(out.dtype()) <= category(self.dtype()), Runtime, "result type ", dtype_legacy_name(out.dtype()),
           " can't be cast to the desired output type ", dtype_legacy_name(self.dtype()));
  if (out.dtype() != self.dtype()) out = to_dtype(out, self.dtype());
  kernels::copy_into(self, out);
  self.bump_version();
  if (out.grad_fn()) {
    AutogradMeta& meta = self.autograd_meta();
    meta.grad_fn = out.grad_fn();
    meta.output_nr = out.output_nr();
  }
  return self;
}

// The out-of-place forms of fill_, zero_ and copy_, with PyTorch's node names.
struct Fill {
  static constexpr const char* name = "fill";
  static constexpr const char* node = "FillBackward2";
  struct Saved {};
  static Tensor forward(const Tensor& a, double value) { return kernels::full(a.sizes(), value, a.dtype()); }
  static TensorList backward(Saved&, const Tensor& grad, Needs) { return {zeros_like(grad)}; }
};

struct Zero {
  static constexpr const char* name = "zero";
  static constexpr const char* node = "ZeroBackward0";
  struct Saved {};
  static Tensor forward(const Tensor& a) { return kernels::full(a.sizes(), 0.0, a.dtype()); }
  static TensorList backward(Saved&, const Tensor& grad, Needs) { return {zeros_like(grad)}; }
};

// `src` broadcast to self's shape in self's dtype.
struct Copy {
  static constexpr const char* name = "copy";
  static constexpr const char* node = "torch::autograd::CopyBackwards";
  struct Saved {
    DType src_dtype = kDefaultFloat;
  };
  static Tensor forward(const Tensor& self, const Tensor& src) {
    TG_CHECK(broadcast_shapes(self.sizes(), src.sizes()) == self.sizes(), Runtime, "output with shape ",
             shape_str(self.sizes()), " doesn't match the broadcast shape ",
             shape_str(broadcast_shapes(self.sizes(), src.sizes())));
    Tensor out = Tensor::empty(self.sizes(), self.dtype());
    kernels::copy_into(out, src);
    return out;
  }
  static void save(Saved& s, const Tensor&, const Tensor& src, const Tensor&) { s.src_dtype = src.dtype(); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    return {needs[0] ? zeros_like(grad) : Tensor(), needs[1] ? to_dtype(grad, s.src_dtype) : Tensor()};
  }
};

Tensor fill(const Tensor& a, double value) { return apply_op<Fill>(a, value); }
Tensor zero(const Tensor& a) { return apply_op<Zero>(a); }
Tensor copy(const Tensor& self, const Tensor& src) { return apply_op<Copy>(self, src); }

void register_inplace_ops(std::vector<OpInfo>& ops) { register_ops<Fill, Zero, Copy>(ops); }

}  // namespace tg
