// Bitwise ops on bool and int64 tensors: and, or, xor, not and the two shifts (the `&`, `|`,
// `^`, `~`, `<<`, `>>` operators, bindings/tensor_operators.cpp). Floating operands are refused
// with PyTorch's kernel names; nothing here is differentiable (no float results).
#include <concepts>

#include "ops/elementwise.h"

namespace tg {

using elementwise::zip_in;

namespace {

constexpr uint8_t kAllVariants = kFunction | kMethod | kInPlace;

void refuse(bool refused, const char* kernel, DType d) {
  TG_CHECK(!refused, NotImplemented, "\"", kernel, "\" not implemented for '", dtype_legacy_name(d), "'");
}

struct AndFn {
  template <std::integral T> static T f(T x, T y) { return x & y; }
};
struct OrFn {
  template <std::integral T> static T f(T x, T y) { return x | y; }
};
struct XorFn {
  template <std::integral T> static T f(T x, T y) { return x ^ y; }
};
// Shifts by a negative amount or by the width or more give 0 (left) or the sign fill (right),
// as PyTorch's; a left shift drops the bits shifted out (computed unsigned: no overflow).
struct LeftShiftFn {
  static int64_t f(int64_t x, int64_t y) {
    return y < 0 || y >= 64 ? 0 : int64_t(uint64_t(x) << y);
  }
};
struct RightShiftFn {
  static int64_t f(int64_t x, int64_t y) { return y < 0 || y >= 64 ? (x < 0 ? -1 : 0) : x >> y; }
};

template <class Fn>
Tensor bitwise(const Tensor& a, const Tensor& b, const char* kernel, bool bool_ok) {
  const DType d = result_type(a, b);
  refuse(is_floating(d) || (!bool_ok && d == DType::Bool), kernel, d);
  return zip_in<Fn>(a, b, d);
}

}  // namespace

Tensor bitwise_and(const Tensor& a, const Tensor& b) { return bitwise<AndFn>(a, b, "bitwise_and_cpu", true); }
Tensor bitwise_or(const Tensor& a, const Tensor& b) { return bitwise<OrFn>(a, b, "bitwise_or_cpu", true); }
Tensor bitwise_xor(const Tensor& a, const Tensor& b) { return bitwise<XorFn>(a, b, "bitwise_xor_cpu", true); }
Tensor bitwise_left_shift(const Tensor& a, const Tensor& b) {
  return bitwise<LeftShiftFn>(a, b, "lshift_cpu", false);
}
Tensor bitwise_right_shift(const Tensor& a, const Tensor& b) {
  return bitwise<RightShiftFn>(a, b, "rshift_cpu", false);
}

// ~x: logical not for bools, two's complement not for ints.
Tensor bitwise_not(const Tensor& a) {
  refuse(is_floating(a.dtype()), "bitwise_not_cpu", a.dtype());
  if (a.dtype() == DType::Bool) return logical_not(a);
  Tensor out = Tensor::empty(a.sizes(), a.dtype());
  kernels::unary_loop<int64_t, int64_t>(out, a, [](int64_t v) { return ~v; });
  return out;
}

namespace {
// The in-place methods (x.bitwise_and_(y)) check that self can hold the promoted type before the
// op runs, as PyTorch's do (PyTorch's canCast: no float into an int, no non-bool into a bool), so
// an int self with a float operand is a casting error, not the kernel's refusal of floats.
template <Tensor (*F)(const Tensor&, const Tensor&)>
Tensor in_place(const Tensor& self, const Tensor& other) {
  const DType d = result_type(self, other), to = self.dtype();
  TG_CHECK(!(is_floating(d) && !is_floating(to)) && !(d != DType::Bool && to == DType::Bool), Runtime,
           "result type ", dtype_legacy_name(d), " can't be cast to the desired output type ", dtype_legacy_name(to));
  return apply_inplace(self, [&](const Tensor& s) { return F(s, other); });
}

// Number-first overloads (torch.bitwise_and(5, t)): the number is the wrapped first operand.
template <Tensor (*F)(const Tensor&, const Tensor&)>
Tensor number_first(Scalar a, const Tensor& b) { return F(scalar_tensor(a), b); }
}  // namespace

void register_bitwise_ops(std::vector<OpInfo>& ops) {
  register_functions(ops, {
      {{"bitwise_not(Tensor input, *, Tensor? out=None)", kAllVariants}, invoke_fn<&bitwise_not>},
#define TG_BITWISE(name)                                                                                    \
  {{#name "(Tensor input, Tensor other, *, Tensor? out=None)", kFunction | kMethod}, invoke_fn<&name>},     \
      {{#name "(Number self, Tensor other)", kFunction}, invoke_fn<&number_first<&name>>},                  \
      {{#name "(Tensor input, Number other, *, Tensor? out=None)", kFunction | kMethod}, invoke_fn<&name>}, \
      {{#name "_(Tensor input, Tensor other)", kMethod}, invoke_fn<&in_place<&name>>},                      \
      {{#name "_(Tensor input, Number other)", kMethod}, invoke_fn<&in_place<&name>>}
      TG_BITWISE(bitwise_and), TG_BITWISE(bitwise_or), TG_BITWISE(bitwise_xor),
      TG_BITWISE(bitwise_left_shift), TG_BITWISE(bitwise_right_shift),
#undef TG_BITWISE
  });
}

}  // namespace tg
