"""x[...] and x[...] = v: Python's index objects parsed into the core's select / slice /
unsqueeze views and its advanced-index ops (numpy's rules, PyTorch's errors)."""
import builtins
from typing import TYPE_CHECKING, Any, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _C
from ._C import Tensor

if TYPE_CHECKING:
    import tapegrad._indexing

# What x[key] accepts: an int, a slice, None, Ellipsis, a bool or int64 tensor, a list or numpy
# array of indices, or a tuple of those. getitem/setitem name it in full, as a string, because
# the stubs of tapegrad._C (where they become Tensor.__getitem__/__setitem__) copy it as it is.
Index = Union[None, int, slice, "builtins.ellipsis", Tensor, Sequence[Any], np.ndarray]
IndexKey = Union[Index, Tuple[Index, ...]]


def _as_index_tensor(obj):
    """Lists, numpy arrays and Python bools index like tensors (a bool as a 0-d mask, as in
    PyTorch); everything else is left as it is."""
    if isinstance(obj, builtins.bool):
        return _C._from_array(np.array(obj), _C.dtype.bool)
    if isinstance(obj, (list, np.ndarray)):
        arr = np.asarray(obj)
        return _C._from_array(arr, _C.dtype.bool if arr.dtype == np.bool_ else _C.dtype.int64)
    return obj


def _consumed(item):
    if item is None or item is Ellipsis:
        return 0
    if isinstance(item, Tensor) and item.dtype == _C.dtype.bool:
        return item.dim()
    return 1


def _check_item(item):
    if isinstance(item, str):
        raise TypeError("new(): invalid data type 'str'")
    if not (
            item is None or item is Ellipsis or isinstance(item, (int, slice, Tensor)) or hasattr(item, "__index__")):
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
                         f"indices (got {type(item).__name__})")


def _parse(self: Tensor, key: "tapegrad._indexing.IndexKey") -> Tuple[Tensor, Optional[List[Optional[Tensor]]]]:
    """Applies the basic part of `key` to self (views), and returns the result with the list of
    advanced index tensors per dim of that result (None where a dim is not indexed)."""
    items: List[Any] = [_as_index_tensor(i) for i in (key if isinstance(key, tuple) else (key,))]
    for i in items:
        _check_item(i)
    used = builtins.sum(_consumed(i) for i in items)
    _C._check_index_key(self, key, builtins.sum(i is Ellipsis for i in items), used)
    result, dim, advanced, masks = self, 0, {}, []
    for item in items:
        if item is None:
            result = result.unsqueeze(dim)
            dim += 1
        elif item is Ellipsis:
            dim += self.dim() - used
        elif isinstance(item, slice):
            result = _C._index_slice(result, dim, item)
            dim += 1
        elif isinstance(item, Tensor):
            if item.dtype == _C.dtype.bool and item.dim() == 0:
                # A 0-d mask adds a dim of size 1 (True) or 0 (False), indexed like a 1-d mask.
                result = result.unsqueeze(dim)
                advanced[dim] = _C._from_array(np.nonzero(item.view(1).numpy())[0], _C.dtype.int64)
                dim += 1
            elif item.dtype == _C.dtype.bool:
                masks.append((dim, item))  # checked once the basic part is applied, as PyTorch does
                dim += item.dim()
            elif item.dtype == _C.dtype.int64:
                advanced[dim] = item
                dim += 1
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        else:
            result = _C._index_int(result, dim, item)
    for dim, mask in masks:  # later items only changed dims after each mask's
        mask_shape = tuple(mask.shape)
        for k, n in enumerate(mask_shape):
            if result.shape[dim + k] != n:
                raise IndexError(f"The shape of the mask {list(mask_shape)} at index {k} does not match the "
                                 f"shape of the indexed tensor {list(result.shape)} at index {dim + k}")
        for k, idx in enumerate(np.nonzero(mask.numpy())):
            advanced[dim + k] = _C._from_array(np.ascontiguousarray(idx), _C.dtype.int64)
    indices = [advanced.get(d) for d in range(result.dim())] if advanced else None
    return result, indices


def getitem(self: Tensor, key: "tapegrad._indexing.IndexKey") -> Tensor:
    result, indices = _parse(self, key)
    if indices is None:
        return result if result is not self else self.view(tuple(self.shape))
    return _C._index(result, indices)


def _masked_fill_key(key: "tapegrad._indexing.IndexKey") -> bool:
    """True when PyTorch writes x[key] = v with masked_fill_ for a one-element v: the key's only
    tensor is a bool mask with dims."""
    items = [_as_index_tensor(i) for i in (key if isinstance(key, tuple) else (key,))]
    tensors = [i for i in items if isinstance(i, Tensor)]
    return len(tensors) == 1 and tensors[0].dtype == _C.dtype.bool and tensors[0].dim() > 0


def setitem(self: Tensor, key: "tapegrad._indexing.IndexKey", value: Union[Tensor, float]) -> None:
    if (isinstance(value, Tensor) and value.numel() == 1 and value.dtype != self.dtype
            and _masked_fill_key(key)):
        # masked_fill_ stores its value's number, with PyTorch's overflow check (a float64
        # 3.5e38 into float32 raises); a value that requires grad keeps its history instead.
        value = value.reshape(()).to(self.dtype) if value.requires_grad else _C._full((), value.item(), self.dtype)
    # The basic part is found on a contiguous, detached tensor of self's shape (self's data
    # when it is contiguous), so that the write can be described relative to it.
    base = (self if self.is_contiguous() else self.contiguous()).detach()
    view, indices = _parse(base, key)
    if indices is None:  # refused on a leaf that requires grad, as basic_index.cpp says
        _C._slice_put_(self, view, base, value)
        return
    if view.data_ptr() == base.data_ptr() and view.stride() == base.stride() and view.shape == base.shape:
        _C._index_put_(self, indices, value)
        return
    # Index tensors mixed with ints, slices or None: find the flat positions the key picks.
    positions = _C._arange(0, self.numel(), 1, _C.dtype.int64).view(tuple(self.shape))
    _C._index_put_flat_(self, getitem(positions, key), value)


def iterate(self: Tensor) -> Iterator[Tensor]:
    if self.dim() == 0:
        raise TypeError("iteration over a 0-d tensor")
    return iter(self.unbind(0))
