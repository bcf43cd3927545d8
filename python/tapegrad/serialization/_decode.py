"""Reads back what _encode.py writes, trusting nothing in it: every field is type- and
range-checked, every blob is materialised at most once (a node referring to a blob a second
time gets the same object, never a second copy), and views are bounds-checked against their
storage. Any problem raises ValueError / TypeError / KeyError / IndexError / RuntimeError,
which tapegrad.load turns into LoadError; only a pickle node with weights_only=False runs code.
"""
import io
import pickle
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Sequence, Tuple

import numpy as np

from .._C import Tensor
from .._size import Size
from . import _errors, _pickling
from ._encode import safe_numpy_dtype

_MAX_DIMS = 64
_MAX_INDEX = 2 ** 62  # sizes, strides and offsets; keeps every product the engine forms in int64
_OPEN = object()  # a tuple or frozenset whose items are still being read


class ForeignError(Exception):
    """An exception raised by code a pickle ran (weights_only=False): passed on unchanged."""


def _int(value: Any, what: str, hi: int = _MAX_INDEX) -> int:
    if type(value) is not int or not 0 <= value <= hi:
        raise ValueError(f"{what} must be an integer in [0, {hi}], got {value!r}")
    return value


def _bool(value: Any, what: str) -> bool:
    if type(value) is not bool:
        raise ValueError(f"{what} must be true or false, got {value!r}")
    return value


def _list(value: Any, what: str) -> List[Any]:
    if type(value) is not list:
        raise ValueError(f"{what} must be a list, got {type(value).__name__}")
    return value


def _ints(value: Any, what: str) -> List[int]:
    items = _list(value, what)
    if len(items) > _MAX_DIMS:
        raise ValueError(f"{what} has {len(items)} dimensions")
    return [_int(v, what) for v in items]


def _numpy_dtype(text: Any) -> np.dtype:
    if type(text) is not str or len(text) > 32:
        raise ValueError(f"bad numpy dtype {text!r}")
    d = np.dtype(text)
    if not safe_numpy_dtype(d):
        raise ValueError(f"numpy dtype {text!r} is not allowed (objects, fields or sub-arrays)")
    return d


def _node(node: Any) -> Tuple[str, Any]:
    if type(node) is not dict or not node:
        raise ValueError(f"a structure entry must be a non-empty object, got {type(node).__name__}")
    kind = next(iter(node))
    return kind, node[kind]


class Decoder:
    def __init__(self, header: Dict[str, Any], blobs: Sequence[Any], weights_only: bool) -> None:
        self.blobs = blobs
        self.weights_only = weights_only
        self.storages = _list(header.get("storages"), "storages")
        self.tensors = _list(header.get("tensors"), "tensors")
        self._blob_objects: Dict[int, Tuple[Any, Any]] = {}
        self._tensor_objects: Dict[int, Tensor] = {}
        self._containers: List[Any] = []
        self._readers: Dict[str, Callable[[Dict[str, Any], Any], Any]] = {
            "value": self._value, "complex": self._complex, "tensor": lambda n, v: self.tensor(v),
            "ndarray": self._ndarray, "npscalar": self._npscalar, "npdtype": lambda n, v: _numpy_dtype(v),
            "dtype": self._dtype, "size": lambda n, v: Size(_ints(v, "size")), "bytes": self._bytes,
            "list": self._list, "tuple": self._sequence, "set": self._set, "frozenset": self._sequence,
            "dict": self._dict, "ref": self._ref, "pickle": self._pickle,
        }

    def decode(self, node: Any) -> Any:
        kind, value = _node(node)
        reader = self._readers.get(kind)
        if reader is None:
            raise ValueError(f"unknown structure entry {kind!r}")
        return reader(node, value)

    # ---- blobs: each one becomes at most one object ----
    def _blob(self, index: Any, meaning: Any, make: Callable[[Any], Any]) -> Any:
        index = _int(index, "blob index", len(self.blobs) - 1)
        seen = self._blob_objects.get(index)
        if seen is not None:
            if seen[0] != meaning:
                raise ValueError(f"blob {index} is read as two different things")
            return seen[1]
        obj = make(self.blobs[index])
        self._blob_objects[index] = (meaning, obj)
        return obj

    def _array(self, data: Any, dtype: np.dtype, shape: List[int]) -> np.ndarray:
        count = 1
        for s in shape:
            count *= s
        if count * dtype.itemsize != len(data):
            raise ValueError(f"an array of shape {shape} and dtype {dtype.str} needs {count * dtype.itemsize} "
                             f"bytes, the file has {len(data)}")
        # A private, writable buffer (a blob read from a file is one already).
        buf = data if isinstance(data, bytearray) else bytearray(data)
        return np.frombuffer(buf, dtype=dtype).reshape(shape)

    def _ndarray(self, node: Dict[str, Any], blob: Any) -> Any:
        dtype, shape = _numpy_dtype(node.get("dtype")), _ints(node.get("shape"), "array shape")
        return self._blob(blob, ("ndarray", dtype.str, tuple(shape)), lambda d: self._array(d, dtype, shape))

    def _npscalar(self, node: Dict[str, Any], blob: Any) -> Any:
        dtype = _numpy_dtype(node.get("dtype"))
        return self._blob(blob, ("npscalar", dtype.str), lambda d: self._array(d, dtype, [])[()])

    def _bytes(self, node: Dict[str, Any], blob: Any) -> Any:
        mutable = _bool(node.get("mutable", False), "mutable")
        return self._blob(blob, ("bytes", mutable), lambda d: (bytearray if mutable else bytes)(d))

    # ---- tensors ----
    def tensor(self, index: Any) -> Tensor:
        index = _int(index, "tensor index", len(self.tensors) - 1)
        t = self._tensor_objects.get(index)
        if t is None:
            entry = self.tensors[index]
            if type(entry) is not dict:
                raise ValueError("a tensor entry must be an object")
            base = self._storage(entry.get("storage"))
            size, stride = _ints(entry.get("size"), "size"), _ints(entry.get("stride"), "stride")
            offset = _int(entry.get("offset"), "storage offset")
            numel = 1
            for s in size:
                numel *= s
            if numel > _MAX_INDEX:
                raise ValueError(f"a tensor of size {size} has too many elements")
            t = _pickling.view_of(base, offset, size, stride, _bool(entry.get("requires_grad"), "requires_grad"),
                                  _bool(entry.get("parameter", False), "parameter"))
            self._tensor_objects[index] = t
        return t

    def _storage(self, index: Any) -> Tensor:
        entry = self.storages[_int(index, "storage index", len(self.storages) - 1)]
        if type(entry) is not dict:
            raise ValueError("a storage entry must be an object")
        name = entry.get("dtype")
        if name not in _pickling.DTYPES:
            raise ValueError(f"unknown tensor dtype {name!r}")
        return self._blob(entry.get("blob"), ("storage", name), lambda d: _pickling.storage_from_bytes(name, d))

    # ---- plain values ----
    def _value(self, node: Dict[str, Any], value: Any) -> Any:
        if value is not None and type(value) not in (bool, int, float, str):
            raise ValueError(f"bad value {type(value).__name__}")
        return value

    def _complex(self, node: Dict[str, Any], value: Any) -> complex:
        parts = _list(value, "complex")
        if len(parts) != 2 or any(type(p) not in (int, float) for p in parts):
            raise ValueError("a complex number is two numbers")
        return complex(parts[0], parts[1])

    def _dtype(self, node: Dict[str, Any], name: Any) -> Any:
        if name not in _pickling.DTYPES:
            raise ValueError(f"unknown dtype {name!r}")
        return _pickling.DTYPES[name]

    # ---- containers, numbered in preorder as the encoder numbered them ----
    def _start(self, obj: Any) -> int:
        self._containers.append(obj)
        return len(self._containers) - 1

    def _list(self, node: Dict[str, Any], items: Any) -> List[Any]:
        out: List[Any] = []
        self._start(out)
        out.extend(self.decode(v) for v in _list(items, "list"))
        return out

    def _set(self, node: Dict[str, Any], items: Any) -> Any:
        out: set = set()
        self._start(out)
        for v in _list(items, "set"):
            out.add(self.decode(v))  # TypeError for an unhashable item
        return out

    def _sequence(self, node: Dict[str, Any], items: Any) -> Any:
        n = self._start(_OPEN)
        kind = tuple if "tuple" in node else frozenset
        out = kind(self.decode(v) for v in _list(items, kind.__name__))
        self._containers[n] = out
        return out

    def _dict(self, node: Dict[str, Any], items: Any) -> Any:
        out: Dict[Any, Any] = OrderedDict() if _bool(node.get("ordered", False), "ordered") else {}
        self._start(out)
        for pair in _list(items, "dict"):
            if type(pair) is not list or len(pair) != 2:
                raise ValueError("a dict item must be a [key, value] pair")
            key = self.decode(pair[0])
            out[key] = self.decode(pair[1])  # TypeError for an unhashable key
        return out

    def _ref(self, node: Dict[str, Any], n: Any) -> Any:
        obj = self._containers[_int(n, "container reference", len(self._containers) - 1)] \
            if self._containers else None
        if obj is None or obj is _OPEN:
            raise ValueError(f"reference {n!r} to a container not read yet")
        return obj

    # ---- anything else: only for trusted files ----
    def _pickle(self, node: Dict[str, Any], blob: Any) -> Any:
        if self.weights_only:
            name = node.get("type")
            raise _errors.weights_only_refusal(name if type(name) is str else "<unknown>")
        decoder = self

        class Unpickler(pickle.Unpickler):
            def persistent_load(self, pid: Any) -> Any:
                if type(pid) is not tuple or len(pid) != 2 or pid[0] != "tensor":
                    raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")
                try:
                    return decoder.tensor(pid[1])
                except (ValueError, TypeError, KeyError, IndexError, RuntimeError) as e:
                    raise pickle.UnpicklingError(f"bad tensor {pid[1]!r}: {e}") from e

        def unpickle(data: Any) -> Any:
            try:
                return Unpickler(io.BytesIO(data)).load()
            except (pickle.UnpicklingError, EOFError):
                raise
            except Exception as e:
                raise ForeignError() from e

        return self._blob(blob, ("pickle",), unpickle)
