#include "autograd/saved_tensor.h"

#include "autograd/node.h"
#include "core/error.h"
#include "core/grad_mode.h"

namespace tg {

SavedTensor::SavedTensor(const Tensor& t, bool is_output) : saved_(true), is_output_(is_output) {
  if (!t.defined()) return;
  version_ = t.version();
  if (is_output) {
    data_ = t.detach();
    output_nr_ = t.output_nr();
  } else {
    data_ = t;
  }
}

Tensor SavedTensor::unpack() const {
  TG_CHECK(saved_, Runtime,
           "Trying to backward through the graph a second time (or directly access saved tensors "
           "after they have already been freed). Saved intermediate values of the graph are freed "
           "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
           "backward through the graph a second time or if you need to access saved tensors after "
           "calling backward.");
  if (!data_.defined()) return data_;
  if (data_.version() != version_) {
    std::string produced_by;
    std::string owner = is_output_ && current_node() ? current_node()->name()
                        : data_.grad_fn()             ? data_.grad_fn()->name()
                                                      : "";
    if (!owner.empty())
      produced_by = ", which is output " + std::to_string(is_output_ ? output_nr_ : data_.output_nr()) +
                    " of " + owner + ",";
    TG_ERROR(Runtime,
             "one of the variables needed for gradient computation has been modified by an "
             "inplace operation: [torch.", dtype_legacy_name(data_.dtype()), "Tensor ",
             shape_str(data_.sizes()), "]", produced_by, " is at version ", data_.version(),
             "; expected version ", version_,
             " instead. Hint: enable anomaly detection to find the operation that failed to "
             "compute its gradient, with torch.autograd.set_detect_anomaly(True).");
  }
  if (is_output_ && GradMode::is_enabled() && current_node()) {
    // create_graph: the output's history is the node now running (Note [Saved outputs]).
    Tensor t = data_.detach();
    auto& meta = t.autograd_meta();
    meta.grad_fn = current_node_shared();
    meta.output_nr = output_nr_;
    return t;
  }
  return data_;
}

void SavedTensor::release() {
  data_ = Tensor();
  saved_ = false;
}

}  // namespace tg
