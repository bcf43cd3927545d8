"""What tapegrad.save writes: a JSON description of the object (the "structure") and a list
of byte blobs it refers to (tensor storages, numpy arrays, bytes, pickles).

Structure nodes (each a JSON object with one kind key; _decode.py reads them back):
  {"value": None|bool|int|float|str}      {"complex": [re, im]}
  {"tensor": k}          entry k of the tensor table: storage, offset, size, stride,
                         requires_grad, parameter; a storage is one blob, written once
  {"ndarray": blob, "dtype": "<f4", "shape": [...]}     {"npscalar": blob, "dtype": "<f4"}
  {"npdtype": "<f4"}     {"dtype": "float32"}     {"size": [2, 3]}     {"bytes": blob, "mutable": bool}
  {"list": [...]}  {"tuple": [...]}  {"set": [...]}  {"frozenset": [...]}
  {"dict": [[key, value], ...], "ordered": bool}
  {"ref": n}             the n-th container met in preorder again (shared or cyclic containers)
  {"pickle": blob, "type": "module.Class"}   anything else; loads only with weights_only=False
Every object is described once (by identity): a tensor saved twice loads as one object.
"""
import io
import pickle
import zlib
from collections import OrderedDict
from typing import Any, Dict, List, Set, Tuple

import numpy as np

from .. import _C
from .._C import Tensor
from .._size import Size
from . import _pickling

FORMAT = "tapegrad-2"
SAFE_NUMPY_KINDS = "biufcSUmM"


def safe_numpy_dtype(d: np.dtype) -> bool:
    """Plain numbers, bools, fixed-width strings and datetimes: no objects, no fields."""
    return d.kind in SAFE_NUMPY_KINDS and d.fields is None and d.subdtype is None and not d.hasobject


class Encoder:
    def __init__(self, pickle_protocol: int) -> None:
        self.pickle_protocol = pickle_protocol
        self.blobs: List[Any] = []
        self.blob_table: List[Dict[str, int]] = []
        self.storages: List[Dict[str, Any]] = []
        self.tensors: List[Dict[str, Any]] = []
        self._storage_index: Dict[Tuple[int, str], int] = {}
        self._tensor_index: Dict[int, int] = {}
        self._memo: Dict[int, Dict[str, Any]] = {}  # id -> node of an ndarray, numpy scalar, bytes, pickle
        self._containers: Dict[int, int] = {}
        self._open: Set[int] = set()  # tuples and frozensets being described (a ref to one is a cycle)
        self._keep: List[Any] = []  # every object whose id() is a key above stays alive until written

    def header(self, root: Any) -> Dict[str, Any]:
        return {"format": FORMAT, "byteorder": "little", "blobs": self.blob_table, "storages": self.storages,
                "tensors": self.tensors, "root": root}

    def blob(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self.blobs.append(view)
        self.blob_table.append({"nbytes": view.nbytes, "crc32": zlib.crc32(view)})
        return len(self.blobs) - 1

    def tensor(self, t: Tensor) -> int:
        k = self._tensor_index.get(id(t))
        if k is not None:
            return k
        key = _pickling.storage_key(t)
        s = self._storage_index.get(key)
        if s is None:
            whole = _pickling.whole_storage(t)
            self._keep.append(whole)
            s = self._storage_index[key] = len(self.storages)
            self.storages.append({"blob": self.blob(whole.numpy()), "dtype": t.dtype.name})
        offset, size, stride = _pickling.layout(t)
        self.tensors.append({"storage": s, "offset": offset, "size": list(size), "stride": list(stride),
                             "requires_grad": bool(t.requires_grad), "parameter": _pickling.is_parameter(t)})
        self._keep.append(t)
        k = self._tensor_index[id(t)] = len(self.tensors) - 1
        return k

    def encode(self, obj: Any) -> Any:
        kind = type(obj)
        if isinstance(obj, Tensor):
            return {"tensor": self.tensor(obj)}
        if obj is None or kind in (bool, int, float, str):
            return {"value": obj}
        if kind is complex:
            return {"complex": [obj.real, obj.imag]}
        if kind is _C.dtype:
            return {"dtype": obj.name}
        if kind is Size:
            return {"size": [int(s) for s in obj]}
        if isinstance(obj, np.dtype) and safe_numpy_dtype(obj):
            return {"npdtype": obj.str}
        if kind in (np.ndarray, bytes, bytearray) or isinstance(obj, np.generic):
            node = self._memo.get(id(obj))
            if node is None:
                node = self._data_node(obj)
                if node is None:
                    return self._pickle(obj)
                self._memo[id(obj)] = node
                self._keep.append(obj)
            return node
        if kind in (dict, OrderedDict, list, tuple, set, frozenset):
            return self._container(obj, kind)
        return self._pickle(obj)

    def _data_node(self, obj: Any) -> Any:
        if isinstance(obj, (bytes, bytearray)):
            return {"bytes": self.blob(obj), "mutable": isinstance(obj, bytearray)}
        if not safe_numpy_dtype(obj.dtype):
            return None
        data = np.ascontiguousarray(obj).reshape(-1).view(np.uint8)
        if isinstance(obj, np.generic):
            return {"npscalar": self.blob(data), "dtype": obj.dtype.str}
        return {"ndarray": self.blob(data), "dtype": obj.dtype.str, "shape": list(obj.shape)}

    def _container(self, obj: Any, kind: type) -> Any:
        n = self._containers.get(id(obj))
        if n is not None:
            if n in self._open:
                raise ValueError(f"tapegrad.save cannot store a {kind.__name__} that contains itself")
            return {"ref": n}
        n = self._containers[id(obj)] = len(self._containers)
        self._keep.append(obj)
        immutable = kind in (tuple, frozenset)
        if immutable:
            self._open.add(n)
        if kind in (dict, OrderedDict):
            node: Dict[str, Any] = {"dict": [[self.encode(k), self.encode(v)] for k, v in obj.items()],
                                    "ordered": kind is OrderedDict}
        else:
            node = {kind.__name__: [self.encode(v) for v in obj]}
        self._open.discard(n)
        return node

    def _pickle(self, obj: Any) -> Any:
        """Anything else is pickled, with its tensors written to the tensor table (so they keep
        sharing storage with the rest of the file); only weights_only=False loads it. The same
        object met twice is one pickle, so it loads as one object."""
        node = self._memo.get(id(obj))
        if node is not None:
            return node
        buf = io.BytesIO()
        encoder = self

        class Pickler(pickle.Pickler):
            def persistent_id(self, o: Any) -> Any:
                return ("tensor", encoder.tensor(o)) if isinstance(o, Tensor) else None

        Pickler(buf, protocol=self.pickle_protocol).dump(obj)
        kind = type(obj)
        node = {"pickle": self.blob(buf.getbuffer()), "type": f"{kind.__module__}.{kind.__qualname__}"}
        self._memo[id(obj)] = node
        self._keep.append(obj)
        return node
