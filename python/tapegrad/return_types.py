"""Named tuples returned by max(dim)/min(dim), as torch.return_types."""
from typing import NamedTuple

from ._C import Tensor


def _repr(kind: str, result: "max | min") -> str:
    return f"tapegrad.return_types.{kind}(\nvalues={result.values!r},\nindices={result.indices!r})"


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
