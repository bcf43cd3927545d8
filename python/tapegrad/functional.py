"""Functions whose result's shape depends on their flags, as torch.functional's: the native
primitives (_unique2, _unique_dim, _unique_consecutive, _nonzero, _nonzero_tuple, made from their
op schemas in csrc/ops/unique.cpp) compute everything; these pick what the call asked for."""
from __future__ import annotations

import builtins
from typing import Optional

from . import _C
from ._C import Tensor


def _pick(results: tuple[Tensor, ...], return_inverse: bool, return_counts: bool) -> Tensor | tuple[Tensor, ...]:
    values, inverse, counts = results
    picked = (values,) + ((inverse,) if return_inverse else ()) + ((counts,) if return_counts else ())
    return picked if len(picked) > 1 else values


def _check_flag(name: str, value: object, fname: str) -> None:
    if not isinstance(value, builtins.bool):
        raise TypeError(f"{fname}(): argument '{name}' must be bool, not {type(value).__name__}")


def unique(input: Tensor, sorted: builtins.bool = True, return_inverse: builtins.bool = False, return_counts: builtins.bool = False,
           dim: Optional[int] = None) -> Tensor | tuple[Tensor, ...]:
    """The distinct elements of input (or its distinct slices along dim), sorted, and optionally
    where each element went (return_inverse) and how often each occurs (return_counts)."""
    for name, value in (("sorted", sorted), ("return_inverse", return_inverse), ("return_counts", return_counts)):
        _check_flag(name, value, "unique")
    if dim is None:
        results = _C._unique2(input, sorted, return_inverse, return_counts)
    else:
        results = _C._unique_dim(input, dim, sorted, return_inverse, return_counts)
    return _pick(results, return_inverse, return_counts)


def unique_consecutive(input: Tensor, return_inverse: builtins.bool = False, return_counts: builtins.bool = False,
                       dim: Optional[int] = None) -> Tensor | tuple[Tensor, ...]:
    """The first element (or slice along dim) of each run of equal neighbours."""
    for name, value in (("return_inverse", return_inverse), ("return_counts", return_counts)):
        _check_flag(name, value, "unique_consecutive")
    return _pick(_C._unique_consecutive(input, return_inverse, return_counts, dim), return_inverse, return_counts)


def nonzero(input: Tensor, *, out: Optional[Tensor] = None, as_tuple: builtins.bool = False) -> Tensor | tuple[Tensor, ...]:
    """The positions of input's nonzero elements: one row per element (count, input.dim()), or
    with as_tuple one index tensor per dim."""
    if as_tuple:
        if out is not None:
            raise RuntimeError("nonzero(): as_tuple=True does not take an out= argument")
        return _C._nonzero_tuple(input)
    return _C._nonzero(input, out=out)


def _unique_method(self: Tensor, sorted: builtins.bool = True, return_inverse: builtins.bool = False, return_counts: builtins.bool = False,
                   dim: Optional[int] = None) -> Tensor | tuple[Tensor, ...]:
    return unique(self, sorted, return_inverse, return_counts, dim)


def _unique_consecutive_method(self: Tensor, return_inverse: builtins.bool = False, return_counts: builtins.bool = False,
                               dim: Optional[int] = None) -> Tensor | tuple[Tensor, ...]:
    return unique_consecutive(self, return_inverse, return_counts, dim)


def _nonzero_method(self: Tensor, *, as_tuple: builtins.bool = False) -> Tensor | tuple[Tensor, ...]:
    return nonzero(self, as_tuple=as_tuple)


for _name, _method in (("unique", _unique_method), ("unique_consecutive", _unique_consecutive_method),
                       ("nonzero", _nonzero_method)):
    _method.__name__ = _method.__qualname__ = _name
    setattr(Tensor, _name, _method)
