// Special functions (erfc, erfinv, lgamma, digamma, polygamma), logit, nan_to_num and sgn.
// The real-valued ones compute ints and bools in float32, as PyTorch's do; the scalar math the
// C library lacks is in special_math.h. Derivatives are tapegrad ops, so they differentiate again
// (digamma's is polygamma(1, x), polygamma(n)'s is polygamma(n + 1)).
#include <cmath>
#include <limits>
#include <numbers>

#include "ops/elementwise.h"
#include "ops/special_math.h"

namespace tg {

using elementwise::cast_to;
using elementwise::floating_result;
using elementwise::map_floating;
using elementwise::OfInput;

namespace {
constexpr uint8_t kAllVariants = kFunction | kMethod | kInPlace;
}  // namespace

struct Erfc : OfInput<Erfc> {
  static constexpr const char* name = "erfc";
  static constexpr const char* node = "ErfcBackward0";
  static constexpr Schema schema{"erfc(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::erfc(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Erfc>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) {
    return grad * ((-2.0 / std::sqrt(std::numbers::pi)) * exp(-(x * x)));
  }
};

// d/dx erfinv(x) = sqrt(pi)/2 exp(erfinv(x)^2): PyTorch's formula, from the input.
struct Erfinv : OfInput<Erfinv> {
  static constexpr const char* name = "erfinv";
  static constexpr const char* node = "ErfinvBackward0";
  static constexpr Schema schema{"erfinv(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return T(special::erfinv(double(x))); }
  static Tensor forward(const Tensor& a) { return map_floating<Erfinv>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) {
    const Tensor y = erfinv(x);
    return grad * ((std::sqrt(std::numbers::pi) / 2) * exp(y * y));
  }
};

struct Lgamma : OfInput<Lgamma> {
  static constexpr const char* name = "lgamma";
  static constexpr const char* node = "LgammaBackward0";
  static constexpr Schema schema{"lgamma(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::lgamma(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Lgamma>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return grad * digamma(x); }
};

struct Digamma : OfInput<Digamma> {
  static constexpr const char* name = "digamma";
  static constexpr const char* node = "DigammaBackward0";
  static constexpr Schema schema{"digamma(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return T(special::digamma(double(x))); }
  static Tensor forward(const Tensor& a) { return map_floating<Digamma>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return grad * polygamma(1, x); }
};

struct Polygamma {
  static constexpr const char* name = "polygamma";
  static constexpr const char* node = "PolygammaBackward0";
  static constexpr Schema schema{"polygamma(int n, Tensor input, *, Tensor? out=None)", kFunction};
  struct Saved {
    SavedTensor self;
    int64_t n = 0;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(int64_t n, const Tensor& a) {
    TG_CHECK(n >= 0, Runtime, "polygamma(n, x) does not support negative n.");
    const Tensor x = cast_to(a, floating_result(a.dtype()));
    Tensor out = Tensor::empty(x.sizes(), x.dtype());
    visit_floating(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      kernels::unary_loop<T, T>(out, x, [n](T v) { return T(special::polygamma(n, double(v))); },
                                parallel::kGrainCostly);
    });
    return out;
  }
  static void save(Saved& s, int64_t n, const Tensor& a, const Tensor&) { s.self = a, s.n = n; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    return {grad * polygamma(s.n + 1, s.self.unpack())};  // one gradient: n is no tensor
  }
};

// logit(x) = log(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps is given. The
// gradient is 0 where the clamp held x (NaN outside [0, 1] without eps), PyTorch's rule.
struct Logit {
  static constexpr const char* name = "logit";
  static constexpr const char* node = "LogitBackward0";
  static constexpr Schema schema{"logit(Tensor input, float? eps=None, *, Tensor? out=None)", kAllVariants};
  struct Saved {
    SavedTensor self;
    std::optional<double> eps;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a, std::optional<double> eps) {
    const Tensor x = cast_to(a, floating_result(a.dtype()));
    Tensor out = Tensor::empty(x.sizes(), x.dtype());
    const bool clamped = eps && *eps >= 0;  // a negative eps is no eps, as in PyTorch
    visit_floating(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T lo = clamped ? T(*eps) : T(0), hi = clamped ? T(1 - *eps) : T(1);
      kernels::unary_loop<T, T>(out, x, [=](T v) {
        const T z = !clamped ? v : v < lo ? lo : v > hi ? hi : v;
        return std::log(z / (T(1) - z));
      }, parallel::kGrainCostly);
    });
    return out;
  }
  static void save(Saved& s, const Tensor& a, std::optional<double> eps, const Tensor&) { s.self = a, s.eps = eps; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    const Tensor x = s.self.unpack();
    const Tensor g = grad / (x * (1.0 - x));
    const bool clamped = s.eps && *s.eps >= 0;
    const double lo = clamped ? *s.eps : 0.0, hi = clamped ? 1.0 - *s.eps : 1.0;
    const Tensor outside = logical_or(lt(x, scalar_tensor(lo)), gt(x, scalar_tensor(hi)));
    const double fill = clamped ? 0.0 : std::numeric_limits<double>::quiet_NaN();
    return {where(outside, kernels::full({}, fill, g.dtype()), g)};
  }
};

// NaN, +inf and -inf replaced (by 0, and the dtype's largest and lowest finite values unless
// given); ints and bools have none, so they come back as a copy.
struct NanToNum {
  static constexpr const char* name = "nan_to_num";
  static constexpr const char* node = "NanToNumBackward0";
  static constexpr Schema schema{
      "nan_to_num(Tensor input, float? nan=0.0, float? posinf=None, float? neginf=None, *, Tensor? out=None)",
      kAllVariants};
  struct Saved {
    SavedTensor self;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a, std::optional<double> nan, std::optional<double> posinf,
                        std::optional<double> neginf) {
    if (!is_floating(a.dtype())) return kernels::contiguous_copy(a);
    Tensor out = Tensor::empty(a.sizes(), a.dtype());
    visit_floating(a.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      using L = std::numeric_limits<T>;
      const T n = T(nan.value_or(0.0)), p = posinf ? T(*posinf) : L::max(), m = neginf ? T(*neginf) : L::lowest();
      kernels::unary_loop<T, T>(out, a, [=](T v) { return std::isnan(v) ? n : v == L::infinity() ? p : v == -L::infinity() ? m : v; });
    });
    return out;
  }
  static void save(Saved& s, const Tensor& a, std::optional<double>, std::optional<double>, std::optional<double>,
                   const Tensor&) {
    s.self = a;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {grad * isfinite(s.self.unpack())}; }
};

// sgn is sign for real tensors (bool stays bool); its real derivative is zero, as sign's.
struct Sgn {
  static constexpr const char* name = "sgn";
  static constexpr const char* node = "SgnBackward0";
  static constexpr Schema schema{"sgn(Tensor input, *, Tensor? out=None)", kAllVariants};
  struct Saved {};
  static Tensor forward(const Tensor& a) {
    return a.dtype() == DType::Bool ? kernels::contiguous_copy(a) : kernels::unary(kernels::UnaryOp::Sign, a);
  }
  static TensorList backward(Saved&, const Tensor& grad, Needs) { return {zeros_like(grad)}; }
};

Tensor erfc(const Tensor& a) { return apply_op<Erfc>(a); }
Tensor erfinv(const Tensor& a) { return apply_op<Erfinv>(a); }
Tensor lgamma(const Tensor& a) { return apply_op<Lgamma>(a); }
Tensor digamma(const Tensor& a) { return apply_op<Digamma>(a); }
Tensor polygamma(int64_t n, const Tensor& a) { return apply_op<Polygamma>(n, a); }
Tensor logit(const Tensor& a, std::optional<double> eps) { return apply_op<Logit>(a, eps); }
Tensor nan_to_num(const Tensor& a, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf) {
  return apply_op<NanToNum>(a, nan, posinf, neginf);
}

namespace {
// Tensor.polygamma(n) and polygamma_(n): the method takes n after self.
Tensor polygamma_method(const Tensor& a, int64_t n) { return polygamma(n, a); }
}  // namespace

void register_unary_special_ops(std::vector<OpInfo>& ops) {
  register_ops<Erfc, Erfinv, Lgamma, Digamma, Polygamma, Logit, NanToNum, Sgn>(ops);
  register_functions(ops, {
      {{"polygamma(Tensor input, int n)", kMethod | kInPlace}, invoke_fn<&polygamma_method>},
  });
}

}  // namespace tg
