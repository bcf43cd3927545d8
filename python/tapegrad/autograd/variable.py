"""Variable(t, requires_grad=False): since PyTorch 0.4 a Variable is simply a Tensor. Calling it
returns a new leaf that shares t's data, so old code written with Variable runs unchanged."""
from typing import TYPE_CHECKING, Any

from .._C import Tensor


class _VariableMeta(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor)


if TYPE_CHECKING:
    # What type checkers see: Variable(...) makes a Tensor, and isinstance(t, Variable) holds
    # for every tensor.
    class Variable(Tensor):
        def __new__(cls, data: Tensor, requires_grad: bool = False,  # type: ignore[misc]
                    volatile: bool = False) -> Tensor: ...
else:
    class Variable(metaclass=_VariableMeta):
        def __new__(cls, data: Tensor, requires_grad: bool = False, volatile: bool = False) -> Tensor:
            if not isinstance(data, Tensor):
                raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
            return data.detach().requires_grad_(requires_grad)
