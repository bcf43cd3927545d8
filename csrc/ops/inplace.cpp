// In-place ops, generated from their out-of-place forms: x.add_(y) is add(x, y) written back
// into x. The out-of-place op does the validation and the math (so there is never a second
// implementation); apply_inplace checks what only in-place adds (a leaf's data, a result that
// would have to grow self or change its dtype class), writes, bumps the version counter and
// moves self's history onto the new node.
#include <cctype>
#include <string>

#include "core/grad_mode.h"
#include "kernels/copy.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"
#include "ops/view_history.h"

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

// Note [In-place on views]: a view shares its base's memory, so writing into the view changes
// the base too, and the base's history must say so. After the write, the base's history
// becomes slice_put(old base, new view values) (CopySlices) and the view's becomes a strided
// view of that (AsStridedBackward0). A view of a leaf that requires grad is refused, as the
// leaf itself is.
namespace {
void rebase_view_history(const Tensor& self, const Tensor& out) {
  Tensor base(self.impl()->view_base);
  if (!out.requires_grad() && !base.requires_grad()) return;
  TG_CHECK(base.is_contiguous(), Runtime,
           "an in-place operation on a view of a non-contiguous tensor that requires grad is not supported; "
           "call .contiguous() on the base first");
  Geometry g = geometry_of(self, base);
  Tensor carrier = base.detach();  // the base's old history, without copying its data
  if (base.requires_grad()) {
    AutogradMeta& m = carrier.autograd_meta();
    m.grad_fn = base.grad_fn();
    m.output_nr = base.output_nr();
    if (!m.grad_fn) m.requires_grad = true;  // unreachable for leaves (refused above)
  }
  Tensor new_base = slice_put(carrier, out, g);
  AutogradMeta& bm = base.autograd_meta();
  bm.grad_fn = new_base.grad_fn();
  bm.output_nr = new_base.output_nr();
  Tensor new_view = strided_view(base, base.sizes(), g);
  AutogradMeta& vm = self.autograd_meta();
  vm.grad_fn = new_view.grad_fn();
  vm.output_nr = new_view.output_nr();
}

// "SplitBackward0" -> "Split": PyTorch names the forward op in its view errors.
std::string forward_name(const Node& node) {
  std::string name = node.name();
  size_t end = name.size();
  while (end > 0 && std::isdigit((unsigned char)name[end - 1])) --end;
  const std::string suffix = "Backward";
  if (end >= suffix.size() && name.compare(end - suffix.size(), suffix.size(), suffix) == 0) end -= suffix.size();
  return name.substr(0, end);
}

const char* const kMultiViewAdvice =
    "This view is the output of a function that returns multiple views. Such functions do not allow the output "
    "views to be modified inplace. You should replace the inplace operation by an out-of-place one.";

}  // namespace

// Note [Views of a base modified in place]: a view shares memory with its base, so an in-place
// op on the base (or on another view of it) changes the view's values too; the view's history
// must then go through the op that did it. Like PyTorch, the view notices lazily: its history
// is remade, the next time someone acts on it, as a strided view (AsStridedBackward0) of the
// base's current history. "Someone acts on it" is explicit: every reader that decides from a
// tensor's history calls refresh_view_history (ops/view_history.h) first; the plain accessors
// of core/tensor.h never do it behind the caller's back. A base that is a leaf keeps its views'
// histories (they already end in its AccumulateGrad); pieces of split / unbind refuse, as
// PyTorch's do.
void refresh_view_history_slow(const Tensor& view, bool strict) {
  TensorImpl* vi = view.impl();
  Tensor base(vi->view_base);
  const uint32_t now = view.version();
  AutogradMeta* vm = vi->autograd.get();
  if (vi->multi_view_output && vm && vm->grad_fn && base.requires_grad()) {
    TG_CHECK(!strict, Runtime, "Output ", vm->output_nr, " of ", forward_name(*vm->grad_fn),
             " is a view and its base or another view of its base has been modified inplace. ", kMultiViewAdvice);
    return;  // keeps its (stale) history until it is asked for
  }
  vi->view_version = now;
  if (!is_floating(view.dtype()) || !base.grad_fn() || !base.is_contiguous()) return;
  GradModeGuard record(true);
  Tensor fresh = strided_view(base, base.sizes(), geometry_of(view, base));
  AutogradMeta& m = view.autograd_meta();
  m.grad_fn = fresh.grad_fn();
  m.output_nr = fresh.output_nr();
}

Tensor apply_inplace(const Tensor& self, const std::function<Tensor(const Tensor&)>& out_of_place) {
  // An expanded dim makes several elements one memory location: the result would depend on
  // the order of the writes (PyTorch's check, for stride-0 dims).
  for (int64_t d = 0; self.numel() > 0 && d < self.dim(); ++d)
    TG_CHECK(!(self.sizes()[d] > 1 && self.strides()[d] == 0), Runtime,
             "unsupported operation: more than one element of the written-to tensor refers to a single memory "
             "location. Please clone() the tensor before performing the operation.");
  const bool recording = GradMode::is_enabled();
  if (recording) refresh_view_history(self);  // the checks below read self's history
  TG_CHECK(!(recording && self.is_leaf() && self.requires_grad()), Runtime,
           "a leaf Variable that requires grad is being used in an in-place operation.");
  const auto& base = self.impl()->view_base;
  const bool view_of_leaf = base && Tensor(base).is_leaf() && Tensor(base).requires_grad();
  TG_CHECK(!(recording && view_of_leaf), Runtime,
           "a view of a leaf Variable that requires grad is being used in an in-place operation.");
  if (recording && self.impl()->multi_view_output && self.requires_grad()) {
    refresh_view_history(self, /*strict=*/true);  // a piece whose base changed says so first
    TG_ERROR(Runtime, "Output ", self.output_nr(), " of ", forward_name(*self.grad_fn()),
             " is a view and is being modified inplace. ", kMultiViewAdvice);
  }
  Tensor out = out_of_place(recording && is_floating(self.dtype()) ? snapshot(self) : self);
  TG_CHECK(out.sizes() == self.sizes(), Runtime, "output with shape ", shape_str(self.sizes()),
           " doesn't match the broadcast shape ", shape_str(out.sizes()));
  TG_CHECK(category(out.dtype()) <= category(self.dtype()), Runtime, "result type ", dtype_legacy_name(out.dtype()),
           " can't be cast to the desired output type ", dtype_legacy_name(self.dtype()));
  if (out.dtype() != self.dtype()) out = to_dtype(out, self.dtype());
  kernels::copy_into(self, out);
  self.bump_version();
  if (recording && base && is_floating(self.dtype())) {
    rebase_view_history(self, out);
    self.impl()->view_version = self.version();  // its history now includes this write
  } else if (out.grad_fn()) {
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
  // The value converts once into a's dtype: exact for ints, PyTorch's overflow error where it
  // cannot be held (fill_(1e30) on int64, fill_(1e300) on float32).
  static Tensor forward(const Tensor& a, Scalar value) { return kernels::full(a.sizes(), value, a.dtype()); }
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
    DType src_dtype = DType::Float32;
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

Tensor fill(const Tensor& a, Scalar value) { return apply_op<Fill>(a, value); }
Tensor zero(const Tensor& a) { return apply_op<Zero>(a); }
Tensor copy(const Tensor& self, const Tensor& src) { return apply_op<Copy>(self, src); }

void register_inplace_ops(std::vector<OpInfo>& ops) { register_ops<Fill, Zero, Copy>(ops); }

}  // namespace tg
