// Graph nodes as Python objects (grad_fn, next_functions, AccumulateGrad.variable), grad mode,
// and the registry and counters the tests look at.
#include "autograd/accumulate_grad.h"
#include "autograd/engine.h"
#include "bindings/module.h"
#include "core/grad_mode.h"

namespace tg::bindings {

void bind_autograd(py::module_& m) {
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
                             [](Node& n) {
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
      .def("__eq__", [](const Node& a, const Node& b) { return &a == &b; })
      .def("__hash__", [](const Node& n) { return (py::ssize_t)(uintptr_t)&n; });

  m.def("is_grad_enabled", &GradMode::is_enabled);
  m.def("_set_grad_enabled", &GradMode::set_enabled);
  m.def("_live_nodes", &Node::live_count);
  m.def("_registered_ops", [] {
    py::list out;
    for (const OpInfo& op : registered_ops()) out.append(py::make_tuple(op.name, op.node));
    return out;
  });
}

}  // namespace tg::bindings
