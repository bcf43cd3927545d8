// Graph nodes as Python objects (grad_fn, next_functions, AccumulateGrad.variable, hooks),
// autograd.grad, tensor hooks and retain_grad, grad and anomaly modes, and the counters and
// introspection that tapegrad.autograd.graph is built on.
#include "autograd/accumulate_grad.h"
#include "autograd/anomaly.h"
#include "autograd/engine.h"
#include "autograd/saved_tensor.h"
#include "bindings/module.h"
#include "bindings/py_node.h"
#include "core/grad_mode.h"

namespace tg::bindings {

namespace {

// A handle whose remove() takes its hook out again (torch.utils.hooks.RemovableHandle).
struct HookHandle {
  std::function<void()> remover;
  void remove() {
    if (remover) remover();
    remover = nullptr;
  }
};

TensorHook wrap_tensor_hook(std::shared_ptr<PyObject> ref) {
  return [ref](const Tensor& grad) -> Tensor {
    py::gil_scoped_acquire gil;
    py::object fn = py::reinterpret_borrow<py::object>(ref.get());
    py::object r = fn(grad);
    if (r.is_none()) return Tensor();
    TG_CHECK(py::isinstance<TensorImpl>(r), Type, "expected Variable, but hook returned '", Py_TYPE(r.ptr())->tp_name,
             "'");
    Tensor out = r.cast<Tensor>();
    if (out.sizes() != grad.sizes() || out.dtype() != grad.dtype()) {
      // PyTorch's check: a hook may replace the gradient, not change its size or type.
      std::string name = py::hasattr(fn, "__name__") ? py::str(fn.attr("__name__")).cast<std::string>()
                                                     : py::str(fn).cast<std::string>();
      TG_CHECK(out.sizes() == grad.sizes(), Runtime, "hook '", name, "' has changed the size of value");
      TG_ERROR(Runtime, "hook '", name, "' has changed the type of value (was torch.", dtype_legacy_name(grad.dtype()),
               "Tensor got torch.", dtype_legacy_name(out.dtype()), "Tensor)");
    }
    return out;
  };
}

py::tuple to_tuple(const TensorList& ts) {
  py::tuple t(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) t[i] = ts[i].defined() ? py::cast(ts[i]) : py::none();
  return t;
}

TensorList from_result(py::handle r, const char* what) {
  TensorList out;
  if (r.is_none()) return out;
  for (py::handle g : r) out.push_back(g.is_none() ? Tensor() : g.cast<Tensor>());
  (void)what;
  return out;
}

// The tensor hooks of `t`: its own (leaf) or its grad_fn's slot for it (non-leaf).
TensorHooks& tensor_hooks_of(const Tensor& t) {
  if (t.is_leaf()) {
    AutogradMeta& meta = t.autograd_meta();
    if (!meta.hooks) meta.hooks = std::make_unique<TensorHooks>();
    return *meta.hooks;
  }
  return t.grad_fn()->hooks().tensor[t.output_nr()];
}

HookHandle register_tensor_hook(const Tensor& t, hint::TensorHook fn) {
  TG_CHECK(t.requires_grad(), Runtime, "cannot register a hook on a tensor that doesn't require gradient");
  uint64_t id = next_hook_id();
  auto ref = py_convert::py_ref(fn);
  tensor_hooks_of(t).hooks.push_back({id, wrap_tensor_hook(ref)});
  (t.is_leaf() ? t.autograd_meta().foreign_refs : t.grad_fn()->foreign_refs).push_back(ref);
  if (t.is_leaf()) {
    std::weak_ptr<TensorImpl> weak = t.impl_ptr();
    return {[weak, id] {
      if (auto impl = weak.lock())
        if (impl->autograd && impl->autograd->hooks) impl->autograd->hooks->remove(id);
    }};
  }
  std::weak_ptr<Node> weak = t.grad_fn();
  uint32_t nr = t.output_nr();
  return {[weak, nr, id] {
    if (auto n = weak.lock()) n->hooks().tensor[nr].remove(id);
  }};
}

void retain_grad(const Tensor& t) {
  TG_CHECK(t.requires_grad(), Runtime, "can't retain_grad on Tensor that has requires_grad=False");
  if (t.is_leaf()) return;  // leaves keep .grad anyway
  t.grad_fn()->hooks().tensor[t.output_nr()].retains_grad = t.impl_ptr();
}

bool retains_grad(const Tensor& t) {
  if (t.is_leaf()) return false;
  NodeHooks* h = t.grad_fn()->hooks_if_any();
  return h && t.output_nr() < h->tensor.size() && h->tensor[t.output_nr()].retains_grad.lock() == t.impl_ptr();
}

template <class Entry>
HookHandle remove_from(std::weak_ptr<Node> weak, std::vector<Entry> NodeHooks::*list, uint64_t id) {
  return {[weak, list, id] {
    if (auto n = weak.lock()) {
      auto& v = n->hooks().*list;
      for (auto it = v.begin(); it != v.end(); ++it)
        if (it->id == id) {
          v.erase(it);
          return;
        }
    }
  }};
}

HookHandle register_node_hook(const std::shared_ptr<Node>& node, hint::NodeHook fn) {
  auto ref = py_convert::py_ref(fn);
  node->foreign_refs.push_back(ref);
  uint64_t id = next_hook_id();
  node->hooks().post.push_back({id, [ref](const TensorList& grad_inputs, const TensorList& grad_outputs) {
                                  py::gil_scoped_acquire gil;
                                  py::object r = py::reinterpret_borrow<py::object>(ref.get())(
                                      to_tuple(grad_inputs), to_tuple(grad_outputs));
                                  return from_result(r, "hook");
                                }});
  return remove_from(node, &NodeHooks::post, id);
}

HookHandle register_node_prehook(const std::shared_ptr<Node>& node, hint::NodePrehook fn) {
  auto ref = py_convert::py_ref(fn);
  node->foreign_refs.push_back(ref);
  uint64_t id = next_hook_id();
  node->hooks().pre.push_back({id, [ref](const TensorList& grad_outputs) {
                                 py::gil_scoped_acquire gil;
                                 py::object r = py::reinterpret_borrow<py::object>(ref.get())(to_tuple(grad_outputs));
                                 return from_result(r, "prehook");
                               }});
  return remove_from(node, &NodeHooks::pre, id);
}

TensorList tensors_or_none(const std::vector<hint::OptTensor>& objs) {
  TensorList out;
  for (const py::object& o : objs) out.push_back(o.is_none() ? Tensor() : o.cast<Tensor>());
  return out;
}

// The Python stack at a node's creation, for anomaly mode (called with or without the GIL).
std::string python_stack() {
  py::gil_scoped_acquire gil;
  py::object lines = py::module_::import("traceback").attr("format_stack")();
  std::string out;
  for (py::handle l : lines) out += l.cast<std::string>();
  return out;
}

}  // namespace

void bind_autograd(py::module_& m) {
  py::class_<HookHandle>(m, "RemovableHandle", "What register_hook returns: remove() takes the hook out again.")
      .def("remove", &HookHandle::remove);

  py::class_<Node, std::shared_ptr<Node>>(m, "Node")
      .def("name", &Node::name)
      .def("__repr__",
           [](py::handle self) {
             Node& n = self.cast<Node&>();
             std::string short_name = n.is_accumulate_grad() ? "AccumulateGrad" : n.name();
             char addr[32];
             std::snprintf(addr, sizeof addr, "%p", (void*)self.ptr());
             return "<" + short_name + " object at " + addr + ">";
           })
      .def_property_readonly("next_functions",
                             [](Node& n) -> hint::NextFunctions {
                               py::tuple out(n.next_edges().size());
                               for (size_t i = 0; i < n.next_edges().size(); ++i) {
                                 const Edge& e = n.next_edges()[i];
                                 out[i] = py::make_tuple(e.fn ? py::cast(e.fn) : py::none(), e.input_nr);
                               }
                               return out;
                             })
      .def_property_readonly("variable",
                             [](Node& n) {
                               auto* acc = dynamic_cast<AccumulateGrad*>(&n);
                               if (!acc) throw py::attribute_error("'" + n.name() + "' object has no attribute 'variable'");
                               return acc->variable();
                             })
      .def("_sequence_nr", &Node::sequence_nr)
      .def("_input_shapes",
           [](Node& n) -> hint::SizeList {
             py::list out;
             for (const InputMeta& im : n.input_meta()) out.append(py_convert::size_object(im.shape));
             return out;
           })
      .def("_saved_info",
           [](Node& n) -> hint::SavedInfoList {
             py::list out;
             for (const SavedInfo& s : n.saved_info())
               out.append(py::make_tuple(py_convert::size_object(s.shape), s.dtype, s.nbytes));
             return out;
           })
      .def("register_hook", &register_node_hook, py::arg("fn"))
      .def("register_prehook", &register_node_prehook, py::arg("fn"))
      .def("__eq__", [](const Node& a, const Node& b) { return &a == &b; }, py::arg("other"))
      .def("__hash__", [](const Node& n) { return (py::ssize_t)(uintptr_t)&n; });

  auto tensor_cls = py::reinterpret_borrow<py::class_<TensorImpl, std::shared_ptr<TensorImpl>>>(m.attr("Tensor"));
  tensor_cls.def("register_hook", &register_tensor_hook, py::arg("hook"))
      .def("retain_grad", &retain_grad)
      .def_property_readonly("retains_grad", &retains_grad);

  m.def("is_grad_enabled", &GradMode::is_enabled);
  m.def("_set_grad_enabled", &GradMode::set_enabled, py::arg("mode"));
  m.def("is_anomaly_enabled", &AnomalyMode::is_enabled);
  m.def("_set_anomaly_enabled", &AnomalyMode::set_enabled, py::arg("mode"));
  AnomalyMode::set_stack_capture(&python_stack);

  m.def(
      "_grad",
      [](const TensorList& outputs, const TensorList& inputs, const std::vector<hint::OptTensor>& grad_outputs,
         std::optional<bool> retain_graph, bool create_graph, bool allow_unused) -> hint::OptTensorList {
        TensorList grads = tensors_or_none(grad_outputs);
        TensorList result;
        {
          py::gil_scoped_release no_gil;
          result = grad(outputs, inputs, grads, retain_graph, create_graph, allow_unused);
        }
        return py::cast(result);  // None where an input is unused
      },
      py::arg("outputs"), py::arg("inputs"), py::arg("grad_outputs"), py::arg("retain_graph"),
      py::arg("create_graph"), py::arg("allow_unused"));

  m.def("_live_nodes", &Node::live_count);
  m.def("_saved_bytes", &SavedTensor::total_bytes);
  m.def("_registered_ops", []() -> hint::OpList {
    py::list out;
    for (const OpInfo& op : registered_ops()) out.append(py::make_tuple(op.name, op.node));
    return out;
  });
  bind_py_node(m);
}

}  // namespace tg::bindings
