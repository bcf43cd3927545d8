"""Note [No pybind11 text reaches a user] (csrc/bindings/argument_errors.cpp): every bound
function and Tensor method, called with arguments that no overload takes, raises a TypeError in
PyTorch's words, never pybind11's "incompatible function arguments" or "Unable to cast". That
holds for the hand-bound pybind11 functions and for the ones the op schemas make (OpFunction,
csrc/bindings/op_function.cpp), which parse their arguments themselves."""
import types

import pytest

import tapegrad as tg
from tapegrad import _C

PYBIND11_TEXT = ("incompatible function arguments", "Unable to cast", "Invoked with", "C++ type")
# Test hooks that misbehave on purpose (a deliberate sanitizer report) are not called.
NOT_CALLED = {"_sanitizer_canary"}


class Strange:
    """An argument no binding takes: not a number, tensor, sequence, dtype or callable."""


def _is_op_function(fn):
    return type(fn).__name__ == "OpFunction"


def _bound_functions():
    found = []
    modules = [_C] + [v for v in vars(_C).values() if isinstance(v, types.ModuleType)]
    for mod in modules:
        for name, fn in vars(mod).items():
            bound = isinstance(fn, types.BuiltinFunctionType) or _is_op_function(fn)
            if bound and not name.startswith("__") and name not in NOT_CALLED:
                found.append((f"{mod.__name__}.{name}", fn))
    for name, fn in vars(_C.Tensor).items():
        if not name.startswith("__") and callable(fn) and ("instancemethod" in type(fn).__name__ or _is_op_function(fn)):
            found.append((f"Tensor.{name}", getattr(tg.ones(2, 3), name)))
    return found


FUNCTIONS = _bound_functions()


def test_every_binding_is_covered():
    names = {n for n, _ in FUNCTIONS}
    assert len(FUNCTIONS) > 150
    assert {"tapegrad._C.exp", "Tensor.to", "Tensor.unsqueeze", "tapegrad._C._nn.linear"} <= names
    assert {"tapegrad._C.atan2", "Tensor.atan2", "Tensor.atan2_"} <= names  # made from schemas


BAD_CALLS = {
    "a strange positional": lambda f: f(Strange()),
    "two strange positionals": lambda f: f(Strange(), Strange()),
    "an unknown keyword": lambda f: f(no_such_argument=Strange()),
    "too many arguments": lambda f: f(*[Strange()] * 9),
}


@pytest.mark.parametrize("call", list(BAD_CALLS), ids=list(BAD_CALLS))
@pytest.mark.parametrize("name,fn", FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_a_call_no_overload_takes_gives_pytorchs_wording(name, fn, call):
    try:
        BAD_CALLS[call](fn)
    except Exception as e:  # any clean Python exception is fine, pybind11's text is not
        assert not any(t in str(e) for t in PYBIND11_TEXT), f"{name}: {type(e).__name__}: {e}"
        if "invalid combination of arguments" in str(e):
            assert isinstance(e, TypeError)
            assert str(e).startswith(name.rsplit(".", 1)[-1] + "() received an invalid combination of arguments - got (")


def test_the_error_lists_the_real_signatures_and_the_types_given():
    with pytest.raises(TypeError) as info:
        tg.ones(2).unsqueeze("a")
    assert str(info.value) == ("unsqueeze() received an invalid combination of arguments - got (str), "
                               "but expected one of:\n * (dim: int)\n")
    with pytest.raises(TypeError, match=r"got \(Tensor, str\), but expected one of:\n \* \(Tensor input, Tensor other"):
        _C.remainder(tg.ones(1), "a")  # a schema-made function with two overloads
    with pytest.raises(TypeError, match=r"^exp\(\) got an unexpected keyword argument 'dim'$"):
        _C.exp(tg.ones(1), dim=1.5)  # one overload: PyTorch names the argument


def test_calls_that_need_a_conversion_still_reach_their_overload():
    """The fallback's gate opens only in pybind11's converting pass (numpy ints for an int)."""
    import numpy as np
    x = tg.ones(2, 3)
    assert x.unsqueeze(np.int64(0)).shape == (1, 2, 3)
    assert x.transpose(np.int32(0), 1).shape == (3, 2)
