"""tapegrad.save / tapegrad.load: tensors and nested containers of them in a safe file.

The file is a plain numpy .npz archive: one array per tensor ("t0", "t1", ...) and a JSON
description of the containers ("__structure__", a unicode array). Loading uses
np.load(allow_pickle=False) and json, so a file can hold data only, never code to run.
"""
import io
import json
import os
import zipfile
from collections import OrderedDict
from typing import Any, BinaryIO, Dict, List, Optional, Union

import numpy as np

from ._C import Tensor

_STRUCTURE = "__structure__"
_FORMAT = "tapegrad-npz-1"
_DTYPES = {"float32", "float64", "int64", "bool"}

PathOrFile = Union[str, "os.PathLike[str]", BinaryIO]


def _encode(obj: Any, arrays: List[np.ndarray]) -> Any:
    if isinstance(obj, Tensor):
        arrays.append(np.array(obj.detach().numpy(), order="C"))  # ascontiguousarray would make 0-d 1-d
        return {"tensor": len(arrays) - 1, "requires_grad": bool(obj.requires_grad)}
    if isinstance(obj, dict):
        # Keys may be ints (optimizer state) as well as strings, so they are encoded like values.
        return {"dict": [[_encode(k, arrays), _encode(v, arrays)] for k, v in obj.items()],
                "ordered": isinstance(obj, OrderedDict)}
    if isinstance(obj, (list, tuple)):
        return {"list" if isinstance(obj, list) else "tuple": [_encode(v, arrays) for v in obj]}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"value": obj}
    raise TypeError(f"tapegrad.save can store tensors, dicts, lists, tuples, numbers, strings and None; "
                    f"got {type(obj).__name__}")


def _decode(node: Any, archive) -> Any:
    from . import from_numpy
    if "tensor" in node:
        arr = archive[f"t{int(node['tensor'])}"]
        if arr.dtype.name not in _DTYPES:
            raise ValueError(f"unsupported array dtype {arr.dtype}")
        t = from_numpy(np.array(arr))  # a private copy: the tensor owns its memory
        return t.requires_grad_(True) if node.get("requires_grad") else t
    if "dict" in node:
        items = [(_decode(k, archive), _decode(v, archive)) for k, v in node["dict"]]
        return OrderedDict(items) if node.get("ordered") else dict(items)
    if "list" in node:
        return [_decode(v, archive) for v in node["list"]]
    if "tuple" in node:
        return tuple(_decode(v, archive) for v in node["tuple"])
    if "value" in node:
        return node["value"]
    raise ValueError(f"unknown entry {sorted(node)}")


def save(obj: Any, f: PathOrFile) -> None:
    arrays: List[np.ndarray] = []
    structure = json.dumps({"format": _FORMAT, "root": _encode(obj, arrays)})
    entries: Dict[str, Any] = {f"t{i}": a for i, a in enumerate(arrays)}
    entries[_STRUCTURE] = np.array(structure)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:  # np.savez would append ".npz" to a bare path name
            np.savez(fh, **entries)
    else:
        np.savez(f, **entries)


def load(f: PathOrFile, map_location: Any = None, pickle_module: Any = None, *, weights_only: Optional[bool] = None,
         mmap: Optional[bool] = None) -> Any:
    """Reads what save wrote. map_location, pickle_module, weights_only and mmap are accepted
    for PyTorch compatibility: tapegrad is CPU only and never unpickles (every load is
    weights-only)."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:  # FileNotFoundError passes through, as with torch.load
            data = fh.read()
    else:
        data = f.read()
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            header = json.loads(str(archive[_STRUCTURE][()]))
            if header.get("format") != _FORMAT:
                raise ValueError(f"unknown format {header.get('format')!r}")
            return _decode(header["root"], archive)
    except (zipfile.BadZipFile, ValueError, KeyError, EOFError, OSError, TypeError, AttributeError) as e:
        name = f if isinstance(f, (str, os.PathLike)) else "the given file"
        raise RuntimeError(f"tapegrad.load: {name} is not a valid tapegrad file (corrupt or truncated?): "
                           f"{type(e).__name__}: {e}") from e
