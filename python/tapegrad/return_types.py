"""Named tuples returned by ops with several results (max(dim), topk, sort, ...), as
torch.return_types. max and min are written out; the others are made from their op's schema
(`-> (Tensor values, Tensor indices)`, Note [Op schemas]) at their first call, by _named_tuple.
"""
import collections
from typing import Any, NamedTuple

from ._C import Tensor


def _repr(kind: str, result: Any) -> str:
    fields = ",\n".join(f"{name}={value!r}" for name, value in zip(result._fields, result))
    return f"tapegrad.return_types.{kind}(\n{fields})"


class max(NamedTuple):  # noqa: A001  (torch.return_types.max)
    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr("max", self)


class min(NamedTuple):  # noqa: A001  (torch.return_types.min)
    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr("min", self)


def _named_tuple(name: str, fields: "tuple[str, ...]") -> type:
    """The named tuple tapegrad.return_types.<name> with these fields, made once; it lives in
    this module under its name, so results pickle as torch's do."""
    existing = globals().get(name)
    if existing is not None:
        if tuple(existing._fields) != tuple(fields):
            raise RuntimeError(f"return_types.{name} has fields {existing._fields}, not {fields}")
        return existing
    cls = collections.namedtuple(name, fields)  # type: ignore[misc]
    cls.__module__ = __name__
    cls.__repr__ = lambda self: _repr(name, self)  # type: ignore[method-assign]
    globals()[name] = cls
    return cls


def _make_schema_tuples() -> None:
    from . import _C
    for name, fields in _C._schema_named_tuples:
        _named_tuple(name, tuple(fields))


_make_schema_tuples()
