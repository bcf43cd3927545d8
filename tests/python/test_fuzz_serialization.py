"""Property-based fuzzing (hypothesis) of pickling, copy.deepcopy and tapegrad.save / load.

- test_round_trips: random graphs of tensors sharing storage (bases of every dtype, then
  chains of views: slices with steps, transposes, selects, expands, flattening views, detach;
  Parameters; tensors that require grad, have a .grad, or are non-leaves) inside random nested
  containers with repeated objects, numbers, strings and numpy arrays, through pickle
  (protocols 0-5), deepcopy, save/load to a stream and save/load to a path. The copy must have
  the same structure, values, dtypes, layouts, requires_grad and Parameter-ness; the same
  object twice stays one object; tensors share a storage exactly when the originals did
  (writing into a storage shows in every alias, in no other tensor, and not in the originals);
  .grad survives deepcopy only (and not on Parameters); deepcopy of a non-leaf raises.
- test_corrupted_bytes: random bit flips, truncations, insertions, deletions and splices of a
  saved file raise LoadError (the checksums see every changed byte).
- test_hostile_headers: random edits of the JSON header, rewritten with valid checksums, so
  that every field check is reached: load either returns an object whose memory is bounded
  by the file's size, or raises LoadError; nothing else, and no crash.

Profiles as in test_fuzz.py (TAPEGRAD_FUZZ_PROFILE: ci, sanitized, long; TAPEGRAD_FUZZ_EXAMPLES).
"""
import copy
import io
import json
import os
import pickle
import struct
import tempfile
import zlib
from collections import OrderedDict

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import tapegrad as tg  # noqa: E402
from tapegrad import _C, nn, serialization  # noqa: E402
from tapegrad.serialization import LoadError  # noqa: E402

_PHASES = [hypothesis.Phase.explicit, hypothesis.Phase.reuse, hypothesis.Phase.generate, hypothesis.Phase.shrink]
_HEALTH = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]
PROFILE = os.environ.get("TAPEGRAD_FUZZ_PROFILE", os.environ.get("HYPOTHESIS_PROFILE", "ci"))
if PROFILE not in ("ci", "sanitized", "long"):
    PROFILE = "ci"
EXAMPLES = {
    "ci": {"round_trips": 600, "bytes": 500, "headers": 800},
    "sanitized": {"round_trips": 100, "bytes": 100, "headers": 150},
    "long": {"round_trips": 10000, "bytes": 10000, "headers": 20000},
}[PROFILE]
if os.environ.get("TAPEGRAD_FUZZ_EXAMPLES"):
    EXAMPLES = dict.fromkeys(EXAMPLES, int(os.environ["TAPEGRAD_FUZZ_EXAMPLES"]))


def fuzz_settings(kind):
    return settings(deadline=None, derandomize=PROFILE != "long", suppress_health_check=_HEALTH, print_blob=True,
                    phases=_PHASES, database=None, max_examples=EXAMPLES[kind])


DTYPES = [tg.float32, tg.float64, tg.int64, tg.bool]
METHODS = [f"pickle{p}" for p in range(pickle.HIGHEST_PROTOCOL + 1)] + ["deepcopy", "save_stream", "save_path"]
_TMP = tempfile.TemporaryDirectory(prefix="tapegrad-fuzz-serialization-")


def _values(rng, dtype, shape):
    if dtype == tg.bool:
        return rng.random(shape) < 0.5
    if dtype == tg.int64:
        return rng.integers(-2 ** 63, 2 ** 63 - 1, size=shape, dtype=np.int64, endpoint=True)
    return rng.standard_normal(shape).astype(np.float32 if dtype == tg.float32 else np.float64)


def _view(draw, t):
    """One random view of t, or None when the drawn kind does not apply to t."""
    kind = draw(st.sampled_from(["slice", "transpose", "select", "expand", "flat", "detach"]))
    if kind == "detach":
        return t.detach()
    if kind == "expand":
        return t.unsqueeze(0).expand(draw(st.integers(0, 3)), *t.shape)
    if kind == "flat":
        return t.view(-1) if t.is_contiguous() else None
    if t.dim() == 0:
        return None
    d = draw(st.integers(0, t.dim() - 1))
    if kind == "transpose":
        return t.transpose(d, draw(st.integers(0, t.dim() - 1)))
    if kind == "select":
        return t.select(d, draw(st.integers(0, t.shape[d] - 1))) if t.shape[d] else None
    start, stop = draw(st.integers(0, 4)), draw(st.integers(0, 5))
    key = (slice(None),) * d + (slice(start, stop, draw(st.integers(1, 3))),)
    return t[key]


@st.composite
def tensor_graphs(draw):
    """A list of tensors: a few bases, then views of earlier tensors."""
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    tensors = []
    for _ in range(draw(st.integers(1, 3))):
        dtype = draw(st.sampled_from(DTYPES))
        shape = tuple(draw(st.lists(st.integers(0, 4), max_size=3)))
        t = tg.tensor(_values(rng, dtype, shape), dtype=dtype)
        if dtype.is_floating_point:
            kind = draw(st.sampled_from(["plain", "requires_grad", "parameter", "frozen_parameter", "with_grad"]))
            if kind == "requires_grad":
                t.requires_grad_(True)
            elif kind in ("parameter", "frozen_parameter"):
                t = nn.Parameter(t, requires_grad=kind == "parameter")
            elif kind == "with_grad":
                t.requires_grad_(True)
                t.grad = tg.tensor(_values(rng, dtype, shape), dtype=dtype)
        tensors.append(t)
    for _ in range(draw(st.integers(0, 5))):
        src = draw(st.sampled_from(tensors))
        # Mostly views made without recording (leaves); sometimes a recorded view (a non-leaf).
        if draw(st.integers(0, 9)) == 0:
            v = _view(draw, src)
        else:
            with tg.no_grad():
                v = _view(draw, src)
        if v is not None:
            tensors.append(v)
    return tensors


@st.composite
def objects(draw, depth=0):
    """Nested containers over one graph's tensors, with repeats and plain values."""
    tensors = draw(st.shared(tensor_graphs(), key="graph"))
    shared = draw(st.shared(st.builds(list), key="containers"))  # containers made so far, for repeats
    kinds = ["tensor", "tensor", "value", "ndarray"]
    if depth < 3:
        kinds += ["list", "tuple", "dict", "odict", "repeat"]
    kind = draw(st.sampled_from(kinds))
    if kind == "tensor":
        return draw(st.sampled_from(tensors))
    if kind == "value":
        return draw(st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70),
                              st.floats(allow_nan=False), st.text(max_size=5)))
    if kind == "ndarray":
        return np.arange(draw(st.integers(0, 4)), dtype=draw(st.sampled_from(["int8", "float32", "uint64"])))
    if kind == "repeat":
        return draw(st.sampled_from(shared)) if shared else None
    items = [draw(objects(depth + 1)) for _ in range(draw(st.integers(0, 4)))]
    if kind == "list":
        out = items
    elif kind == "tuple":
        out = tuple(items)
    else:
        keys = draw(st.lists(st.one_of(st.integers(-5, 5), st.text(max_size=3)), min_size=len(items),
                             max_size=len(items), unique=True))
        out = (OrderedDict if kind == "odict" else dict)(zip(keys, items))
    shared.append(out)
    return out


def _tensors_in(obj, out, seen):
    if isinstance(obj, tg.Tensor):
        out.append(obj)
    elif id(obj) in seen:
        return
    elif isinstance(obj, (list, tuple, dict)):
        seen.add(id(obj))
        for item in (obj.items() if isinstance(obj, dict) else obj):
            _tensors_in(item, out, seen)
    return out


def _round_trip(obj, method):
    if method.startswith("pickle"):
        return pickle.loads(pickle.dumps(obj, protocol=int(method[6:])))
    if method == "deepcopy":
        return copy.deepcopy(obj)
    if method == "save_stream":
        buf = io.BytesIO()
        tg.save(obj, buf)
        buf.seek(0)
        return tg.load(buf)
    path = os.path.join(_TMP.name, "f.tg")
    tg.save(obj, path)
    return tg.load(path)


def _same(a, b, method, pairs):
    """Same structure and plain values; the tensor pairs are collected for the checks below."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, tg.Tensor):
        pairs.append((a, b))
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k], method, pairs)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y, method, pairs)
    else:
        assert a == b


def _snapshot(t):
    return t.detach().numpy().copy()


def _check_tensor(a, b, method):
    assert b.dtype == a.dtype and tuple(b.shape) == tuple(a.shape)
    assert b.stride() == a.stride() and b.storage_offset() == a.storage_offset()
    np.testing.assert_array_equal(_snapshot(b), _snapshot(a))
    assert b.requires_grad == a.requires_grad and b.is_leaf and b.grad_fn is None
    parameter = isinstance(a, nn.Parameter)
    assert isinstance(b, nn.Parameter) == parameter
    if method == "deepcopy" and a.grad is not None and not parameter:
        np.testing.assert_array_equal(_snapshot(b.grad), _snapshot(a.grad))
    else:
        assert b.grad is None


@fuzz_settings("round_trips")
@given(obj=objects(), method=st.sampled_from(METHODS))
def test_round_trips(obj, method):
    originals = _tensors_in(obj, [], set())
    if method == "deepcopy" and any(not t.is_leaf for t in originals):
        with pytest.raises(RuntimeError, match="graph leaves"):
            copy.deepcopy(obj)
        return
    before = [_snapshot(t) for t in originals]
    back = _round_trip(obj, method)
    pairs = []
    _same(obj, back, method, pairs)
    # Identity: one original object, one copy; two originals, two copies.
    by_id = {}
    for a, b in pairs:
        assert by_id.setdefault(id(a), b) is b
        _check_tensor(a, b, method)
    assert len({id(b) for b in by_id.values()}) == len(by_id)
    # Storage sharing: the copies are grouped exactly as the originals, and apart from them.
    groups = {}
    for a, b in pairs:
        groups.setdefault(_C._storage_key(a), set()).add(_C._storage_key(b))
    copy_keys = [k for ks in groups.values() for k in ks]
    assert all(len(ks) == 1 for ks in groups.values()) and len(set(copy_keys)) == len(copy_keys)
    assert not set(copy_keys) & set(groups)
    # Writing into each copied storage in turn shows in its aliases and nowhere else.
    copies = [b for _, b in pairs]
    for marker, key in enumerate(copy_keys):
        members = [b for b in copies if _C._storage_key(b) == key]
        others = [(b, _snapshot(b)) for b in copies if _C._storage_key(b) != key]
        whole = serialization._pickling.whole_storage(members[0])
        value = True if whole.dtype == tg.bool else marker + 7
        with tg.no_grad():
            whole.fill_(value)
        for b in members:
            assert (_snapshot(b) == value).all()
        for b, snap in others:
            np.testing.assert_array_equal(_snapshot(b), snap)
    for t, snap in zip(originals, before):
        np.testing.assert_array_equal(_snapshot(t), snap)


def _saved(obj):
    buf = io.BytesIO()
    tg.save(obj, buf)
    return buf.getvalue()


def _bounded(result, size):
    """The loaded object holds no more memory than the file's size (plus tiny overheads)."""
    total, storages = 0, set()
    for t in _tensors_in(result, [], set()) or []:
        key = _C._storage_key(t)
        if key not in storages:
            storages.add(key)
            total += _C._storage_nbytes(t)
    stack, seen = [result], set()
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        if isinstance(o, (np.ndarray, bytes, bytearray)):
            total += o.nbytes if isinstance(o, np.ndarray) else len(o)
        elif isinstance(o, dict):
            stack.extend(o.keys())
            stack.extend(o.values())
        elif isinstance(o, (list, tuple, set, frozenset)):
            stack.extend(o)
    assert total <= size, (total, size)


@fuzz_settings("bytes")
@given(obj=objects(), data=st.data())
def test_corrupted_bytes(obj, data):
    good = _saved(obj)
    kind = data.draw(st.sampled_from(["flip", "truncate", "insert", "delete", "splice"]))
    at = data.draw(st.integers(0, len(good) - 1))
    if kind == "flip":
        bad = bytearray(good)
        bad[at] ^= data.draw(st.integers(1, 255))
    elif kind == "truncate":
        bad = bytearray(good[:at])
    elif kind == "insert":
        bad = bytearray(good[:at] + data.draw(st.binary(min_size=1, max_size=8)) + good[at:])
    elif kind == "delete":
        bad = bytearray(good[:at] + good[at + data.draw(st.integers(1, 8)):])
    else:
        other = _saved(data.draw(objects()))
        bad = bytearray(good[:at] + other[data.draw(st.integers(0, len(other) - 1)):])
        hypothesis.assume(bad != other)  # a splice at the same place of two files can be the other file
    with pytest.raises(LoadError):
        tg.load(io.BytesIO(bytes(bad)))


def _json_values():
    return st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70),
                     st.sampled_from([0, 1, -1, 2 ** 31, 2 ** 62, 2 ** 63, 2 ** 64, float("inf"), float("nan"), 1e300]),
                     st.floats(), st.text(max_size=6),
                     st.sampled_from(["float32", "int64", "bool", "<f4", "|O", "O", "V8", "tensor", "ref", "pickle"]),
                     st.lists(st.integers(-3, 5), max_size=4), st.just({}), st.just([]))


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, path + (i,))


def _record(header, blobs):
    text = json.dumps(header).encode()
    return serialization.MAGIC + struct.pack("<QI", len(text), zlib.crc32(text)) + text + b"".join(blobs)


@fuzz_settings("headers")
@given(obj=objects(), data=st.data())
def test_hostile_headers(obj, data):
    good = _saved(obj)
    start = len(serialization.MAGIC)
    length = int.from_bytes(good[start:start + 8], "little")
    header = json.loads(good[start + 12:start + 12 + length])
    blobs_at = start + 12 + length
    blobs, pos = [], blobs_at
    for entry in header["blobs"]:
        blobs.append(good[pos:pos + entry["nbytes"]])
        pos += entry["nbytes"]
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(header) if p]
        path = data.draw(st.sampled_from(paths))
        parent = header
        for step in path[:-1]:
            parent = parent[step]
        edit = data.draw(st.sampled_from(["replace", "replace", "delete", "duplicate"]))
        if edit == "delete":
            del parent[path[-1]]
        elif edit == "duplicate" and isinstance(parent, list):
            parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))
        else:
            parent[path[-1]] = data.draw(_json_values())
    # Blobs stay consistent with what the (edited) table says, as a careful forger would make them.
    table = header.get("blobs")
    if isinstance(table, list) and all(isinstance(e, dict) for e in table):
        blobs = [(blobs[i] if i < len(blobs) else b"")[:2 ** 20] for i in range(len(table))]
        for e, b in zip(table, blobs):
            e["nbytes"], e["crc32"] = len(b), zlib.crc32(b)
    bad = _record(header, blobs)
    try:
        result = tg.load(io.BytesIO(bad))
    except LoadError:
        return
    _bounded(result, len(bad))
