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
  // `reduction` is 0 (none), 1 (mean) or 2 (sum); `mode` of index_pad 0 (reflect), 1 (replicate)
  // or 2 (circular): nn/functional.py maps PyTorch's strings to these.
  m.def("leaky_relu", &nn_leaky_relu, py::arg("input"), py::arg("negative_slope"));
  m.def("gelu", &nn_gelu, py::arg("input"), py::arg("tanh_approximation"));
  m.def("silu", &nn_silu, py::arg("input"));
  m.def("elu", &nn_elu, py::arg("input"), py::arg("alpha"));
  m.def("softplus", &nn_softplus, py::arg("input"), py::arg("beta"), py::arg("threshold"));
  m.def("softmax", &nn_softmax, py::arg("input"), py::arg("dim"));
  m.def("log_softmax", &nn_log_softmax, py::arg("input"), py::arg("dim"));
  m.def("addmm", &nn_addmm, py::arg("bias"), py::arg("mat1"), py::arg("mat2"));
  m.def("linear", [](const Tensor& x, const Tensor& w, std::optional<Tensor> b) { return nn_linear(x, w, opt(b)); },
        py::arg("input"), py::arg("weight"), py::arg("bias"));
  m.def("mse_loss", &nn_mse_loss, py::arg("input"), py::arg("target"), py::arg("reduction"));
  m.def("nll", [](const Tensor& x, const Tensor& t, std::optional<Tensor> w, int64_t ii, int64_t r) {
    return nn_nll(x, t, opt(w), ii, r);
  }, py::arg("input"), py::arg("target"), py::arg("weight"), py::arg("ignore_index"), py::arg("reduction"),
        "F.nll_loss: its checks, then nll_loss, nll_loss2d, or nll_loss2d through a reshape.");
  m.def("cross_entropy", [](const Tensor& x, const Tensor& t, std::optional<Tensor> w, int64_t ii, int64_t r) {
    return nn_cross_entropy(x, t, opt(w), ii, r);
  }, py::arg("input"), py::arg("target"), py::arg("weight"), py::arg("ignore_index"), py::arg("reduction"),
        "F.cross_entropy with class-index targets and no label smoothing: nll(log_softmax(input)).");
  m.def("binary_cross_entropy", [](const Tensor& x, const Tensor& t, std::optional<Tensor> w, int64_t r) {
    return nn_binary_cross_entropy(x, t, opt(w), r);
  }, py::arg("input"), py::arg("target"), py::arg("weight"), py::arg("reduction"));
  m.def("binary_cross_entropy_with_logits",
        [](const Tensor& x, const Tensor& t, std::optional<Tensor> w, std::optional<Tensor> pw, int64_t r) {
          return nn_bce_with_logits(x, t, opt(w), opt(pw), r);
        },
        py::arg("input"), py::arg("target"), py::arg("weight"), py::arg("pos_weight"), py::arg("reduction"));
  m.def("layer_norm", [](const Tensor& x, int64_t nd, std::optional<Tensor> w, std::optional<Tensor> b, double eps) {
    return nn_layer_norm(x, nd, opt(w), opt(b), eps);
  }, py::arg("input"), py::arg("normalized_dims"), py::arg("weight"), py::arg("bias"), py::arg("eps"));
  m.def("embedding", &nn_embedding, py::arg("weight"), py::arg("indices"), py::arg("padding_idx"));
  m.def("constant_pad", [](const Tensor& a, const std::vector<int64_t>& pads, hint::Number value) {
    std::optional<Scalar> v = py_convert::to_number(value);
    TG_CHECK(v, Type, "pad(): argument 'value' must be Number, not ", Py_TYPE(value.ptr())->tp_name);
    return nn_constant_pad(a, pads, *v);
  }, py::arg("input"), py::arg("pad"), py::arg("value"));
  m.def("index_pad", &nn_index_pad, py::arg("input"), py::arg("pad"), py::arg("mode"));
  m.def("dropout_mask", &nn_dropout_mask, py::arg("input"), py::arg("p"));
  m.def("one_hot", &nn_one_hot, py::arg("input"), py::arg("num_classes"));
}

}  // namespace tg::bindings
