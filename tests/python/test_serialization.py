"""tapegrad.save / tapegrad.load: round trips of tensors and nested containers, the file is a
plain npz that loads without pickle, and corrupt or truncated files raise a clear error."""
import io
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import nn


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


def test_file_is_plain_npz_without_pickles(tmp_path):
    tg.save({"w": tg.ones(2)}, tmp_path / "f")
    with np.load(tmp_path / "f", allow_pickle=False) as z:
        assert "__structure__" in z.files and z["t0"].tolist() == [1.0, 1.0]


def test_unsupported_objects_are_refused():
    with pytest.raises(TypeError, match="tapegrad.save can store"):
        tg.save({"f": lambda: 0}, io.BytesIO())
    with pytest.raises(TypeError, match="got ndarray"):
        tg.save(np.ones(2), io.BytesIO())


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
