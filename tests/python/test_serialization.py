"""tapegrad.save / tapegrad.load: round trips of tensors and nested containers, plain data is
written without pickle, files of the previous (npz) format still load, and corrupt or truncated
files raise a clear error. Sharing, atomicity, the weights_only contract and hostile files are
in test_save_load_hardening.py."""
import io
import json
import pickle
import zipfile
from collections import OrderedDict
from fractions import Fraction

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import nn, serialization


def _eq(a, b):
    assert type(a) is type(b), (a, b)
    if isinstance(a, tg.Tensor):
        assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape) and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _eq(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _eq(x, y)
    else:
        assert a == b


def test_round_trip_of_nested_values(tmp_path):
    obj = {
        "f32": tg.randn(3, 4), "f64": tg.randn(2, dtype=tg.float64), "i64": tg.arange(5),
        "bool": tg.tensor([True, False]), "scalar": tg.tensor(2.5), "empty": tg.zeros(0, 3),
        "view": tg.arange(12.0).reshape(3, 4).t(), "leaf": tg.ones(2, requires_grad=True),
        "nested": OrderedDict([("a", [tg.ones(1), (1, 2.5, None)]), ("b", {"deep": "text", 3: True})]),
        7: [], "big": 1e300,
    }
    tg.save(obj, tmp_path / "x.pt")
    back = tg.load(tmp_path / "x.pt")
    expected = dict(obj)
    expected["view"] = obj["view"].contiguous()
    _eq(back, expected)


def test_single_tensor_and_file_objects():
    buf = io.BytesIO()
    t = tg.arange(6.0).reshape(2, 3)
    tg.save(t, buf)
    buf.seek(0)
    _eq(tg.load(buf), t)


def test_loaded_tensors_own_their_memory(tmp_path):
    tg.save({"t": tg.ones(3)}, str(tmp_path / "m"))  # no extension is added to the name
    assert (tmp_path / "m").exists()
    a, b = tg.load(tmp_path / "m")["t"], tg.load(tmp_path / "m")["t"]
    a.add_(1)
    assert b.tolist() == [1.0, 1.0, 1.0]


def test_model_state_dict_round_trip(tmp_path):
    m = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4), nn.Linear(4, 2))
    tg.save(m.state_dict(), tmp_path / "m.tg")
    m2 = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4), nn.Linear(4, 2))
    m2.load_state_dict(tg.load(tmp_path / "m.tg"))
    x = tg.randn(5, 3)
    np.testing.assert_array_equal(m(x).detach().numpy(), m2(x).detach().numpy())


def test_plain_data_is_written_without_pickle(tmp_path):
    tg.save({"w": tg.ones(2), "n": np.arange(3), "s": tg.Size([2]), "d": tg.float64}, tmp_path / "f")
    data = (tmp_path / "f").read_bytes()
    start = len(serialization.MAGIC)
    length = int.from_bytes(data[start:start + 8], "little")
    header = json.loads(data[start + 12:start + 12 + length])
    assert "pickle" not in json.dumps(header["root"]) and header["format"] == "tapegrad-2"


def _legacy_file(path, obj_structure, arrays):
    """A file as tapegrad wrote it before the current format (tapegrad-npz-1)."""
    entries = {f"t{i}": a for i, a in enumerate(arrays)}
    entries["__structure__"] = np.array(json.dumps({"format": "tapegrad-npz-1", "root": obj_structure}))
    with open(path, "wb") as fh:
        np.savez(fh, **entries)


def test_files_of_the_previous_format_still_load(tmp_path):
    _legacy_file(tmp_path / "old", {"dict": [[{"value": "w"}, {"tensor": 0, "requires_grad": True}],
                                             [{"value": "b"}, {"tensor": 1, "requires_grad": False}]],
                                    "ordered": True},
                 [np.arange(6, dtype=np.float32).reshape(2, 3), np.zeros(0, np.int64)])
    back = tg.load(tmp_path / "old")
    assert isinstance(back, OrderedDict) and list(back) == ["w", "b"]
    assert back["w"].requires_grad and back["w"].tolist() == [[0, 1, 2], [3, 4, 5]] and back["b"].dtype == tg.int64


def test_objects_that_are_not_plain_data_need_weights_only_false():
    buf = io.BytesIO()
    tg.save({"n": np.ones(2), "c": Fraction(1, 3)}, buf)  # numpy arrays are plain data now
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global: GLOBAL fractions.Fraction"):
        tg.load(buf)
    buf.seek(0)
    back = tg.load(buf, weights_only=False)
    assert back["c"] == Fraction(1, 3) and back["n"].tolist() == [1.0, 1.0]
    with pytest.raises((pickle.PicklingError, AttributeError)):
        tg.save({"f": lambda: 0}, io.BytesIO())  # as with torch.save: pickle's own error


def _saved_bytes():
    buf = io.BytesIO()
    tg.save({"w": tg.randn(100, 10), "b": tg.zeros(10)}, buf)
    return buf.getvalue()


@pytest.mark.parametrize("cut", [0, 10, 200, -30, -1])
def test_truncated_file_raises_runtime_error(tmp_path, cut):
    data = _saved_bytes()
    (tmp_path / "t").write_bytes(data[:cut])
    with pytest.raises(RuntimeError, match="is not a valid tapegrad file"):
        tg.load(tmp_path / "t")


def test_corrupted_bytes_raise_runtime_error(tmp_path):
    data = bytearray(_saved_bytes())
    data[len(data) // 2] ^= 0xFF  # inside an array: the zip CRC catches it
    (tmp_path / "c").write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="corrupt or truncated"):
        tg.load(tmp_path / "c")


def test_other_files_raise_runtime_error(tmp_path):
    (tmp_path / "text").write_text("hello")
    with pytest.raises(RuntimeError, match="not a valid tapegrad file"):
        tg.load(tmp_path / "text")
    np.savez(tmp_path / "plain.npz", a=np.ones(2))  # an npz, but not one of ours
    with pytest.raises(RuntimeError, match="not a valid tapegrad file"):
        tg.load(tmp_path / "plain.npz")
    with zipfile.ZipFile(tmp_path / "pickled.npz", "w") as z:  # an object array needs pickle: refused
        b = io.BytesIO()
        np.save(b, np.array([{"a": 1}], dtype=object), allow_pickle=True)
        z.writestr("__structure__.npy", b.getvalue())
    with pytest.raises(RuntimeError, match="not a valid tapegrad file"):
        tg.load(tmp_path / "pickled.npz")
    with pytest.raises(FileNotFoundError):
        tg.load(tmp_path / "missing")
