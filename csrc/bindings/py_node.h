// PyNode: the graph node of a custom tapegrad.autograd.Function. Its backward is a Python
// callable; its saved tensors live here in C++ (as SavedTensors, with version checks and
// release), not on the Python ctx, so saving an output forms no reference cycle.
#pragma once
#include "ops/saved_tensor.h"
#include "bindings/convert.h"

namespace tg::bindings {

class PyNode final : public Node {
 public:
  PyNode(std::string name, py::handle backward) : name_(std::move(name)), backward_(py_convert::py_ref(backward)) {
    foreign_refs.push_back(backward_);
  }
  std::string name() const override { return name_; }
  TensorList apply(TensorList&& grads) override;
  // A custom backward runs even when every incoming gradient was dropped: it gets zeros (or
  // None without materialize_grads), as in PyTorch.
  bool runs_without_gradients() const override { return true; }
  void release_saved() override;
  std::vector<SavedInfo> saved_info() const override;

  std::vector<SavedTensor>& saved() { return saved_; }
  TensorList unpack_saved() const;

 private:
  std::string name_;
  std::shared_ptr<PyObject> backward_;  // called as backward(grads_tuple) -> grads per edge
  std::vector<SavedTensor> saved_;
};

void bind_py_node(py::module_& m);

}  // namespace tg::bindings
