"""The default float dtype (set_default_dtype / get_default_dtype) and dtype facts (finfo,
iinfo, promote_types, ...) as PyTorch has them."""
from typing import Any

from . import _C, _creation
from ._C import dtype


def set_default_dtype(d: Any) -> None:
    """float32 or float64 only, as in torch: creation functions, tensor(1.5), Python floats in
    arithmetic with int tensors and int -> float promotions (exp of an int tensor) follow it."""
    if not isinstance(d, dtype):
        raise TypeError("invalid dtype object: only floating-point types are supported as the default type")
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _C._set_default_dtype(d)
    _creation._FLOAT = d


def get_default_dtype() -> dtype:
    return _C._get_default_dtype()
