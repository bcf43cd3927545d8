"""Pickling and copy.deepcopy of tensors, and of every other class of the native module.

A tensor pickles as (its storage, offset, size, stride, requires_grad, Parameter-ness), with
the storage as one object per storage while a pickle is written: pickle's memo then writes
each storage's bytes once, and every view of it loaded from one pickle shares memory again,
as in PyTorch. `.grad` is not pickled (PyTorch drops it too); deepcopy keeps it for plain
tensors and drops it for Parameters (as torch.nn.Parameter.__deepcopy__ does).

Why this is needed at all: without a __reduce_ex__ of its own, protocols 0 and 1 (and
`x.__reduce__()`) go through copyreg._reduce_ex, which calls the first non-Python base class
with the object, here pybind11's `pybind11_object(x)`. That constructor throws a C++
exception through CPython's C code, and the process aborts. So every class of tapegrad._C gets
a __reduce_ex__ and __reduce__ (install()): Tensor and dtype pickle, the others refuse with
Python's own "cannot pickle 'X' object".
"""
import sys
import weakref
from typing import Any, Dict, Optional, Tuple

import numpy as np

from .. import _C
from .._C import Tensor

NON_LEAF_DEEPCOPY = (
    "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment.  "
    "If you were attempting to deepcopy a module, this may be because of a torch.nn.utils.weight_norm usage, "
    "see https://github.com/pytorch/pytorch/pull/103001")

DTYPES: Dict[str, Any] = {name: getattr(_C.dtype, name) for name in ("float32", "float64", "int64", "bool")}
NUMPY_DTYPES: Dict[str, np.dtype] = {"float32": np.dtype("<f4"), "float64": np.dtype("<f8"),
                                     "int64": np.dtype("<i8"), "bool": np.dtype("?")}


def is_parameter(t: Tensor) -> bool:
    parameter = sys.modules.get("tapegrad.nn.parameter")
    return parameter is not None and bool(parameter.is_parameter(t))


def mark_parameter(t: Tensor) -> Tensor:
    from ..nn import parameter  # late: nn imports much of tapegrad
    return parameter._mark(t)


def whole_storage(t: Tensor) -> Tensor:
    """A 1-d leaf (no grad) over every element of t's storage."""
    return _C._storage_view(t, [_C._storage_nbytes(t) // t.element_size()], [1], 0)


def storage_key(t: Tensor) -> Tuple[int, str]:
    # Tensors of one storage have one dtype (no op reinterprets memory), but the key names it
    # anyway so that a storage is never read back in another dtype.
    return (_C._storage_key(t), t.dtype.name)


def layout(t: Tensor) -> Tuple[int, Tuple[int, ...], Tuple[int, ...]]:
    return t.storage_offset(), tuple(int(s) for s in t.shape), tuple(t.stride())


def storage_from_bytes(dtype_name: str, data: Any) -> Tensor:
    """A fresh tensor holding `data` (any bytes-like object) as a 1-d storage of dtype_name.
    Raises ValueError for a dtype, length or bool byte that no storage could have."""
    if dtype_name not in DTYPES:
        raise ValueError(f"unknown storage dtype {dtype_name!r}")
    npdtype = NUMPY_DTYPES[dtype_name]
    raw = np.frombuffer(data, dtype=np.uint8)
    if raw.size % npdtype.itemsize:
        raise ValueError(f"{raw.size} bytes is not a whole number of {dtype_name} elements")
    if dtype_name == "bool" and raw.size and int(raw.max()) > 1:
        raise ValueError("a bool storage holds a byte other than 0 or 1")
    return _C._from_array(raw.view(npdtype), DTYPES[dtype_name])


class StorageRef:
    """One storage while a pickle is being written (see the module docstring)."""
    __slots__ = ("tensor", "__weakref__")

    def __init__(self, tensor: Tensor) -> None:
        self.tensor = tensor  # the whole storage; also keeps its key from being reused

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild_storage, (self.tensor.dtype.name, self.tensor.numpy().tobytes()))


_LIVE: "weakref.WeakValueDictionary[Tuple[int, str], StorageRef]" = weakref.WeakValueDictionary()


def storage_ref(t: Tensor) -> StorageRef:
    key = storage_key(t)
    ref = _LIVE.get(key)
    if ref is None:
        ref = StorageRef(whole_storage(t))
        _LIVE[key] = ref
    return ref


def _rebuild_storage(dtype_name: str, data: bytes) -> Tensor:
    return storage_from_bytes(dtype_name, data)


def view_of(base: Tensor, offset: int, size: Any, stride: Any, requires_grad: bool, parameter: bool) -> Tensor:
    """A tensor over `base`'s storage with this layout, requires_grad and Parameter-ness: how
    unpickling, deepcopy and tapegrad.load each rebuild a tensor (RuntimeError for a layout
    outside the storage, or requires_grad on an integer dtype)."""
    t = _C._storage_view(base, list(size), list(stride), offset)
    if requires_grad:
        t.requires_grad_(True)
    return mark_parameter(t) if parameter else t


def _rebuild_tensor(storage: Any, offset: int, size: Any, stride: Any, requires_grad: bool,
                    parameter: bool) -> Tensor:
    # copy.copy hands back the live StorageRef itself: the copy then shares memory, as in torch.
    base = storage.tensor if isinstance(storage, StorageRef) else storage
    return view_of(base, offset, size, stride, requires_grad, parameter)


def _rebuild_dtype(name: str) -> Any:
    return DTYPES[name]


def tensor_reduce_ex(self: Tensor, protocol: Any = 2) -> Any:
    offset, size, stride = layout(self)
    # A non-leaf pickles as a leaf that requires grad, as in PyTorch.
    return (_rebuild_tensor, (storage_ref(self), offset, size, stride, bool(self.requires_grad), is_parameter(self)))


def tensor_reduce(self: Tensor) -> Any:
    return tensor_reduce_ex(self, 2)


def tensor_deepcopy(self: Tensor, memo: Optional[Dict[Any, Any]] = None) -> Tensor:
    memo = {} if memo is None else memo
    if id(self) in memo:
        return memo[id(self)]
    if not self.is_leaf:
        raise RuntimeError(NON_LEAF_DEEPCOPY)
    # One new storage per old one, found through the memo, so views copied together (and tied
    # weights) share memory again. The entry keeps the old storage alive: its key stays unique.
    key = ("tapegrad.storage",) + storage_key(self)
    entry = memo.get(key)
    if entry is None:
        old = whole_storage(self)
        entry = memo[key] = (old.clone(), old)
    offset, size, stride = layout(self)
    parameter = is_parameter(self)
    new = view_of(entry[0], offset, size, stride, bool(self.requires_grad), parameter)
    memo[id(self)] = new
    grad = self.grad
    if grad is not None and not parameter:
        import copy
        new.grad = copy.deepcopy(grad, memo)
    return new


def dtype_reduce_ex(self: Any, protocol: Any = 2) -> Any:
    return (_rebuild_dtype, (self.name,))


def dtype_reduce(self: Any) -> Any:
    return dtype_reduce_ex(self, 2)


def refuse_ex(self: Any, protocol: Any = 2) -> Any:
    name = self.name() if isinstance(self, _C.Node) else type(self).__name__
    raise TypeError(f"cannot pickle '{name}' object")


def refuse(self: Any) -> Any:
    return refuse_ex(self, 2)


def _native_classes(module: Any, seen: set) -> Any:
    for value in vars(module).values():
        if isinstance(value, type) and value.__module__.startswith("tapegrad._C") and value not in seen:
            seen.add(value)
            yield value
        elif type(value) is type(sys) and value.__name__.startswith("tapegrad._C.") and value not in seen:
            seen.add(value)
            yield from _native_classes(value, seen)


def install() -> None:
    """Gives every class of tapegrad._C its own __reduce_ex__ / __reduce__ (see the docstring).
    Tensor's methods are installed by tapegrad._tensor with the other Python-side methods."""
    for cls in _native_classes(_C, set()):
        if "__reduce_ex__" in vars(cls):
            continue
        setattr(cls, "__reduce_ex__", dtype_reduce_ex if cls is _C.dtype else refuse_ex)
        setattr(cls, "__reduce__", dtype_reduce if cls is _C.dtype else refuse)
