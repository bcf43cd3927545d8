"""nn.Parameter: a leaf tensor a Module registers as a parameter.

tapegrad.Tensor is a pybind11 class, and Python subclasses of it come back from C++ ops as the
base class, so Parameter is not a subclass. Parameter(t) returns a plain leaf tensor (sharing
t's data) and remembers it in a weak registry; isinstance(p, Parameter) consults that registry.
"""
import weakref
from typing import TYPE_CHECKING, Any, Iterable, Optional

from .. import _C
from .._C import Tensor

_PARAMETERS: "weakref.WeakValueDictionary[int, Tensor]" = weakref.WeakValueDictionary()


def _mark(t: Tensor) -> Tensor:
    _PARAMETERS[id(t)] = t
    return t


def is_parameter(obj: object) -> bool:
    # id() alone could be reused by a new object after the old one died; the weak value
    # is gone by then, so compare identity with what the registry still holds.
    return isinstance(obj, Tensor) and _PARAMETERS.get(id(obj)) is obj


class _ParameterMeta(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return is_parameter(obj)


if TYPE_CHECKING:
    # What type checkers see: a Parameter is a Tensor (as torch.nn.Parameter subclasses
    # torch.Tensor), so `self.weight = nn.Parameter(...)` then `x @ self.weight.t()` type-checks.
    class Parameter(Tensor):
        def __new__(cls, data: Optional[Tensor] = None, requires_grad: bool = True) -> "Parameter": ...
else:
    class Parameter(metaclass=_ParameterMeta):
        """Parameter(data, requires_grad=True): a leaf tensor sharing data's memory, which
        Module registers as a parameter when assigned as an attribute. Its repr starts with
        "Parameter containing:" (see tapegrad._tensor)."""

        def __new__(cls, data: Optional[Tensor] = None, requires_grad: bool = True) -> Tensor:
            if data is None:
                from .. import empty
                data = empty(0)
            if not isinstance(data, Tensor):
                raise TypeError(f"Parameter data has to be a tensor, but got {type(data).__name__}")
            if requires_grad and not data.dtype.is_floating_point:
                raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
            return _mark(data.detach().requires_grad_(requires_grad))


class Buffer(metaclass=type):
    """nn.Buffer(t, persistent=True): marks a tensor for registration as a buffer."""

    def __init__(self, data: Optional[Tensor], persistent: bool = True) -> None:
        self.data = data
        self.persistent = persistent


def zero_grads(params: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Module.zero_grad and Optimizer.zero_grad: drop (or zero in place) each parameter's .grad."""
    _C._optim.zero_grads(params if isinstance(params, list) else list(params), bool(set_to_none))
