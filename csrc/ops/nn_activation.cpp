// Activations and softmax of tapegrad.nn.functional. Forwards run fused kernels
// (kernels/nn_kernels.cpp); every backward is written with tapegrad ops so it differentiates again.
#include "ops/nn_common.h"

namespace tg {

using namespace nn_detail;

namespace {  // op structs: see nn_common.h

// ---------------------------------------------------------------------------------------------
// Private helpers reached only by double backward (not in the registry: no user calls them).

struct Erf {
  static constexpr const char* name = "erf";
  static constexpr const char* node = "ErfBackward0";
  struct Saved {
    SavedTensor self;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a) { return knn::activation(Act::Erf, a); }
  static void save(Saved& s, const Tensor& a, const Tensor&) { s.self = a; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor x = s.self.unpack();
    return {grad * (exp(-(x * x)) * (2.0 / std::sqrt(std::numbers::pi)))};
  }
};
Tensor erf_op(const Tensor& a) { return apply_op<Erf>(a); }

// ---------------------------------------------------------------------------------------------
// Activations.

// leaky_relu and elu: slope 1 for positive x, and one parameter for the negative side.
template <Act A>
struct NegativeSide {
  static constexpr const char* name = A == Act::Elu ? "elu" : "leaky_relu";
  static constexpr const char* node = A == Act::Elu ? "EluBackward0" : "LeakyReluBackward0";
  struct Saved {
    SavedTensor self;
    double param = 0;  // elu's alpha, leaky_relu's slope
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a, double param) { return knn::activation(A, a, param); }
  static void save(Saved& s, const Tensor& a, double param, const Tensor&) { s.self = a, s.param = param; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor x = s.self.unpack();
    Tensor negative = A == Act::Elu ? exp(x) * s.param : like(x, s.param);
    return {grad * where(positive(x), ones_like(x), negative)};
  }
};
using LeakyRelu = NegativeSide<Act::LeakyRelu>;
using Elu = NegativeSide<Act::Elu>;

struct Gelu {
  static constexpr const char* name = "gelu";
  static constexpr const char* node = "GeluBackward0";
  struct Saved {
    SavedTensor self;
    bool tanh_approx = false;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a, bool tanh_approx) {
    return knn::activation(tanh_approx ? Act::GeluTanh : Act::Gelu, a);
  }
  static void save(Saved& s, const Tensor& a, bool t, const Tensor&) { s.self = a, s.tanh_approx = t; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor x = s.self.unpack();
    if (s.tanh_approx) {
      const double k = std::sqrt(2.0 / std::numbers::pi), c = 0.044715;
      Tensor th = tanh((x + x * x * x * c) * k);
      Tensor inner = (x * x * (3.0 * c) + 1.0) * k;
      return {grad * ((th + 1.0) * 0.5 + x * 0.5 * (1.0 - th * th) * inner)};
    }
    // d/dx x*Phi(x) = Phi(x) + x*phi(x)
    Tensor cdf = (erf_op(x * std::numbers::sqrt2 / 2.0) + 1.0) * 0.5;
    Tensor pdf = exp(x * x * -0.5) * (1.0 / std::sqrt(2.0 * std::numbers::pi));
    return {grad * (cdf + x * pdf)};
  }
};

struct Silu {
  static constexpr const char* name = "silu";
  static constexpr const char* node = "SiluBackward0";
  struct Saved {
    SavedTensor self;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a) { return knn::activation(Act::Silu, a); }
  static void save(Saved& s, const Tensor& a, const Tensor&) { s.self = a; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor x = s.self.unpack(), sg = sigmoid(x);
    return {grad * (sg * (x * (1.0 - sg) + 1.0))};
  }
};

struct Softplus {
  static constexpr const char* name = "softplus";
  static constexpr const char* node = "SoftplusBackward0";
  struct Saved {
    SavedTensor self;
    double beta = 1, threshold = 20;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a, double beta, double threshold) {
    TG_CHECK(is_floating(a.dtype()), NotImplemented, "\"softplus_cpu\" not implemented for '",
             dtype_legacy_name(a.dtype()), "'");  // PyTorch's words, not the kernel's dtype check
    return knn::activation(Act::Softplus, a, beta, threshold);
  }
  static void save(Saved& s, const Tensor& a, double beta, double threshold, const Tensor&) {
    s.self = a, s.beta = beta, s.threshold = threshold;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor bx = s.self.unpack() * s.beta;
    return {grad * where(gt(bx, scalar_tensor(s.threshold)), ones_like(bx), sigmoid(bx))};
  }
};

// ---------------------------------------------------------------------------------------------
// softmax and log_softmax along one dim (max-subtracted in the kernel); both keep their output.

template <bool Log>
struct SoftmaxOf {
  static constexpr const char* name = Log ? "log_softmax" : "softmax";
  static constexpr const char* node = Log ? "LogSoftmaxBackward0" : "SoftmaxBackward0";
  struct Saved {
    SavedTensor out;
    int64_t dim = 0;
    auto tensors() { return std::tie(out); }
  };
  static Tensor forward(const Tensor& a, int64_t dim) { return knn::softmax(a, wrap_dim(dim, a.dim()), Log); }
  static void save(Saved& s, const Tensor& a, int64_t dim, const Tensor& out) {
    s.out = SavedTensor(out, true), s.dim = dim;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor y = s.out.unpack();
    if (Log) return {grad - exp(y) * sum(grad, {s.dim}, true)};
    return {y * (grad - sum(grad * y, {s.dim}, true))};
  }
};
using Softmax = SoftmaxOf<false>;
using LogSoftmax = SoftmaxOf<true>;

}  // namespace


Tensor nn_leaky_relu(const Tensor& a, double slope) { return apply_op<LeakyRelu>(a, slope); }
Tensor nn_gelu(const Tensor& a, bool tanh_approx) { return apply_op<Gelu>(a, tanh_approx); }
Tensor nn_silu(const Tensor& a) { return apply_op<Silu>(a); }
Tensor nn_elu(const Tensor& a, double alpha) { return apply_op<Elu>(a, alpha); }
Tensor nn_softplus(const Tensor& a, double beta, double threshold) { return apply_op<Softplus>(a, beta, threshold); }
Tensor nn_softmax(const Tensor& a, int64_t dim) { return apply_op<Softmax>(a, dim); }
Tensor nn_log_softmax(const Tensor& a, int64_t dim) { return apply_op<LogSoftmax>(a, dim); }

void register_nn_activation_ops(std::vector<OpInfo>& ops) {
  register_ops<LeakyRelu, Gelu, Silu, Elu, Softplus, Softmax, LogSoftmax>(ops);
}

}  // namespace tg
