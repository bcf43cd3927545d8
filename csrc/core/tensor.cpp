#include "core/tensor.h"

#include <cstdint>
#include <utility>

#include "core/error.h"

namespace tg {

TensorImpl::TensorImpl() = default;
TensorImpl::~TensorImpl() = default;

void TensorImpl::refresh_layout() {
  numel = checked_numel(sizes);
  int64_t expected = 1;
  contiguous = true;
  // Empty tensors are contiguous (PyTorch's rule); their sizes may multiply past int64.
  for (size_t i = sizes.size(); numel > 0 && i-- > 0;) {
    if (sizes[i] == 1) continue;
    if (strides[i] != expected) {
      contiguous = false;
      break;
    }
    expected *= sizes[i];
  }
}

Tensor Tensor::empty(const Shape& sizes, DType dtype) {
  int64_t n = checked_numel(sizes);
  size_t nbytes = 0;
  // PyTorch keeps byte counts in int64: past INT64_MAX they overflow as the numel would.
  TG_CHECK(!__builtin_mul_overflow((size_t)n, itemsize(dtype), &nbytes) && nbytes <= (size_t)INT64_MAX, Runtime,
           "Storage size calculation overflowed with sizes=", shape_str(sizes));
  Shape strides = contiguous_strides(sizes);  // checked before allocating
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::allocate(nbytes);
  impl->sizes = sizes;
  impl->strides = std::move(strides);
  impl->numel = n;
  impl->dtype = dtype;
  impl->contiguous = true;
  return Tensor(std::move(impl));
}

Tensor Tensor::view_of(const Tensor& base, Shape sizes, Shape strides, int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.storage();
  impl->sizes = std::move(sizes);
  impl->strides = std::move(strides);
  impl->offset = offset;
  impl->dtype = base.dtype();
  impl->refresh_layout();
  return Tensor(std::move(impl));
}

// wrap_dim lets a 0-d tensor name dim 0 or -1, but it has no size there to read.
int64_t Tensor::size(int64_t d) const {
  TG_CHECK(dim() > 0, Index, "Dimension specified as ", d, " but tensor has no dimensions");
  return sizes()[wrap_dim(d, dim())];
}
int64_t Tensor::stride(int64_t d) const {
  TG_CHECK(dim() > 0, Index, "Dimension specified as ", d, " but tensor has no dimensions");
  return strides()[wrap_dim(d, dim())];
}

const std::shared_ptr<Node>& Tensor::grad_fn() const {
  static const std::shared_ptr<Node> none;
  auto* m = impl_->autograd.get();
  return m ? m->grad_fn : none;
}
AutogradMeta& Tensor::autograd_meta() const {
  if (!impl_->autograd) impl_->autograd = std::make_unique<AutogradMeta>();
  return *impl_->autograd;
}

void Tensor::set_requires_grad(bool flag) const {
  if (!is_leaf()) {
    TG_CHECK(flag, Runtime,
             "you can only change requires_grad flags of leaf variables. If you want to use a "
             "computed variable in a subgraph that doesn't require differentiation use "
             "var_no_grad = var.detach().");
    return;
  }
  TG_CHECK(!flag || is_floating(dtype()), Runtime,
           "only Tensors of floating point dtype can require gradients");
  if (!flag && !impl_->autograd) return;
  autograd_meta().requires_grad = flag;
}

Tensor Tensor::grad() const {
  auto* m = impl_->autograd.get();
  if (!m) return Tensor();
  std::lock_guard<std::mutex> lock(m->grad_mutex);
  return m->grad;
}

void Tensor::set_grad(const Tensor& g) const {
  if (g.defined()) {  // PyTorch's checks for `.grad = g`, before anything changes
    TG_CHECK(!g.same(*this), Runtime, "can't assign Variable as its own grad");
    TG_CHECK(g.dtype() == dtype(), Runtime, "attempting to assign a gradient with dtype '",
             dtype_scalar_name(g.dtype()), "' to a tensor with grad_dtype '", dtype_legacy_name(dtype()),
             "'. The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
             "tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with "
             "caution. Diverging the dtypes of a tensor and its gradient may break downstream systems that assume "
             "they match.");
    TG_CHECK(g.sizes() == sizes(), Runtime, "attempting to assign a gradient of size '", shape_str(g.sizes()),
             "' to a tensor of size '", shape_str(sizes()),
             "'. Please ensure that the gradient and the tensor are the same size");
  }
  if (!g.defined() && !impl_->autograd) return;
  AutogradMeta& meta = autograd_meta();
  Tensor replaced;  // dies after the lock: it may hold a graph (see AccumulateGrad::apply)
  std::lock_guard<std::mutex> lock(meta.grad_mutex);
  replaced = std::exchange(meta.grad, g);
}

Tensor Tensor::detach() const {
  Tensor t = view_of(*this, sizes(), strides(), offset());
  t.impl()->no_grad_reason = NoGradReason::Detached;
  return t;
}

void Tensor::detach_() const {
  if (AutogradMeta* meta = autograd_meta_if_any()) {
    release_node(std::move(meta->grad_fn));
    meta->requires_grad = false;
  }
}

Tensor Tensor::data_alias() const {
  Tensor t = view_of(*this, sizes(), strides(), offset());
  t.impl()->storage = Storage::alias(storage());
  t.impl()->no_grad_reason = NoGradReason::Detached;
  return t;
}

AutogradMeta::~AutogradMeta() { release_node(std::move(grad_fn)); }

// While a release loop runs on this thread, nodes that die push their children here instead of
// destroying them, so the C++ stack never grows with the depth of the graph (Note [No recursion]).
static thread_local std::vector<std::shared_ptr<Node>>* tl_release_queue = nullptr;

void release_node(std::shared_ptr<Node>&& node) {
  if (!node) return;
  if (node.use_count() > 1) {  // not the last owner: nothing can cascade
    node.reset();
    return;
  }
  if (tl_release_queue) {
    tl_release_queue->push_back(std::move(node));
    return;
  }
  std::vector<std::shared_ptr<Node>> queue;
  tl_release_queue = &queue;
  queue.push_back(std::move(node));
  while (!queue.empty()) {
    std::shared_ptr<Node> n = std::move(queue.back());
    queue.pop_back();
    n.reset();  // its destructor may push more nodes onto `queue`
  }
  tl_release_queue = nullptr;
}

}  // namespace tg
