#include "bindings/py_node.h"

#include "core/grad_mode.h"
#include "graph/accumulate_grad.h"
#include "graph/missing_derivative.h"
#include "ops/view_history.h"

namespace tg::bindings {

TensorList PyNode::apply(TensorList&& grads) {
  py::gil_scoped_acquire gil;
  py::tuple args(grads.size());
  for (size_t i = 0; i < grads.size(); ++i) args[i] = grads[i].defined() ? py::cast(grads[i]) : py::none();
  py::object result = py::reinterpret_borrow<py::object>(backward_.get())(args);
  TensorList out;
  for (py::handle g : result) {
    if (g.is_none()) {
      out.emplace_back();
      continue;
    }
    TG_CHECK(py::isinstance<TensorImpl>(g), Runtime, "expected Variable or None (got ", Py_TYPE(g.ptr())->tp_name, ")");
    out.push_back(g.cast<Tensor>());
  }
  TG_CHECK(out.size() == next_edges_.size(), Runtime, "function ", name_,
           " returned an incorrect number of gradients (expected ", next_edges_.size(), ", got ", out.size(), ")");
  if (GradMode::is_enabled()) {
    // create_graph: a gradient that should depend on differentiable values but has no history
    // means the Python backward left the graph; differentiating it again must raise.
    // Every history read here is made current first (ops/view_history.h).
    auto requires_grad = [](const Tensor& t) {
      refresh_view_history(t);
      return t.requires_grad();
    };
    TensorList sources;
    for (const Tensor& g : grads)
      if (g.defined() && requires_grad(g)) sources.push_back(g);
    for (const SavedTensor& s : saved_)
      if (s.defined()) {
        Tensor t = s.unpack();
        if (requires_grad(t)) sources.push_back(t);
      }
    if (!sources.empty())
      for (Tensor& g : out) {
        if (!g.defined() || requires_grad(g)) continue;
        for (const Tensor& s : sources) refresh_view_history(s, /*strict=*/true);  // they become edges
        g = with_missing_derivative(g, name_, sources);
      }
  }
  return out;
}

void PyNode::release_saved() {
  for (SavedTensor& s : saved_) s.release();
}

std::vector<SavedInfo> PyNode::saved_info() const {
  std::vector<SavedInfo> out;
  for (const SavedTensor& s : saved_)
    if (s.defined()) out.push_back(s.info());
  return out;
}

TensorList PyNode::unpack_saved() const {
  TensorList out;
  for (const SavedTensor& s : saved_) out.push_back(s.unpack());
  return out;
}

namespace {

// What a custom Function's ctx keeps: its node, weakly (the node owns the Python backward,
// which may close over ctx, so a strong reference would be a cycle through C++).
struct NodeRef {
  std::weak_ptr<Node> node;
  TensorList saved_tensors() const {
    auto n = node.lock();
    auto* py_node = dynamic_cast<PyNode*>(n.get());
    TG_CHECK(py_node, Runtime,
             "Trying to backward through the graph a second time (or directly access saved tensors after they have "
             "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
             "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or "
             "if you need to access saved tensors after calling backward.");
    CurrentNodeGuard current(current_node() ? current_node() : py_node);
    return py_node->unpack_saved();
  }
};

// Makes the node of one Function.apply call and attaches the outputs to it. Outputs that are
// inputs returned as they are get a fresh alias first, so the input keeps its own history.
py::tuple make_function_node(const std::string& name, py::function backward, const std::vector<py::object>& inputs,
                             const TensorList& outputs, const std::vector<py::object>& to_save,
                             const std::vector<bool>& differentiable) {
  auto node = std::make_shared<PyNode>(name, backward);
  for (const py::object& in : inputs)
    node->next_edges().push_back(in.is_none() ? Edge{} : fresh_gradient_edge(in.cast<Tensor>()));
  TensorList wired;
  for (size_t i = 0; i < outputs.size(); ++i) {
    Tensor out = outputs[i];
    bool is_input = false;
    for (const py::object& in : inputs) is_input = is_input || (!in.is_none() && in.cast<Tensor>().same(out));
    if (is_input) out = out.detach();
    node->input_meta().push_back({out.sizes(), out.dtype()});
    if (i < differentiable.size() && differentiable[i] && is_floating(out.dtype())) {
      AutogradMeta& meta = out.autograd_meta();
      meta.grad_fn = node;
      meta.output_nr = (uint32_t)i;
    }
    wired.push_back(out);
  }
  for (const py::object& s : to_save) {
    if (s.is_none()) {
      node->saved().emplace_back(Tensor(), false);
      continue;
    }
    Tensor t = s.cast<Tensor>();
    size_t k = 0;
    while (k < outputs.size() && !outputs[k].same(t)) ++k;
    node->saved().emplace_back(k < outputs.size() ? wired[k] : t, /*is_output=*/k < outputs.size());
  }
  py::tuple result(wired.size());
  for (size_t i = 0; i < wired.size(); ++i) result[i] = py::cast(wired[i]);
  return py::make_tuple(NodeRef{node}, result);
}

}  // namespace

void bind_py_node(py::module_& m) {
  py::class_<NodeRef>(m, "_NodeRef").def("saved_tensors", &NodeRef::saved_tensors);
  m.def("_make_function_node", &make_function_node, py::arg("name"), py::arg("backward"), py::arg("inputs"),
        py::arg("outputs"), py::arg("to_save"), py::arg("differentiable"));
}

}  // namespace tg::bindings
