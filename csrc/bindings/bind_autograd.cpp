// Graph nodes as Python objects (grad_fn, next_functions, AccumulateGrad.variable, hooks),
// autograd.grad, tensor hooks and retain_grad, grad and anomaly modes, and the counters and
// introspection that tapegrad.autograd.graph is built on.
#include "bindings/module.h"
#include "bindings/py_node.h"
#include "core/grad_mode.h"
#include "engine/engine.h"
#include "graph/accumulate_grad.h"
#include "graph/anomaly.h"
#include "ops/saved_tensor.h"
#include "ops/view_history.h"

#include <atomic>

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

// The name PyTorch's hook errors give a Python hook: its __name__, else its repr.
std::string hook_name(py::handle fn) {
  if (py::hasattr(fn, "__name__")) return py::str(fn.attr("__name__")).cast<std::string>();
  return py::repr(fn).cast<std::string>();
}

// Python-level checks of what a hook returned: its type and count, in PyTorch's words. The
// values themselves (dtype, size, None) are checked by the engine for every kind of hook
// (Note [Hook results] in graph/hooks.h).
Tensor tensor_result(py::handle r) {
  if (r.is_none()) return Tensor();
  TG_CHECK(py::isinstance<TensorImpl>(r), Type, "expected Variable, but hook returned '", Py_TYPE(r.ptr())->tp_name,
           "'");
  return r.cast<Tensor>();
}

// (PyTorch's order: the tuple, its length, then per value: None is fine, a value where there was
// no gradient is refused before its type is looked at.)
std::optional<TensorList> tuple_result(py::handle r, const TensorList& values, const std::string& name) {
  if (r.is_none()) return std::nullopt;
  TG_CHECK(PyTuple_Check(r.ptr()), Type, "expected tuple, but hook returned '", Py_TYPE(r.ptr())->tp_name, "'");
  size_t n = (size_t)PyTuple_GET_SIZE(r.ptr());
  TG_CHECK(n == values.size(), Runtime, "hook '", name, "' has returned an incorrect number of values (got ", n,
           ", but expected ", values.size(), ")");
  TensorList out;
  for (size_t i = 0; i < n; ++i) {
    py::handle g = PyTuple_GET_ITEM(r.ptr(), i);
    TG_CHECK(g.is_none() || values[i].defined(), Runtime, "can't replace a None gradient with a non-None value");
    out.push_back(tensor_result(g));
  }
  return out;
}

py::tuple to_tuple(const TensorList& ts) {
  py::tuple t(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) t[i] = ts[i].defined() ? py::cast(ts[i]) : py::none();
  return t;
}

// Keeps the Python function of a hook visible to the garbage collector (Note [Tensors and
// Python's GC]); handles of removed hooks leave expired entries, dropped here.
void add_foreign_ref(std::vector<std::weak_ptr<void>>& refs, const std::shared_ptr<PyObject>& ref) {
  std::erase_if(refs, [](const std::weak_ptr<void>& w) { return w.expired(); });
  refs.push_back(ref);
}

// The tensor hooks of `t`: its own (leaf) or its grad_fn's slot for it (non-leaf).
TensorHooks& tensor_hooks_of(const Tensor& t) {
  if (t.is_leaf()) return t.autograd_meta().hooks.get_or_create([] { return new TensorHooks(); });
  NodeHooks& h = t.grad_fn()->hooks();
  TG_CHECK(t.output_nr() < h.tensor.size(), Runtime, "output ", t.output_nr(), " of ", t.grad_fn()->name(),
           " has no gradient slot");
  return h.tensor[t.output_nr()];
}

HookHandle register_tensor_hook(const Tensor& t, hint::TensorHook fn) {
  refresh_view_history(t, /*strict=*/true);
  TG_CHECK(t.requires_grad(), Runtime, "cannot register a hook on a tensor that doesn't require gradient");
  auto ref = py_convert::py_ref(fn);
  TensorHook hook = [ref](const Tensor& grad) -> Tensor {
    py::gil_scoped_acquire gil;
    return tensor_result(py::reinterpret_borrow<py::object>(ref.get())(grad));
  };
  uint64_t id = tensor_hooks_of(t).hooks.add(std::move(hook), hook_name(fn));
  add_foreign_ref(t.is_leaf() ? t.autograd_meta().foreign_refs : t.grad_fn()->foreign_refs, ref);
  if (t.is_leaf()) {
    std::weak_ptr<TensorImpl> weak = t.impl_ptr();
    return {[weak, id] {
      if (auto impl = weak.lock())
        if (TensorHooks* h = impl->autograd ? impl->autograd->hooks.get() : nullptr) h->hooks.remove(id);
    }};
  }
  std::weak_ptr<Node> weak = t.grad_fn();
  uint32_t nr = t.output_nr();
  return {[weak, nr, id] {
    if (auto n = weak.lock()) n->hooks().tensor[nr].hooks.remove(id);
  }};
}

void retain_grad(const Tensor& t) {
  refresh_view_history(t, /*strict=*/true);
  TG_CHECK(t.requires_grad(), Runtime, "can't retain_grad on Tensor that has requires_grad=False");
  if (t.is_leaf()) return;  // leaves keep .grad anyway
  tensor_hooks_of(t).set_retains_grad(t.impl_ptr());
}

bool retains_grad(const Tensor& t) {
  refresh_view_history(t, /*strict=*/true);
  if (t.is_leaf()) return false;
  NodeHooks* h = t.grad_fn()->hooks_if_any();
  return h && t.output_nr() < h->tensor.size() && h->tensor[t.output_nr()].retains_grad() == t.impl_ptr();
}

template <class Fn>
HookHandle remove_from(std::weak_ptr<Node> weak, HookList<Fn> NodeHooks::*list, uint64_t id) {
  return {[weak, list, id] {
    if (auto n = weak.lock()) (n->hooks().*list).remove(id);
  }};
}

HookHandle register_node_hook(const std::shared_ptr<Node>& node, hint::NodeHook fn) {
  auto ref = py_convert::py_ref(fn);
  std::string name = hook_name(fn);
  NodePostHook hook = [ref, name](const TensorList& grad_inputs, const TensorList& grad_outputs) {
    py::gil_scoped_acquire gil;
    py::object r = py::reinterpret_borrow<py::object>(ref.get())(to_tuple(grad_inputs), to_tuple(grad_outputs));
    return tuple_result(r, grad_inputs, name);
  };
  uint64_t id = node->hooks().post.add(std::move(hook), name);
  add_foreign_ref(node->foreign_refs, ref);
  return remove_from(node, &NodeHooks::post, id);
}

HookHandle register_node_prehook(const std::shared_ptr<Node>& node, hint::NodePrehook fn) {
  auto ref = py_convert::py_ref(fn);
  std::string name = hook_name(fn);
  NodePreHook hook = [ref, name](const TensorList& grad_outputs) {
    py::gil_scoped_acquire gil;
    py::object r = py::reinterpret_borrow<py::object>(ref.get())(to_tuple(grad_outputs));
    return tuple_result(r, grad_outputs, name);
  };
  uint64_t id = node->hooks().pre.add(std::move(hook), name);
  add_foreign_ref(node->foreign_refs, ref);
  return remove_from(node, &NodeHooks::pre, id);
}

TensorList tensors_or_none(const std::vector<hint::OptTensor>& objs) {
  TensorList out;
  for (const py::object& o : objs) out.push_back(o.is_none() ? Tensor() : o.cast<Tensor>());
  return out;
}

// Note [Node objects] (graph/node.h): the two ways a node's Python object is held.
using NodeHolder = std::shared_ptr<Node>;

py::detail::value_and_holder node_value_and_holder(PyObject* self) {
  return reinterpret_cast<py::detail::instance*>(self)->get_value_and_holder();
}

// Called when Python drops its last reference to a node's object. While the graph still holds
// the node, the object is kept for it instead of dying: the node takes the reference over and the
// object gives up its own on the node (so that the two keep no cycle).
void node_dealloc(PyObject* self) {
  auto v_h = node_value_and_holder(self);
  if (v_h.holder_constructed()) {
    NodeHolder& holder = v_h.holder<NodeHolder>();
    if (holder && holder->python_object == self) {
      // (An object someone holds a weak reference to dies as usual: that reference could hand
      // it back to Python without node_object.)
      if (holder.use_count() > 1 && !reinterpret_cast<py::detail::instance*>(self)->weakrefs) {
        Py_SET_REFCNT(self, 1);  // resurrected: this reference now belongs to the node
        holder->owns_python_object = true;
        NodeHolder keep = std::move(holder);
        holder.~NodeHolder();
        v_h.set_holder_constructed(false);
        reinterpret_cast<py::detail::instance*>(self)->owned = false;  // pybind11 must not free the node
        keep.reset();  // the graph may have died meanwhile: then ~Node releases the object (last)
        return;
      }
      holder->python_object = nullptr;
    }
  }
  py::detail::pybind11_object_dealloc(self);
}

// ~Node of a node that kept its object: the object dies with it.
void release_node_object(Node& node) {
  if (!Py_IsInitialized()) return;
  py::gil_scoped_acquire gil;
  auto* self = static_cast<PyObject*>(node.python_object);
  node.python_object = nullptr;
  node.owns_python_object = false;
  PyObject *type, *value, *trace;
  PyErr_Fetch(&type, &value, &trace);
  Py_DECREF(self);
  PyErr_Restore(type, value, trace);
}

}  // namespace

// The Python object of a node: always the same one while the node lives.
py::object node_object(const std::shared_ptr<Node>& node) {
  if (!node) return py::none();
  if (auto* self = static_cast<PyObject*>(node->python_object)) {
    if (!node->owns_python_object) return py::reinterpret_borrow<py::object>(self);
    // Python takes the object back from the node, with the node's reference.
    auto v_h = node_value_and_holder(self);
    new (&v_h.holder<NodeHolder>()) NodeHolder(node);
    v_h.set_holder_constructed(true);
    reinterpret_cast<py::detail::instance*>(self)->owned = true;
    node->owns_python_object = false;
    return py::reinterpret_steal<py::object>(self);
  }
  py::object obj = py::cast(node);
  node->python_object = obj.ptr();
  return obj;
}

void warn_create_graph_backward() {
  // PyTorch warns once per process (TORCH_WARN_ONCE), whatever Python's warning filters say.
  static std::atomic<bool> warned{false};
  if (warned.exchange(true)) return;
  if (PyErr_WarnEx(PyExc_UserWarning,
                   "Using backward() with create_graph=True will create a reference cycle between the parameter and "
                   "its gradient which can cause a memory leak. We recommend using autograd.grad when creating the "
                   "graph to avoid this. If you have to use this function, make sure to reset the .grad fields of "
                   "your parameters to None after use to break the cycle and avoid the leak.",
                   1) < 0)
    throw py::error_already_set();
}

namespace {

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

  Node::set_python_object_release(&release_node_object);
  py::class_<Node, std::shared_ptr<Node>>(m, "Node", py::custom_type_setup([](PyHeapTypeObject* heap) {
                                            heap->ht_type.tp_dealloc = node_dealloc;
                                          }))
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
                                 out[i] = py::make_tuple(node_object(e.fn), e.input_nr);
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
    for (const OpInfo& op : registered_ops())
      if (op.node) out.append(py::make_tuple(op.name, op.node));
    return out;
  });
  bind_py_node(m);
}

}  // namespace tg::bindings
