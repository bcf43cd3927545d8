// tapegrad._C._nn: the ops behind tapegrad.nn.functional. Python (nn/functional.py) owns the
// spelling (keyword defaults, reduction strings, legacy arguments); these take plain values.
#include "bindings/module.h"
#include "ops/nn.h"


namespace tg::bindings {

namespace {
Tensor opt(const std::optional<Tensor>& t) { return t ? *t : Tensor(); }
}  // namespace

void bind_nn(py::module_& parent) {
  py::module_ m = parent.def_submodule("_nn", "ops behind tapegrad.nn.functional");
  m.def("leaky_relu", &nn_leaky_relu);
  m.def("gelu", &nn_gelu);
  m.def("silu", &nn_silu);
  m.def("elu", &nn_elu);
  m.def("softplus", &nn_softplus);
  m.def("softmax", &nn_softmax);
  m.def("log_softmax", &nn_log_softmax);
  m.def("addmm", &nn_addmm);
  m.def("mse_loss", &nn_mse_loss);
  m.def("nll_loss", [](const Tensor& x, const Tensor& t, std::optional<Tensor> w, int64_t ii, int64_t r) {
    return nn_nll_loss(x, t, opt(w), ii, r);
  });
  m.def("nll_loss2d", [](const Tensor& x, const Tensor& t, std::optional<Tensor> w, int64_t ii, int64_t r) {
    return nn_nll_loss2d(x, t, opt(w), ii, r);
  });
  m.def("binary_cross_entropy", [](const Tensor& x, const Tensor& t, std::optional<Tensor> w, int64_t r) {
    return nn_binary_cross_entropy(x, t, opt(w), r);
  });
  m.def("binary_cross_entropy_with_logits",
        [](const Tensor& x, const Tensor& t, std::optional<Tensor> w, std::optional<Tensor> pw, int64_t r) {
          return nn_bce_with_logits(x, t, opt(w), opt(pw), r);
        });
  m.def("layer_norm", [](const Tensor& x, int64_t nd, std::optional<Tensor> w, std::optional<Tensor> b, double eps) {
    return nn_layer_norm(x, nd, opt(w), opt(b), eps);
  });
  m.def("embedding", &nn_embedding);
  m.def("constant_pad", &nn_constant_pad);
  m.def("index_pad", &nn_index_pad);
  m.def("dropout_mask", &nn_dropout_mask);
  m.def("one_hot", &nn_one_hot);
}

}  // namespace tg::bindings
