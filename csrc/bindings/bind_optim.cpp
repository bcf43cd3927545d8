// tapegrad._C._optim: the fused update kernels behind tapegrad.optim. Python owns the
// bookkeeping (param groups, state, step counts); each call updates one parameter in place.
#include "bindings/module.h"
#include "kernels/optim.h"

namespace tg::bindings {

namespace {
Tensor opt(const std::optional<Tensor>& t) { return t ? *t : Tensor(); }
}  // namespace

void bind_optim(py::module_& parent) {
  py::module_ m = parent.def_submodule("_optim", "fused optimizer kernels behind tapegrad.optim");
  m.def(
      "sgd_step",
      [](const Tensor& p, const Tensor& g, std::optional<Tensor> buf, double lr, double momentum,
         double dampening, double weight_decay, bool nesterov, bool maximize, bool first_step) {
        optim::SgdArgs a{lr, momentum, dampening, weight_decay, nesterov, maximize, first_step};
        optim::sgd_step(p, g, opt(buf), a);
      },
      py::arg("param"), py::arg("grad"), py::arg("momentum_buffer"), py::arg("lr"), py::arg("momentum"),
      py::arg("dampening"), py::arg("weight_decay"), py::arg("nesterov"), py::arg("maximize"),
      py::arg("first_step"));
  m.def(
      "adam_step",
      [](const Tensor& p, const Tensor& g, const Tensor& m1, const Tensor& m2, std::optional<Tensor> vmax,
         int64_t step, double lr, double beta1, double beta2, double eps, double weight_decay, bool maximize,
         bool decoupled) {
        optim::AdamArgs a{lr, beta1, beta2, eps, weight_decay, step, maximize, decoupled};
        optim::adam_step(p, g, m1, m2, opt(vmax), a);
      },
      py::arg("param"), py::arg("grad"), py::arg("exp_avg"), py::arg("exp_avg_sq"), py::arg("max_exp_avg_sq"),
      py::arg("step"), py::arg("lr"), py::arg("beta1"), py::arg("beta2"), py::arg("eps"),
      py::arg("weight_decay"), py::arg("maximize"), py::arg("decoupled"));
}

}  // namespace tg::bindings
