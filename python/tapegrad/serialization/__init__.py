"""tapegrad.save / tapegrad.load, and pickling / copy.deepcopy of tensors (_pickling.py).

A file is one self-delimiting record, read front to back:

    MAGIC (12 bytes) | header length: u64 LE | header CRC-32: u32 LE | header (UTF-8 JSON) | blobs

The JSON header lists the blobs (byte count and CRC-32 each), the tensor storages (a blob and
a dtype), the tensors (storage, offset, size, stride, requires_grad, Parameter-ness) and the
saved object's structure (_encode.py describes its nodes); the blobs follow in order,
uncompressed. So views and tied weights come back sharing memory, a tensor saved twice comes
back as one object, several records can follow each other in one stream, and every size is
known, and checked against the bytes really there, before anything is allocated.

load(f) is weights-only by default, as torch.load is since PyTorch 2.6: it reads tensors,
numbers, strings, None, bytes, numpy arrays / scalars / dtypes (no object dtypes), tapegrad
dtypes and Sizes, and dicts, OrderedDicts, lists, tuples and sets of them, and never runs code
from the file. save() pickles whatever else it is given (a Module, a custom class), with the
tensors inside still in the tensor table; such a file needs load(f, weights_only=False), for
files from a trusted source only. Files of the previous format (an .npz archive, "tapegrad-
npz-1") still load (_legacy.py).
"""
import io
import json
import os
import pickle
import secrets
import struct
import zipfile
import zlib
from typing import IO, Any, List, Optional, Tuple, Union

from . import _decode, _encode, _errors, _legacy, _pickling
from ._errors import LoadError

__all__ = ["save", "load", "LoadError"]

PathOrFile = Union[str, "os.PathLike[str]", IO[bytes]]

MAGIC = b"\x93TAPEGRAD\x00v2\n"
_LENGTHS = struct.Struct("<QI")
_CHUNK = 1 << 24  # a stream whose size is unknown is read this much at a time

_pickling.install()


def save(obj: Any, f: PathOrFile, pickle_module: Any = pickle, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True, _disable_byteorder_record: bool = False) -> None:
    """Saves obj to a path or a writable binary file object (see the module docstring).

    A path is written atomically: to a temporary file in the same folder, flushed and fsync'ed,
    then renamed over the target, so an interrupted save leaves any previous file intact. A
    file object is written in order from its current position, so several saves can share a
    stream. pickle_protocol is the protocol of the pickles inside (objects that are not plain
    data); pickle_module and the underscored arguments are accepted for PyTorch compatibility."""
    encoder = _encode.Encoder(pickle_protocol)
    root = encoder.encode(obj)
    header = json.dumps(encoder.header(root), separators=(",", ":")).encode("utf-8")
    parts: List[Any] = [MAGIC, _LENGTHS.pack(len(header), zlib.crc32(header)), header] + encoder.blobs
    if isinstance(f, (str, os.PathLike)):
        _write_atomically(os.fspath(f), parts)
    else:
        for part in parts:
            f.write(part)


def _write_atomically(path: str, parts: List[Any]) -> None:
    if os.path.islink(path):
        path = os.path.realpath(path)  # replace what the link points at, as open(path, "wb") would
    folder, name = os.path.split(os.path.abspath(path))
    while True:
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            # 0o666 & ~umask, as open() gives: a fresh file (O_EXCL), never someone else's.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as fh:
            for part in parts:
                fh.write(part)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable; not every system can open a folder
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def load(f: PathOrFile, map_location: Any = None, pickle_module: Any = None, *, weights_only: Optional[bool] = None,
         mmap: Optional[bool] = None) -> Any:
    """Reads one object written by save from a path or a readable binary file object (which is
    left just after it, so the next load reads the next save).

    weights_only (default True unless a pickle_module is given, as in torch.load): load only
    plain data (see the module docstring) and never run code from the file; False loads any
    object save could pickle, and must only be used for trusted files.

    Raises LoadError (a subclass of both RuntimeError and pickle.UnpicklingError) for every file
    that is malformed, truncated or corrupt (each part carries a CRC-32), and, in weights_only
    mode, for one holding objects that would need code to load. OSErrors of opening or reading
    pass through (FileNotFoundError, as with torch.load); with weights_only=False, so do the
    exceptions of the code a pickle runs. map_location and mmap are accepted for PyTorch
    compatibility (tapegrad is CPU only)."""
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    name = repr(os.fspath(f)) if isinstance(f, (str, os.PathLike)) else "the given file"
    try:
        if isinstance(f, (str, os.PathLike)):
            with open(f, "rb") as fh:  # FileNotFoundError passes through, as with torch.load
                obj = _load_record(fh, _remaining(fh), bool(weights_only))
                if fh.read(1):
                    raise ValueError("data after the end of the saved object")
                return obj
        return _load_record(f, _remaining(f), bool(weights_only))
    except LoadError as e:
        if not getattr(e, "unnamed", False):
            raise
        raise LoadError(f"tapegrad.load: {name} {e}") from None
    except _decode.ForeignError as e:
        raise e.__cause__ from None  # type: ignore[misc]
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError, SyntaxError, EOFError,
            RuntimeError, NotImplementedError, pickle.UnpicklingError, struct.error, zlib.error,
            zipfile.BadZipFile) as e:
        raise LoadError(f"tapegrad.load: {name} is not a valid tapegrad file (corrupt or truncated?): "
                        f"{type(e).__name__}: {e}") from e


def _remaining(f: Any) -> Optional[int]:
    """How many bytes f has left, or None for a stream that cannot tell."""
    try:
        if not f.seekable():
            return None
        here = f.tell()
        end = f.seek(0, io.SEEK_END)
        f.seek(here)
        return max(end - here, 0)
    except (AttributeError, OSError, ValueError):
        return None


def _read(f: Any, n: int, remaining: Optional[int]) -> bytearray:
    """Exactly n bytes, allocating no more than the stream really holds."""
    if remaining is not None and n > remaining:
        raise _errors.corrupt(f"{n} bytes declared, {remaining} left in the file")
    if remaining is not None and hasattr(f, "readinto"):
        buf = bytearray(n)
        view, got = memoryview(buf), 0
        while got < n:
            k = f.readinto(view[got:])
            if not k:
                raise _errors.corrupt(f"the file ends {n - got} bytes early")
            got += k
        return buf
    out = bytearray()
    while len(out) < n:
        chunk = f.read(min(n - len(out), _CHUNK))
        if not chunk:
            raise _errors.corrupt(f"the file ends {n - len(out)} bytes early")
        out += chunk
    return out


def _load_record(f: Any, remaining: Optional[int], weights_only: bool) -> Any:
    def take(n: int) -> bytearray:
        nonlocal remaining
        data = _read(f, n, remaining)
        if remaining is not None:
            remaining -= n
        return data

    head = bytes(take(min(len(MAGIC), remaining) if remaining is not None else len(MAGIC)))
    if _legacy.is_legacy(head):  # the previous format: a whole .npz file
        rest = f.read()
        old_header, old_blobs = _legacy.convert(head + rest)
        return _decode.Decoder(old_header, old_blobs, weights_only).decode(old_header["root"])
    if head != MAGIC:
        raise ValueError("not a tapegrad file (no tapegrad header)")
    length, crc = _LENGTHS.unpack(bytes(take(_LENGTHS.size)))
    text = take(length)
    if zlib.crc32(text) != crc:
        raise ValueError("the header's checksum does not match")
    header = json.loads(text.decode("utf-8"))
    if type(header) is not dict or header.get("format") != _encode.FORMAT:
        raise ValueError(f"unknown format {header.get('format') if type(header) is dict else None!r}")
    if header.get("byteorder", "little") != "little":
        raise ValueError("a big-endian file")
    table = _decode._list(header.get("blobs"), "blobs")
    sizes: List[Tuple[int, int]] = []
    for entry in table:
        if type(entry) is not dict:
            raise ValueError("a blob entry must be an object")
        sizes.append((_decode._int(entry.get("nbytes"), "blob size"), _decode._int(entry.get("crc32"), "crc32", 2**32)))
    total = sum(n for n, _ in sizes)
    if remaining is not None and total > remaining:
        raise ValueError(f"the blobs need {total} bytes, the file has {remaining} left")
    blobs: List[bytearray] = []
    for n, crc in sizes:
        data = take(n)
        if zlib.crc32(data) != crc:
            raise ValueError(f"blob {len(blobs)}'s checksum does not match")
        blobs.append(data)
    return _decode.Decoder(header, blobs, weights_only).decode(header.get("root"))
