// Tensor = a refcounted handle to a TensorImpl: a strided view (sizes, strides, offset, dtype)
// of a Storage, plus the autograd metadata that makes it a graph leaf or a node's output.
// Copying a Tensor copies the handle, never the data.
//
// Note [Core holds autograd data, not autograd]: core is the lowest layer (see
// tests/python/test_layers.py) and includes nothing from graph/. A tensor's AutogradMeta is plain
// data defined here, so that the accessors below stay cheap reads; the graph types it points
// to (Node, TensorHooks) are only declared. That works because every owner here can release
// them without their definitions: shared_ptr<Node> deletes through what make_shared recorded,
// LazyBox<TensorHooks> through what its creator recorded, and release_node (below) needs
// nothing of a Node but its shared_ptr.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "core/lazy_box.h"
#include "core/dtype.h"
#include "core/shape.h"
#include "core/storage.h"

namespace tg {

class Node;
struct AutogradMeta;

// Why a tensor has no history, for the "does not require grad" error (set for free where the
// decision is made: by apply_op, detach and .data).
enum class NoGradReason : uint8_t { Leaf, GradModeOff, NoInputRequiresGrad, Detached };
struct TensorHooks;

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape sizes;
  Shape strides;         // in elements
  int64_t offset = 0;    // in elements
  int64_t numel = 0;
  DType dtype = DType::Float32;
  bool contiguous = true;
  // A Python number turned into a 0-d tensor: it takes part in type promotion only by
  // category (2.5 * int_tensor -> float32, 2.5 * float32_tensor stays float32).
  bool wrapped_number = false;
  NoGradReason no_grad_reason = NoGradReason::Leaf;
  // For a view made by an op (view, slice, transpose, ...): the tensor that owns the memory.
  // An in-place op on the view also rewrites the base's history (apply_inplace).
  std::shared_ptr<TensorImpl> view_base;
  // The storage version at which a view's history was last made to match its base's: when an
  // in-place op changes the base (or another view of it), the view's history is regenerated
  // by refresh_view_history (ops/view_history.h), which the ops, the engine and the bindings
  // call before they read the history (Note [Views of a base modified in place] in
  // ops/inplace.cpp).
  uint32_t view_version = 0;
  // A piece of split / chunk / unbind: PyTorch refuses in-place ops on these (and on views of
  // them) while recording.
  bool multi_view_output = false;
  std::unique_ptr<AutogradMeta> autograd;  // null for tensors that never touched autograd
  // The Python object of this tensor while one exists, set and cleared by the bindings (which
  // hold the GIL): that object owns this TensorImpl, so the pointer is borrowed. A tensor that
  // crosses into Python again comes back as the same object, found without a lookup table.
  void* python_object = nullptr;

  TensorImpl();
  ~TensorImpl();
  void refresh_layout();  // recompute numel and contiguity after sizes/strides changed
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // Uninitialised contiguous memory for `sizes` elements of `dtype`.
  static Tensor empty(const Shape& sizes, DType dtype);
  // A tensor over `base`'s storage with another layout (no autograd history).
  static Tensor view_of(const Tensor& base, Shape sizes, Shape strides, int64_t offset);

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool same(const Tensor& o) const { return impl_ == o.impl_; }

  const Shape& sizes() const { return impl_->sizes; }
  const Shape& strides() const { return impl_->strides; }
  int64_t size(int64_t dim) const;
  int64_t stride(int64_t dim) const;
  int64_t dim() const { return (int64_t)impl_->sizes.size(); }
  int64_t numel() const { return impl_->numel; }
  int64_t offset() const { return impl_->offset; }
  DType dtype() const { return impl_->dtype; }
  bool is_contiguous() const { return impl_->contiguous; }
  bool is_wrapped_number() const { return impl_->wrapped_number; }
  const std::shared_ptr<Storage>& storage() const { return impl_->storage; }
  uint32_t version() const { return impl_->storage->version(); }
  void bump_version() const { impl_->storage->bump_version(); }

  void* raw_data() const {
    return static_cast<char*>(impl_->storage->data()) + impl_->offset * (int64_t)itemsize(dtype());
  }
  template <class T>
  T* data() const { return static_cast<T*>(raw_data()); }

  // Autograd state (graph/ says what it points to, engine/ how it is used). Plain reads: for a
  // view whose base was modified in place they answer for the history the view was last
  // given; callers that act on the answer first call refresh_view_history (ops/view_history.h).
  bool requires_grad() const;
  bool is_leaf() const;
  const std::shared_ptr<Node>& grad_fn() const;
  uint32_t output_nr() const;
  AutogradMeta& autograd_meta() const;  // created on first use
  AutogradMeta* autograd_meta_if_any() const { return impl_->autograd.get(); }
  // Checks PyTorch's rules (floating dtype, leaves only) before flipping the flag.
  void set_requires_grad(bool flag) const;
  Tensor grad() const;
  void set_grad(const Tensor& g) const;

  // Same storage and version counter, no history (`detach()`).
  Tensor detach() const;
  // Cuts this tensor from its graph in place (`detach_()`): no grad_fn, no longer requires grad.
  void detach_() const;
  // Same bytes, a fresh version counter, no history (`.data`).
  Tensor data_alias() const;

 private:
  std::shared_ptr<TensorImpl> impl_;
};

using TensorList = std::vector<Tensor>;

// Note [No recursion]: a graph can be a 150,000-node chain, so dropping a reference to a Node
// must never destroy the chain below it recursively. release_node drops one reference; when it
// was the last one, the node's children are released from an explicit work list instead of
// from inside the destructor (Node::~Node hands its edges back here). It lives in core because
// AutogradMeta releases its grad_fn through it, and it needs nothing of a Node but its
// shared_ptr.
void release_node(std::shared_ptr<Node>&& node);

struct AutogradMeta {
  bool requires_grad = false;  // set on leaves; a non-leaf requires grad through its grad_fn
  bool retains_grad = false;
  uint32_t output_nr = 0;
  Tensor grad;
  std::shared_ptr<Node> grad_fn;
  std::weak_ptr<Node> grad_accumulator;  // leaves hold their AccumulateGrad weakly (no cycle)
  // Guards `grad`: backward accumulates into it without the GIL while Python may read or
  // assign it from another thread.
  std::mutex grad_mutex;
  // A leaf's tensor hooks (a non-leaf's live on its grad_fn); created while backward may read it.
  LazyBox<TensorHooks> hooks;
  // Objects of the host language (Python hook functions) that `hooks` keeps alive. The core
  // never looks inside; the bindings show them to Python's garbage collector.
  std::vector<std::weak_ptr<void>> foreign_refs;

  AutogradMeta() = default;
  ~AutogradMeta();  // releases grad_fn without recursing down a long chain
};

// Every op asks these of each tensor argument: inline, now that they are plain reads.
inline bool Tensor::requires_grad() const {
  const AutogradMeta* m = impl_->autograd.get();
  return m && (m->requires_grad || m->grad_fn);
}
inline bool Tensor::is_leaf() const {
  const AutogradMeta* m = impl_->autograd.get();
  return !m || !m->grad_fn;
}
inline uint32_t Tensor::output_nr() const {
  const AutogradMeta* m = impl_->autograd.get();
  return m ? m->output_nr : 0;
}

}  // namespace tg
