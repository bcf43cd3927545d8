"""tapegrad.save / tapegrad.load against the failures of issue 14: sharing lost, a second save
into one stream read first, non-atomic writes, no numpy arrays, decompression bombs, and
malformed files raising assorted exceptions. Plain round trips are in test_serialization.py."""
import io
import json
import os
import pickle
import struct
import subprocess
import sys
import zipfile
import zlib
from collections import OrderedDict

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import nn, serialization
from tapegrad.serialization import LoadError

try:
    import torch
except ImportError:  # the tapegrad-only checks still run
    torch = None


def _round_trip(obj, **load_args):
    buf = io.BytesIO()
    tg.save(obj, buf)
    buf.seek(0)
    return tg.load(buf, **load_args)


def _record(header, blobs=()):
    """A file in the current format with any header: for hostile files."""
    header = dict({"format": "tapegrad-2", "blobs": [{"nbytes": len(b), "crc32": zlib.crc32(b)} for b in blobs],
                   "storages": [], "tensors": []}, **header)
    text = json.dumps(header).encode()
    return serialization.MAGIC + struct.pack("<QI", len(text), zlib.crc32(text)) + text + b"".join(blobs)


def _load_bytes(data, **kw):
    return tg.load(io.BytesIO(data), **kw)


# ---- sharing ----

def test_aliases_views_and_parameters_come_back_shared():
    t = tg.arange(6.0)
    p = nn.Parameter(tg.randn(2, 3))
    back = _round_trip({"a": t, "b": t, "v": t[1:3], "w": t.view(2, 3).t(), "p": p, "pt": p.t()})
    a, b, v, w = back["a"], back["b"], back["v"], back["w"]
    assert a is b
    assert (v.storage_offset(), v.stride(), w.stride()) == (1, (1,), (1, 3))
    v[0] = 100.0
    assert a[1] == 100 and w[1, 0] == 100
    assert isinstance(back["p"], nn.Parameter) and back["p"].requires_grad
    assert not isinstance(back["pt"], nn.Parameter) and back["pt"].stride() == (1, 3)
    back["p"].data.zero_()
    assert float(back["pt"].abs().sum()) == 0.0


def test_tied_weights_stay_tied_through_state_dict_and_whole_model():
    m = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 3))
    m[1].weight = m[0].weight
    sd = _round_trip(m.state_dict())  # two detached aliases of one storage, as in torch
    sd["0.weight"][0, 0] = 42.0
    assert sd["1.weight"][0, 0] == 42
    whole = _round_trip(m, weights_only=False)
    assert whole[0].weight is whole[1].weight and isinstance(whole[0].weight, nn.Parameter)
    x = tg.randn(2, 3)
    np.testing.assert_array_equal(m(x).detach().numpy(), whole(x).detach().numpy())


def test_a_pickled_object_saved_twice_loads_as_one_object():
    m = nn.Linear(2, 2)
    back = _round_trip({"model": m, "again": [m]}, weights_only=False)
    assert back["model"] is back["again"][0]


def test_a_pickled_object_and_the_plain_structure_share_tensors():
    t = tg.ones(3)
    back = _round_trip({"t": t, "module": nn.Identity(), "both": [t[1:], OrderedDict(x=t)]}, weights_only=False)
    back["both"][0][0] = 7.0
    assert back["t"][1] == 7 and back["both"][1]["x"] is back["t"]


def test_a_small_view_of_a_big_tensor_keeps_its_offset():
    big = tg.arange(1000.0)
    back = _round_trip(big[990:995])
    assert back.storage_offset() == 990 and back.tolist() == [990.0, 991.0, 992.0, 993.0, 994.0]


# ---- streams ----

def test_two_saves_into_one_stream_load_in_order():
    buf = io.BytesIO()
    tg.save({"first": tg.ones(2)}, buf)
    tg.save([tg.zeros(3), "second"], buf)
    buf.seek(0)
    assert list(tg.load(buf)) == ["first"]
    assert tg.load(buf)[1] == "second"
    with pytest.raises(LoadError):
        tg.load(buf)  # nothing left
    if torch is not None:
        tbuf = io.BytesIO()
        torch.save({"first": 1}, tbuf)
        torch.save({"second": 2}, tbuf)
        tbuf.seek(0)
        assert list(torch.load(tbuf)) == ["first"]


def test_non_seekable_streams():
    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self.data, self.pos = data, 0

        def readable(self):
            return True

        def readinto(self, b):
            n = min(len(b), len(self.data) - self.pos, 7)  # short reads
            b[:n] = self.data[self.pos:self.pos + n]
            self.pos += n
            return n

    buf = io.BytesIO()
    tg.save({"x": tg.arange(100.0)}, buf)
    assert tg.load(Pipe(buf.getvalue()))["x"].tolist() == list(range(100))
    with pytest.raises(LoadError):
        tg.load(Pipe(buf.getvalue()[:-5]))


def test_trailing_bytes_after_a_path_are_an_error(tmp_path):
    tg.save(tg.ones(1), tmp_path / "f")
    with open(tmp_path / "f", "ab") as fh:
        fh.write(b"junk")
    with pytest.raises(LoadError, match="after the end"):
        tg.load(tmp_path / "f")


# ---- atomic writes ----

_KILL_MIDWAY = """
import builtins, io, os, signal, sys
import tapegrad as tg
written = [0]
class Dying(io.RawIOBase):
    def __init__(self, f): self.f = f
    def writable(self): return True
    def write(self, b):
        written[0] += len(b)
        if written[0] > 100000: os.kill(os.getpid(), signal.SIGKILL)
        return self.f.write(b)
    def __getattr__(self, name): return getattr(self.f, name)
    def __enter__(self): return self
    def __exit__(self, *a): self.f.close()
real_open, real_fdopen = builtins.open, os.fdopen
def dying_open(*a, **k):
    f = real_open(*a, **k)
    return Dying(f) if "w" in str(a[1:2] or k.get("mode", "")) else f
builtins.open = dying_open
os.fdopen = lambda *a, **k: Dying(real_fdopen(*a, **k))
tg.save({"w": tg.ones(1000000)}, sys.argv[1])
"""


def test_a_save_killed_midway_leaves_the_previous_file(tmp_path):
    target = tmp_path / "ckpt.tg"
    tg.save({"w": tg.full((10,), 3.0)}, target)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", _KILL_MIDWAY, str(target)], env=env, timeout=120)
    assert out.returncode == -9  # it really died while writing
    assert tg.load(target)["w"].tolist() == [3.0] * 10
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "ckpt.tg"]
    assert all(name.startswith(".ckpt.tg.") and name.endswith(".tmp") for name in leftovers)


def test_a_failed_save_removes_its_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "ckpt"
    tg.save([1], target)

    def broken(fd):
        raise OSError("disk full")
    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="disk full"):
        tg.save([2], target)
    monkeypatch.undo()
    assert tg.load(target) == [1] and [p.name for p in tmp_path.iterdir()] == ["ckpt"]
    with pytest.raises((pickle.PicklingError, AttributeError)):  # an object that cannot be saved: nothing is written
        tg.save([lambda: 0], target)
    assert tg.load(target) == [1]


def test_saving_through_a_symlink_replaces_the_target(tmp_path):
    tg.save([1], tmp_path / "real")
    os.symlink(tmp_path / "real", tmp_path / "link")
    tg.save([2], tmp_path / "link")
    assert os.path.islink(tmp_path / "link") and tg.load(tmp_path / "real") == [2]


# ---- weights_only ----

_RAN = []


def _record_run(what):
    _RAN.append(what)


class _Sneaky:
    """Records that unpickling it ran code."""

    def __reduce__(self):
        return (_record_run, ("ran",))


def test_weights_only_is_the_default_and_runs_no_code():
    buf = io.BytesIO()
    tg.save({"w": tg.ones(2), "evil": _Sneaky()}, buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match=r"(?s)Weights only load failed.*GLOBAL .*_Sneaky") as info:
        tg.load(buf)
    assert isinstance(info.value, RuntimeError) and _RAN == []
    buf.seek(0)
    tg.load(buf, weights_only=False)
    assert _RAN == ["ran"]
    _RAN.clear()
    buf.seek(0)
    with pytest.raises(RuntimeError, match="Can not safely load weights when explicit pickle_module"):
        tg.load(buf, pickle_module=pickle, weights_only=True)
    buf.seek(0)
    tg.load(buf, pickle_module=pickle)  # as in torch: an explicit pickle_module means weights_only=False
    assert _RAN == ["ran"]
    _RAN.clear()


def test_plain_data_loads_in_weights_only_mode():
    obj = {"np": np.arange(3), "f16": np.ones((2, 2), np.float16), "dt": np.dtype("int32"), "s": np.float32(1.5),
           "strs": np.array(["ab", "c"]), "size": tg.Size([2, 3]), "dtype": tg.float64, "c": 1 + 2j,
           "b": b"\x00\xff", "ba": bytearray(b"x"), "set": {1, "a"}, "fs": frozenset([2]), "inf": float("inf"),
           "big": 2 ** 100, "t": (None, True, "x", -7), "od": OrderedDict(a=1), 3: [], (1, 2): "tuple key"}
    back = _round_trip(obj)
    assert back.keys() == obj.keys()
    for k, v in obj.items():
        if isinstance(v, np.ndarray):
            assert back[k].dtype == v.dtype and np.array_equal(back[k], v) and back[k].flags.writeable
        else:
            assert type(back[k]) is type(v) and back[k] == v, k
    if torch is not None:  # the types torch 2.13 loads weights-only load here too
        tbuf = io.BytesIO()
        torch.save({"size": torch.Size([2]), "c": 1 + 2j, "set": {1}, "b": b"x", "od": OrderedDict()}, tbuf)
        tbuf.seek(0)
        torch.load(tbuf)


def test_object_arrays_and_custom_objects_are_refused_in_weights_only_mode():
    for obj in [np.array([{"a": 1}], dtype=object), np.dtype([("a", "f4")]), nn.Linear(2, 2), OrderedDict]:
        with pytest.raises(LoadError, match="Weights only load failed"):
            _round_trip({"x": obj})
    back = _round_trip({"x": np.array([{"a": 1}], dtype=object)}, weights_only=False)
    assert back["x"][0] == {"a": 1}
    hostile = _record({"root": {"npdtype": "O"}})  # hand-written: an object dtype is refused, not read
    with pytest.raises(LoadError, match="not allowed"):
        _load_bytes(hostile)
    with pytest.raises(LoadError, match="not allowed"):
        _load_bytes(_record({"root": {"ndarray": 0, "dtype": "|O", "shape": [1]}}, [b"\x00" * 8]))


# ---- bombs ----

def _limited(code):
    """Runs code in a child whose address space is capped at 1 GiB (more than it needs, much less
    than a bomb would take): an attempt to allocate the declared size fails there."""
    prelude = "import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-c", prelude + code], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.skipif(tg._C._sanitized, reason="ASan reserves terabytes of address space: no RLIMIT_AS under it")
def test_declared_sizes_larger_than_the_file_are_refused_before_allocating(tmp_path):
    # 1.75 MB of real data whose blob table claims a 1.8 GB storage.
    data = _record({"blobs": [{"nbytes": 1_800_000_000, "crc32": 0}], "storages": [{"blob": 0, "dtype": "float32"}],
                    "tensors": [{"storage": 0, "offset": 0, "size": [450_000_000], "stride": [1],
                                 "requires_grad": False}],
                    "root": {"tensor": 0}}, [b"\x00" * 1_750_000])
    (tmp_path / "bomb").write_bytes(data)
    code = (f"import io, tapegrad as tg\n"
            f"try: tg.load({str(tmp_path / 'bomb')!r})\n"
            f"except tg.serialization.LoadError as e: print('refused', e)\n"
            f"class Pipe(io.RawIOBase):  # a stream that cannot tell its size: read as it comes\n"
            f"    def __init__(self, f): self.f = f\n"
            f"    def readable(self): return True\n"
            f"    def readinto(self, b): return self.f.readinto(b)\n"
            f"try: tg.load(Pipe(open({str(tmp_path / 'bomb')!r}, 'rb')))\n"
            f"except tg.serialization.LoadError as e: print('refused', e)\n")
    out = _limited(code)
    assert out.stdout.count("refused") == 2, out.stderr[-2000:]
    assert "1800000000 bytes, the file has" in out.stdout and "ends" in out.stdout
    # An honest blob with a tensor claiming more elements than it holds: the view check refuses it.
    honest = _record({"storages": [{"blob": 0, "dtype": "float32"}],
                      "tensors": [{"storage": 0, "offset": 0, "size": [450_000_000], "stride": [1],
                                   "requires_grad": False}], "root": {"tensor": 0}}, [b"\x00" * 1_750_000])
    with pytest.raises(LoadError, match="out of bounds for storage"):
        _load_bytes(honest)


def test_one_array_referenced_many_times_is_loaded_once():
    refs = [{"tensor": 0}] * 4000
    data = _record({"storages": [{"blob": 0, "dtype": "float32"}],
                    "tensors": [{"storage": 0, "offset": 0, "size": [250_000], "stride": [1], "requires_grad": False}],
                    "root": {"list": refs}}, [b"\x00" * 1_000_000])
    back = _load_bytes(data)
    assert len(back) == 4000 and all(t is back[0] for t in back)
    # The same blob read as arrays of other shapes would be a copy each: refused.
    arrays = [{"ndarray": 0, "dtype": "<f4", "shape": [250_000]}, {"ndarray": 0, "dtype": "<f4", "shape": [1, 250_000]}]
    with pytest.raises(LoadError, match="read as two different things"):
        _load_bytes(_record({"root": {"list": arrays}}, [b"\x00" * 1_000_000]))
    same = _load_bytes(_record({"root": {"list": arrays[:1] * 4000}}, [b"\x00" * 1_000_000]))
    assert all(a is same[0] for a in same)


def test_a_huge_expanded_view_is_refused():
    data = _record({"storages": [{"blob": 0, "dtype": "float32"}],
                    "tensors": [{"storage": 0, "offset": 0, "size": [2 ** 40, 2 ** 40], "stride": [0, 0],
                                 "requires_grad": False}], "root": {"tensor": 0}}, [b"\x00" * 4])
    with pytest.raises(LoadError, match="too many elements"):
        _load_bytes(data)


def _legacy(structure, arrays, compression=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as z:
        for name, arr in dict(arrays, __structure__=np.array(json.dumps(
                {"format": "tapegrad-npz-1", "root": structure}))).items():
            b = io.BytesIO()
            np.save(b, arr)
            z.writestr(name + ".npy", b.getvalue())
    return buf.getvalue()


def test_previous_format_bombs_are_refused():
    zeros = np.zeros(2_000_000, np.float32)  # 8 MB that deflate to a few KB
    compressed = _legacy({"tensor": 0}, {"t0": zeros}, zipfile.ZIP_DEFLATED)
    assert len(compressed) < 100_000
    with pytest.raises(LoadError, match="compressed"):
        _load_bytes(compressed)
    many = _legacy({"list": [{"tensor": 0}] * 4000}, {"t0": np.zeros(1000, np.float32)})
    back = _load_bytes(many)
    assert len(back) == 4000 and all(t is back[0] for t in back)
    assert _load_bytes(_legacy({"tensor": 0, "requires_grad": True}, {"t0": np.ones(3)})).requires_grad


# ---- malformed files: one exception type ----

@pytest.mark.parametrize("root", [
    {"tensor": float("inf")}, {"tensor": 1e300}, {"tensor": -1}, {"tensor": True}, {"tensor": "0"}, {"tensor": 5},
    {"nonsense": 1}, {}, [], "text", {"list": {"a": 1}}, {"dict": [[{"value": 1}]]},
    {"dict": [[{"list": []}, {"value": 1}]]},
    {"set": [{"list": []}]}, {"ref": 0}, {"tuple": [{"ref": 0}]}, {"value": [1]}, {"complex": [1]},
    {"size": [-1]}, {"dtype": "complex64"}, {"npdtype": "(2,)f4"}, {"npdtype": "not a dtype"},
    {"bytes": 3}, {"pickle": 0},
], ids=repr)
def test_malformed_structures_raise_load_error(root):
    data = _record({"storages": [{"blob": 0, "dtype": "float32"}],
                    "tensors": [{"storage": 0, "offset": 0, "size": [1], "stride": [1], "requires_grad": False}],
                    "root": root}, [b"\x00" * 4])
    with pytest.raises(LoadError) as info:
        _load_bytes(data, weights_only=root != {"pickle": 0})
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, pickle.UnpicklingError)


@pytest.mark.parametrize("tensor", [
    {"storage": 0, "offset": 0, "size": [2], "stride": [1], "requires_grad": False},  # past the storage
    {"storage": 0, "offset": 1, "size": [1], "stride": [1], "requires_grad": False},
    {"storage": 1, "offset": 0, "size": [1], "stride": [1], "requires_grad": False},
    {"storage": 0, "offset": 0, "size": [1], "stride": [1], "requires_grad": 1},
    {"storage": 0, "offset": 0, "size": [1], "stride": [1, 1], "requires_grad": False},
    {"storage": 0, "offset": 0, "size": [1] * 65, "stride": [1] * 65, "requires_grad": False},
    {"storage": 0, "offset": 2 ** 63, "size": [1], "stride": [1], "requires_grad": False},
    {"storage": 0, "offset": 0, "size": [3], "stride": [2 ** 61], "requires_grad": False},
    {"storage": 0, "offset": 0, "size": [1], "stride": [-1], "requires_grad": False},
    "tensor",
], ids=repr)
def test_malformed_tensor_entries_raise_load_error(tensor):
    data = _record({"storages": [{"blob": 0, "dtype": "float32"}], "tensors": [tensor], "root": {"tensor": 0}},
                   [b"\x00" * 4])
    with pytest.raises(LoadError):
        _load_bytes(data)


def test_integer_storages_cannot_require_grad_and_bool_bytes_are_checked():
    for dtype, blob in [("int64", b"\x00" * 8), ("bool", b"\x02")]:
        rg = dtype == "int64"
        data = _record({"storages": [{"blob": 0, "dtype": dtype}],
                        "tensors": [{"storage": 0, "offset": 0, "size": [1], "stride": [1], "requires_grad": rg}],
                        "root": {"tensor": 0}}, [blob])
        with pytest.raises(LoadError):
            _load_bytes(data)


def test_malformed_previous_format_files_raise_load_error():
    cases = [
        _legacy({"tensor": float("inf")}, {"t0": np.ones(1)}),  # was OverflowError
        _legacy({"tensor": 0}, {"t0": np.ones(1)}, zipfile.ZIP_LZMA),  # was NotImplementedError
        _legacy({"tensor": 1}, {"t0": np.ones(1)}),
        _legacy({"tensor": 0}, {"t0": np.array(["a"])}),
        _legacy({"tensor": 0}, {"t0": np.ones(1, ">f8")}),
        _legacy({"what": 0}, {}),
    ]
    for data in cases:
        with pytest.raises(LoadError):
            _load_bytes(data)


def test_checksums_catch_a_flipped_bit_anywhere():
    buf = io.BytesIO()
    tg.save({"w": tg.randn(50), "n": np.arange(5), "s": "text"}, buf)
    data = buf.getvalue()
    for i in range(0, len(data), 7):
        bad = bytearray(data)
        bad[i] ^= 0x10
        with pytest.raises(LoadError):
            _load_bytes(bytes(bad))


def test_errors_of_opening_pass_through(tmp_path):
    with pytest.raises(FileNotFoundError):
        tg.load(tmp_path / "missing")
    with pytest.raises(IsADirectoryError):
        tg.load(tmp_path)
