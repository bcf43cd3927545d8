"""Files written before the current format (tapegrad-npz-1: an .npz archive, one array per
tensor plus a JSON "__structure__"), turned into the current format's header and blobs so that
_decode.py reads them with all its checks. Archive entries must be stored uncompressed (as
np.savez wrote them): a compressed entry could expand far beyond the file's size. Each
array's declared shape must match its real bytes before anything is allocated."""
import ast
import io
import json
import zipfile
from typing import Any, Dict, List, Tuple

import numpy as np

FORMAT = "tapegrad-npz-1"
_ZIP_MAGIC = b"PK\x03\x04"


def is_legacy(head: bytes) -> bool:
    return head.startswith(_ZIP_MAGIC)


def _npy(archive: zipfile.ZipFile, name: str, size: int) -> Tuple[np.dtype, List[int], bool, bytes]:
    """The dtype, shape, Fortran order and raw bytes of one stored .npy entry."""
    info = archive.getinfo(name + ".npy")  # KeyError when missing
    if info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
        raise ValueError(f"entry {name} is compressed (method {info.compress_type})")
    if info.file_size > size:
        raise ValueError(f"entry {name} claims {info.file_size} bytes in a {size}-byte file")
    raw = archive.read(info)  # checks the CRC
    stream = io.BytesIO(raw)
    version = np.lib.format.read_magic(stream)
    if version not in ((1, 0), (2, 0), (3, 0)):
        raise ValueError(f"npy version {version}")
    # The header is a Python dict literal: read with ast.literal_eval, never eval or pickle.
    header_len = int.from_bytes(stream.read(2 if version == (1, 0) else 4), "little")
    header = ast.literal_eval(stream.read(header_len).decode("latin1" if version != (3, 0) else "utf8"))
    if type(header) is not dict or set(header) != {"descr", "fortran_order", "shape"}:
        raise ValueError(f"bad npy header in {name}")
    dtype = np.lib.format.descr_to_dtype(header["descr"])
    shape, fortran = header["shape"], header["fortran_order"]
    if type(shape) is not tuple or any(type(s) is not int or s < 0 for s in shape) or type(fortran) is not bool:
        raise ValueError(f"bad npy header in {name}")
    return dtype, list(shape), fortran, raw[stream.tell():]


def convert(data: bytes) -> Tuple[Dict[str, Any], List[bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    dtype, shape, _, raw = _npy(archive, "__structure__", len(data))
    if dtype.kind != "U" or shape != [] or len(raw) != dtype.itemsize:
        raise ValueError("bad __structure__ entry")
    structure = json.loads(str(np.frombuffer(raw, dtype=dtype)[0]))
    if type(structure) is not dict or structure.get("format") != FORMAT:
        raise ValueError(f"unknown format {structure.get('format') if type(structure) is dict else None!r}")
    blobs: List[bytes] = []
    storages: List[Dict[str, Any]] = []
    tensors: List[Dict[str, Any]] = []
    seen: Dict[Tuple[int, bool], int] = {}

    def tensor(i: Any, requires_grad: Any) -> int:
        if type(i) is not int or i < 0:
            raise ValueError(f"bad tensor index {i!r}")
        key = (i, requires_grad is True)
        if key not in seen:
            dtype, shape, fortran, raw = _npy(archive, f"t{i}", len(data))
            if dtype.name not in ("float32", "float64", "int64", "bool") or not dtype.isnative:
                raise ValueError(f"unsupported array dtype {dtype}")
            stride, step = [0] * len(shape), 1
            for d in (range(len(shape)) if fortran else reversed(range(len(shape)))):
                stride[d], step = step, step * max(shape[d], 1)
            blobs.append(raw)
            storages.append({"blob": len(blobs) - 1, "dtype": dtype.name})
            tensors.append({"storage": len(storages) - 1, "offset": 0, "size": shape, "stride": stride,
                            "requires_grad": key[1], "parameter": False})
            seen[key] = len(tensors) - 1
        return seen[key]

    def node(n: Any) -> Any:
        if type(n) is not dict:
            raise ValueError("a structure entry must be an object")
        if "tensor" in n:
            return {"tensor": tensor(n["tensor"], n.get("requires_grad"))}
        if "dict" in n:
            items = n["dict"]
            if type(items) is not list or any(type(p) is not list or len(p) != 2 for p in items):
                raise ValueError("bad dict entry")
            return {"dict": [[node(k), node(v)] for k, v in items], "ordered": n.get("ordered") is True}
        for kind in ("list", "tuple"):
            if kind in n:
                if type(n[kind]) is not list:
                    raise ValueError(f"bad {kind} entry")
                return {kind: [node(v) for v in n[kind]]}
        if "value" in n:
            return {"value": n["value"]}
        raise ValueError(f"unknown entry {sorted(n)}")

    root = node(structure.get("root"))
    return {"storages": storages, "tensors": tensors, "root": root}, blobs
