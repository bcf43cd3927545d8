// Type hints for the signatures pybind11 writes (and so for the .pyi stubs pybind11-stubgen
// makes from them: python/tapegrad/_C/*.pyi, see scripts/generate_stubs.py).
//
// Bindings that parse an argument by hand take it as py::handle / py::object, which pybind11
// would print as `object`. These wrappers behave as the type they wrap (the same checks, none
// for handle/object, no conversion, no extra cost) and only change the printed type:
//   hint::Arg<Tag>   a borrowed argument, like py::handle (for the hot operator dunders);
//   hint::Obj<Tag>   an owned argument or result, like py::object;
//   hint::Callable<Tag>  a callable, like py::function;
//   hint::Varargs<Tag>  *args, like py::args, printed as `*name: type`.
// Each Tag holds the printed text. Names of tapegrad's own types are written in full
// (tapegrad._C.Tensor, tapegrad.Size) so that stubs of submodules resolve them too.
#pragma once
#include <pybind11/pybind11.h>

namespace tg::hint {

namespace py = pybind11;
using py::detail::const_name;

template <class Tag>
struct Arg {
  py::handle h;
  operator py::handle() const { return h; }
  PyObject* ptr() const { return h.ptr(); }
  bool is_none() const { return h.is_none(); }
  template <class T>
  T cast() const {
    return h.cast<T>();
  }
};

template <class Tag>
struct Obj : py::object {
  using py::object::object;
  Obj() = default;
  Obj(py::object o) : py::object(std::move(o)) {}  // NOLINT: implicit, so `return py::cast(x);` works
  static bool check_(py::handle) { return true; }  // accepts anything: the binding checks the value itself
};

template <class Tag>
struct Callable : py::function {  // checked as py::function is (callable)
  using py::function::function;
};

template <class Tag>
struct Varargs : py::args {
  using py::args::args;
};

#define TG_HINT_TAG(Tag, text) \
  struct Tag {                 \
    static constexpr auto name = const_name(text); \
  }

// Arguments.
TG_HINT_TAG(TensorOrNumberTag, "tapegrad._C.Tensor | float");
TG_HINT_TAG(OptTensorOrNumberTag, "tapegrad._C.Tensor | float | None");
TG_HINT_TAG(DimsTag, "int | collections.abc.Sequence[int] | None");
TG_HINT_TAG(DimOrDimsTag, "int | collections.abc.Sequence[int]");
TG_HINT_TAG(DimsOrUnbiasedTag, "int | collections.abc.Sequence[int] | bool | None");
TG_HINT_TAG(OptBoolTag, "bool | None");
TG_HINT_TAG(OptFloatTag, "float | None");
TG_HINT_TAG(NormPTag, "float | str | None");
TG_HINT_TAG(ShapeTag, "collections.abc.Sequence[int]");
TG_HINT_TAG(SplitTag, "int | collections.abc.Sequence[int]");
TG_HINT_TAG(TensorsTag, "collections.abc.Sequence[tapegrad._C.Tensor]");
TG_HINT_TAG(OptTensorsTag, "tapegrad._C.Tensor | collections.abc.Sequence[tapegrad._C.Tensor] | None");
TG_HINT_TAG(IndexKeyTag, "tapegrad._tensor.IndexKey");
TG_HINT_TAG(SupportsIndexTag, "typing.SupportsIndex");
TG_HINT_TAG(DTypeOrTensorTag, "tapegrad._C.dtype | tapegrad._C.Tensor");
TG_HINT_TAG(TensorHookTag, "collections.abc.Callable[[tapegrad._C.Tensor], tapegrad._C.Tensor | None]");
TG_HINT_TAG(NodeHookTag,
            "collections.abc.Callable[[tuple[tapegrad._C.Tensor | None, ...], tuple[tapegrad._C.Tensor | None, ...]], "
            "collections.abc.Sequence[tapegrad._C.Tensor | None] | None]");
TG_HINT_TAG(NodePrehookTag,
            "collections.abc.Callable[[tuple[tapegrad._C.Tensor | None, ...]], "
            "collections.abc.Sequence[tapegrad._C.Tensor | None] | None]");
TG_HINT_TAG(SizeArgsTag, "*size: int | collections.abc.Sequence[int]");
TG_HINT_TAG(DimsArgsTag, "*dims: int | collections.abc.Sequence[int]");
TG_HINT_TAG(ToTargetTag, "tapegrad._C.dtype | tapegrad._C.Tensor | str | int | typing.Any | None");
TG_HINT_TAG(ToDtypeTag, "tapegrad._C.dtype | bool | None");
TG_HINT_TAG(FlagTag, "bool");
TG_HINT_TAG(NoneOnlyTag, "None");
// Results.
TG_HINT_TAG(TensorTag, "tapegrad._C.Tensor");
TG_HINT_TAG(OptTensorTag, "tapegrad._C.Tensor | None");
TG_HINT_TAG(OptNodeTag, "tapegrad._C.Node | None");
TG_HINT_TAG(SizeTag, "tapegrad.Size");
TG_HINT_TAG(StridesTag, "tuple[int, ...]");
TG_HINT_TAG(NumberTag, "float | int | bool");
TG_HINT_TAG(NestedListTag, "typing.Any");
TG_HINT_TAG(TensorTupleTag, "tuple[tapegrad._C.Tensor, ...]");
TG_HINT_TAG(MaxTag, "tapegrad.return_types.max");
TG_HINT_TAG(MinTag, "tapegrad.return_types.min");
TG_HINT_TAG(NextFunctionsTag, "tuple[tuple[tapegrad._C.Node | None, int], ...]");
TG_HINT_TAG(OptTensorListTag, "list[tapegrad._C.Tensor | None]");
TG_HINT_TAG(SizeListTag, "list[tapegrad.Size]");
TG_HINT_TAG(SavedInfoListTag, "list[tuple[tapegrad.Size, tapegrad._C.dtype, int]]");
TG_HINT_TAG(OpListTag, "list[tuple[str, str]]");
#undef TG_HINT_TAG

using TensorOrNumber = Arg<TensorOrNumberTag>;        // a Tensor or a Python bool/int/float
using OptTensorOrNumber = Obj<OptTensorOrNumberTag>;
using Dims = Obj<DimsTag>;                            // dim=None (all), an int or a sequence of ints
using DimOrDims = Obj<DimOrDimsTag>;
using DimsOrUnbiased = Obj<DimsOrUnbiasedTag>;        // var/std: a lone bool is `unbiased`
using OptBool = Obj<OptBoolTag>;
using OptFloat = Obj<OptFloatTag>;
using NormP = Obj<NormPTag>;
using Shape = Obj<ShapeTag>;
using SplitSizes = Obj<SplitTag>;
using Tensors = Obj<TensorsTag>;
using OptTensors = Obj<OptTensorsTag>;
using IndexKey = Obj<IndexKeyTag>;                    // x[key]: ints, slices, None, ..., index tensors
using SupportsIndex = Obj<SupportsIndexTag>;          // an int, or anything with __index__
using DTypeOrTensor = Obj<DTypeOrTensorTag>;
using TensorHook = Callable<TensorHookTag>;
using NodeHook = Callable<NodeHookTag>;
using NodePrehook = Callable<NodePrehookTag>;
using SizeArgs = Varargs<SizeArgsTag>;                // view(2, 3) or view((2, 3))
using DimsArgs = Varargs<DimsArgsTag>;                // permute(1, 0) or permute((1, 0))
using ToTarget = Obj<ToTargetTag>;                    // Tensor.to's first argument: dtype, tensor or device
using ToDtype = Obj<ToDtypeTag>;
using Flag = Obj<FlagTag>;                            // a bool, checked by the binding
using NoneOnly = Obj<NoneOnlyTag>;                    // an argument PyTorch has and tapegrad takes only as None
using TensorResult = Obj<TensorTag>;                  // a Tensor (the dunders may also give NotImplemented)
using OptTensor = Obj<OptTensorTag>;                  // a Tensor or None (.grad)
using OptNode = Obj<OptNodeTag>;                      // a grad_fn or None
using SizeResult = Obj<SizeTag>;
using StridesResult = Obj<StridesTag>;
using Number = Obj<NumberTag>;
using NestedList = Obj<NestedListTag>;
using TensorTuple = Obj<TensorTupleTag>;
using MaxResult = Obj<MaxTag>;
using MinResult = Obj<MinTag>;
using NextFunctions = Obj<NextFunctionsTag>;
using OptTensorList = Obj<OptTensorListTag>;
using SizeList = Obj<SizeListTag>;
using SavedInfoList = Obj<SavedInfoListTag>;
using OpList = Obj<OpListTag>;

}  // namespace tg::hint

namespace pybind11::detail {

template <class Tag>
struct type_caster<tg::hint::Arg<Tag>> {
  PYBIND11_TYPE_CASTER(tg::hint::Arg<Tag>, Tag::name);
  bool load(handle src, bool) {
    value.h = src;
    return static_cast<bool>(src);
  }
  static handle cast(const tg::hint::Arg<Tag>& src, return_value_policy, handle) { return src.h.inc_ref(); }
};

template <class Tag>
struct handle_type_name<tg::hint::Obj<Tag>> {
  static constexpr auto name = Tag::name;
};

template <class Tag>
struct handle_type_name<tg::hint::Callable<Tag>> {
  static constexpr auto name = Tag::name;
};

template <class Tag>
struct handle_type_name<tg::hint::Varargs<Tag>> {
  // io_name's layout: the text in an argument list, then the type as a value (a tuple).
  static constexpr auto name = const_name("@") + Tag::name + const_name("@tuple@");
};

}  // namespace pybind11::detail
