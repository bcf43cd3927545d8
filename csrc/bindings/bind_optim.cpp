// tapegrad._C._optim: the fused update kernels behind tapegrad.optim. Python owns the
// bookkeeping (param groups, state, step counts); sgd_step and adam_step update one parameter
// in place, sgd_step_group and adam_step_group a whole group; zero_grads is
// Module/Optimizer.zero_grad.
#include "bindings/module.h"
#include "core/grad_mode.h"
#include "kernels/optim.h"
#include "ops/ops.h"

namespace tg::bindings {

namespace {
Tensor opt(const std::optional<Tensor>& t) { return t ? *t : Tensor(); }

// update(param, grad) for each parameter that has a gradient, with the contiguous memory the
// kernels need: a strided gradient is copied, a strided parameter is updated through a
// contiguous copy written back without recording (the Python optimizers' per-parameter loop,
// in C++ because it runs for every parameter of every step).
template <class Update>
void for_each_param(const std::vector<Tensor>& params, const Update& update) {
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    Tensor g = p.grad();
    if (!g.defined()) continue;
    g = contiguous(g);
    if (p.is_contiguous()) {
      update(i, p, g);
      continue;
    }
    Tensor work = contiguous(p.detach());
    update(i, work, g);
    NoGradGuard no_grad;
    apply_inplace(p, [&](const Tensor& self) { return copy(self, work); });
  }
}
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
      "sgd_step_group",
      [](const std::vector<Tensor>& params, const std::vector<std::optional<Tensor>>& buffers,
         const std::vector<bool>& first_steps, double lr, double momentum, double dampening, double weight_decay,
         bool nesterov, bool maximize) {
        TG_CHECK(buffers.empty() || buffers.size() == params.size(), Runtime,
                 "sgd_step_group: one momentum buffer (or None) per parameter");
        TG_CHECK(first_steps.size() == buffers.size(), Runtime, "sgd_step_group: one first_step per buffer");
        for_each_param(params, [&](size_t i, const Tensor& p, const Tensor& g) {
          optim::SgdArgs a{lr, momentum, dampening, weight_decay, nesterov, maximize,
                           !first_steps.empty() && first_steps[i]};
          optim::sgd_step(p, g, buffers.empty() ? Tensor() : opt(buffers[i]), a);
        });
      },
      py::arg("params"), py::arg("momentum_buffers"), py::arg("first_steps"), py::arg("lr"), py::arg("momentum"),
      py::arg("dampening"), py::arg("weight_decay"), py::arg("nesterov"), py::arg("maximize"));
  // A loop in Python wrapped every .grad in a Python object only to test it for None and drop
  // it: 0.5 us per parameter, as much as a whole small op.
  m.def(
      "zero_grads",
      [](const std::vector<Tensor>& params, bool set_to_none) {
        NoGradGuard no_grad;
        for (const Tensor& p : params) {
          Tensor g = p.grad();
          if (!g.defined()) continue;
          if (set_to_none) {
            p.set_grad(Tensor());
            continue;
          }
          // As PyTorch: the gradient is cut from any graph (detach_, or requires_grad_(False)
          // on a leaf), then zeroed in place.
          g.detach_();
          apply_inplace(g, [](const Tensor& self) { return zero(self); });
        }
      },
      py::arg("params"), py::arg("set_to_none"),
      "Drops (set_to_none) or zeroes in place, without recording, the .grad of each parameter.");
  m.def(
      "adam_step_group",
      [](const std::vector<Tensor>& params, const std::vector<std::optional<Tensor>>& exp_avgs,
         const std::vector<std::optional<Tensor>>& exp_avg_sqs, const std::vector<std::optional<Tensor>>& max_exp_avg_sqs,
         const std::vector<int64_t>& steps, double lr, double beta1, double beta2, double eps, double weight_decay,
         bool maximize, bool decoupled) {
        const size_t n = params.size();
        TG_CHECK(exp_avgs.size() == n && exp_avg_sqs.size() == n && max_exp_avg_sqs.size() == n && steps.size() == n,
                 Runtime, "adam_step_group: one exp_avg, exp_avg_sq, max_exp_avg_sq (or None) and step per parameter");
        for_each_param(params, [&](size_t i, const Tensor& p, const Tensor& g) {
          optim::AdamArgs a{lr, beta1, beta2, eps, weight_decay, steps[i], maximize, decoupled};
          optim::adam_step(p, g, opt(exp_avgs[i]), opt(exp_avg_sqs[i]), opt(max_exp_avg_sqs[i]), a);
        });
      },
      py::arg("params"), py::arg("exp_avgs"), py::arg("exp_avg_sqs"), py::arg("max_exp_avg_sqs"), py::arg("steps"),
      py::arg("lr"), py::arg("beta1"), py::arg("beta2"), py::arg("eps"), py::arg("weight_decay"), py::arg("maximize"),
      py::arg("decoupled"));
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
