// Note [Op schemas]
// An op says how Python calls it in one line next to its struct, in PyTorch's words:
//
//   static constexpr Schema schema{"atan2(Tensor input, Tensor other, *, Tensor? out=None)",
//                                  kFunction | kMethod | kInPlace};
//
// From that line alone the bindings make tapegrad.atan2, Tensor.atan2 and Tensor.atan2_ (with
// PyTorch's argument names, defaults, keyword-only marker, `out=` and its errors), the stubs
// and the package exports. Nothing Python-side is written by hand.
//
// Argument types (how the parser reads a Python value; each becomes one Arg):
//   Tensor          a tensor                          Tensor|Number  a tensor, or a number as a
//   Number          a bool/int/float (exact), or 0-d  wrapped 0-d tensor (torch's operands)
//   int float bool  that Python type                  int[]          an int or a tuple/list of ints
//   dtype           a tapegrad dtype                  T?             T or None (default None)
//   str             a Python str                      Tensor[]       a list or tuple of tensors
// A list type takes its items as separate positional arguments too, as PyTorch's do: an int[]
// that is the only positional argument (x.view(2, 3), x.permute(1, 0); a method's self is not
// counted), a Tensor[] that is the last one (meshgrid(a, b), einsum("ij,jk", a, b)).
// `*` starts the keyword-only arguments; `name=value` gives a default (None, True, False, a
// number, or `()` for an empty int[]); `Tensor? out=None` is PyTorch's out argument, handled
// for every op alike (the result is written into it). Several structs may share a name: they
// are that function's overloads, tried in registry order (Remainder's Tensor overload, then
// its Number one), as PyTorch's argument parser tries its signatures.
//
// What the op returns follows `->`: nothing (or `-> Tensor`) for one tensor; `-> Tensor[]` for a
// tuple of tensors (split, meshgrid); `-> (Tensor values, Tensor indices)` for a named tuple,
// tapegrad.return_types.<name>, as torch.return_types (topk, sort). Those entry points return
// a TensorList.
//
// The struct's entry point takes the schema's arguments as C++ types, in order (out left out):
// `static Tensor call(...)` when the op has one (to choose between structs, or to scale alpha),
// else `forward`, through apply_op. Tensor, Scalar, int64_t, double, bool, DimList and DType
// parameters, std::string_view for str and TensorList for Tensor[], and std::optional of each,
// are filled from the parsed arguments.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "core/scalar.h"
#include "core/small_vector.h"
#include "core/tensor.h"

namespace tg {

using DimList = SmallVector<int64_t, 6>;

// Which Python callables an op's schema makes (bits; kFunction | kMethod is most ops).
enum Variant : uint8_t { kFunction = 1, kMethod = 2, kInPlace = 4 };

struct Schema {
  const char* signature = nullptr;
  uint8_t variants = 0;
};

// One parsed argument, in the core's types. `none` when the value is None or was left out
// with a None default; else the field of the schema type is set (ints, floats and bools
// arrive as the Scalar they are).
struct Arg {
  bool none = true;
  Tensor tensor;
  Scalar scalar;
  DimList dims;
  DType dtype = DType::Float32;
  TensorList tensors;
  std::string_view text;  // points into the Python str, which outlives the call
};

// Calls an op with its parsed arguments (args[0] is the first schema argument): `one` for ops
// that return a tensor, `many` for those that return several.
struct Invoke {
  Tensor (*one)(const Arg* args) = nullptr;
  TensorList (*many)(const Arg* args) = nullptr;
};

Tensor scalar_tensor(Scalar value);  // ops.h: a Python number as a wrapped 0-d tensor

namespace schema_detail {

template <class T> struct From;
// A Number argument where the op takes a Tensor becomes a wrapped number (x % 2).
template <> struct From<Tensor> {
  static Tensor get(const Arg& a) { return a.tensor.defined() || a.none ? a.tensor : scalar_tensor(a.scalar); }
};
template <> struct From<Scalar> { static Scalar get(const Arg& a) { return a.scalar; } };
template <> struct From<int64_t> { static int64_t get(const Arg& a) { return a.scalar.to_int_exact(); } };
template <> struct From<double> { static double get(const Arg& a) { return a.scalar.to_double(); } };
template <> struct From<bool> { static bool get(const Arg& a) { return a.scalar.to<bool>(); } };
template <> struct From<DimList> { static DimList get(const Arg& a) { return a.dims; } };
template <> struct From<DType> { static DType get(const Arg& a) { return a.dtype; } };
template <> struct From<TensorList> { static TensorList get(const Arg& a) { return a.tensors; } };
template <> struct From<std::string_view> { static std::string_view get(const Arg& a) { return a.text; } };
template <class T> struct From<std::optional<T>> {
  static std::optional<T> get(const Arg& a) { return a.none ? std::nullopt : std::optional<T>(From<T>::get(a)); }
};

// Calls `fn` (a function pointer) with args[0..n) converted to its parameter types.
template <class R, class... P, size_t... I>
R call_with(R (*fn)(P...), const Arg* args, std::index_sequence<I...>) {
  return fn(From<std::decay_t<P>>::get(args[I])...);
}

}  // namespace schema_detail

namespace schema_detail {
template <auto Fn, class R>
R call_fn(const Arg* args) {
  return [&]<class... P>(R (*fn)(P...)) { return call_with(fn, args, std::index_sequence_for<P...>{}); }(Fn);
}
template <class R, class... P> R result_of(R (*)(P...));
}  // namespace schema_detail

// The Invoke of a plain function: invoke_fn<&add_alpha>.
template <auto Fn>
inline constexpr Invoke invoke_fn = [] {
  using R = decltype(schema_detail::result_of(Fn));
  if constexpr (std::is_same_v<R, TensorList>) return Invoke{nullptr, &schema_detail::call_fn<Fn, TensorList>};
  else return Invoke{&schema_detail::call_fn<Fn, Tensor>, nullptr};
}();

template <class Op, class... Args> Tensor apply_op(const Args&... args);

namespace schema_detail {
template <class Op, class... P>
Tensor apply_forward(const P&... args) {
  return apply_op<Op>(args...);
}
template <class Op, class R, class... P>
constexpr auto entry_of(R (*)(P...)) {
  return &apply_forward<Op, std::decay_t<P>...>;
}
}  // namespace schema_detail

// The Invoke of an op struct: Op::call when it has one, else apply_op<Op> over Op::forward's
// parameters.
template <class Op>
inline constexpr Invoke invoke_op = [] {
  if constexpr (requires { &Op::call; }) return invoke_fn<&Op::call>;
  else return invoke_fn<schema_detail::entry_of<Op>(&Op::forward)>;
}();

}  // namespace tg
