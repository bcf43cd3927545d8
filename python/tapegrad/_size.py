"""tapegrad.Size: the tuple that `Tensor.shape` and `Tensor.size()` return (torch.Size)."""
from . import _C


class Size(tuple):
    def __repr__(self) -> str:
        return f"tapegrad.Size({list(self)!r})"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


_C._set_size_class(Size)
