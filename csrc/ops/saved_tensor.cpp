#include "ops/saved_tensor.h"

#include <atomic>
#include <cctype>

#include "core/error.h"
#include "core/grad_mode.h"
#include "graph/node.h"
#include "ops/view_history.h"

namespace tg {

static std::atomic<int64_t> g_saved_bytes{0};

SavedTensor::SavedTensor(const Tensor& t, bool is_output) : saved_(true), is_output_(is_output) {
  if (!t.defined()) return;
  refresh_view_history(t);  // output_nr below is the view's current one
  version_ = t.version();
  if (is_output) {
    data_ = t.detach();
    output_nr_ = t.output_nr();
  } else {
    data_ = t;
    output_nr_ = t.output_nr();
  }
  count(t.numel() * (int64_t)itemsize(t.dtype()));
}

void SavedTensor::count(int64_t bytes) {
  g_saved_bytes.fetch_add(bytes - counted_bytes_, std::memory_order_relaxed);
  counted_bytes_ = bytes;
}
SavedTensor::SavedTensor(const SavedTensor& o)
    : data_(o.data_), version_(o.version_), output_nr_(o.output_nr_), saved_(o.saved_), is_output_(o.is_output_) {
  count(o.counted_bytes_);
}
SavedTensor::SavedTensor(SavedTensor&& o) noexcept
    : data_(std::move(o.data_)), version_(o.version_), output_nr_(o.output_nr_), saved_(o.saved_),
      is_output_(o.is_output_), counted_bytes_(o.counted_bytes_) {
  o.counted_bytes_ = 0;
}
SavedTensor& SavedTensor::operator=(const SavedTensor& o) {
  if (this != &o) *this = SavedTensor(o);
  return *this;
}
SavedTensor& SavedTensor::operator=(SavedTensor&& o) noexcept {
  if (this == &o) return *this;
  count(0);
  data_ = std::move(o.data_);
  version_ = o.version_;
  output_nr_ = o.output_nr_;
  saved_ = o.saved_;
  is_output_ = o.is_output_;
  counted_bytes_ = o.counted_bytes_;
  o.counted_bytes_ = 0;
  return *this;
}
SavedTensor::~SavedTensor() { count(0); }
int64_t SavedTensor::total_bytes() { return g_saved_bytes.load(std::memory_order_relaxed); }

SavedInfo SavedTensor::info() const {
  if (!data_.defined()) return {Shape{}, DType::Float32, 0, !saved_};
  return {data_.sizes(), data_.dtype(), counted_bytes_, false};
}

// "AddBackward0" -> "Add": PyTorch 2.x names the forward op in this message.
static std::string op_name_of(const Node& node) {
  std::string name = node.name();
  size_t end = name.size();
  while (end > 0 && std::isdigit((unsigned char)name[end - 1])) --end;
  static const std::string suffix = "Backward";
  if (end >= suffix.size() && name.compare(end - suffix.size(), suffix.size(), suffix) == 0)
    return name.substr(0, end - suffix.size());
  return name;
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
    // Name the node that produced the tensor, and (in anomaly mode, where nodes remember it)
    // the Python line that created that node.
    // PyTorch names a saved input's current producer (the in-place op that modified it; for a
    // view, the strided view of its modified base).
    if (!is_output_) refresh_view_history(data_, /*strict=*/true);
    Node* producer = is_output_ ? current_node() : data_.grad_fn().get();
    const uint32_t output_nr = is_output_ ? output_nr_ : data_.output_nr();
    std::string produced_by, where;
    if (producer) {
      produced_by = ", which is output " + std::to_string(output_nr) + " of " + op_name_of(*producer) + ",";
      if (!producer->forward_trace().empty())
        where = "\nThe tensor was produced by this forward call:\n" + producer->forward_trace();
    }
    TG_ERROR(Runtime,
             "one of the variables needed for gradient computation has been modified by an "
             "inplace operation: [torch.", dtype_legacy_name(data_.dtype()), "Tensor ",
             shape_str(data_.sizes()), "]", produced_by, " is at version ", data_.version(),
             "; expected version ", version_,
             " instead. Hint: enable anomaly detection to find the operation that failed to "
             "compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).", where);
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
  count(0);
}

}  // namespace tg
