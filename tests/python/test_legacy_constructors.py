"""Legacy constructors as torch 2.13 has them: tapegrad.Tensor(data / *sizes / size / other),
FloatTensor & co., x.new / new_tensor / new_zeros / new_ones / new_full / new_empty, x.type()."""
import warnings

import numpy as np
import pytest

import tapegrad as tg

torch = pytest.importorskip("torch")


def outcome(fn, L):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fn(L)
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e).split("\n")[0]
    if isinstance(r, (tg.Tensor, torch.Tensor)):
        return "ok", (r.dtype, tuple(r.shape), r.requires_grad,
                      r.tolist() if getattr(r, "_uninit", False) is False else None)
    return "ok", r


def norm(o):
    return o[0], repr(o[1]).replace("torch.", "tapegrad.")


def same(fn):
    got = norm(outcome(fn, tg))
    assert got == norm(outcome(fn, torch))
    return got


def shape_only(fn):
    """For uninitialised memory: only dtype and shape are defined."""
    return lambda L: (fn(L).dtype, tuple(fn(L).shape))


CONSTRUCT = {
    "empty": lambda L: L.Tensor(),
    "data list": lambda L: L.Tensor([2, 3]),
    "data tuple": lambda L: L.Tensor((2, 3)),
    "nested": lambda L: L.Tensor([[1, 2], [3, 4]]),
    "bools": lambda L: L.Tensor([True, False]),
    "numpy": lambda L: L.Tensor(np.array([1, 2])),
    "empty list": lambda L: L.Tensor([]),
    "data kw": lambda L: L.Tensor(data=[1]),
    "zero size": lambda L: L.Tensor(0),
    "cpu device": lambda L: L.Tensor([1], device="cpu"),
    "cpu:0 device": lambda L: L.Tensor([1], device=L.device("cpu", 0)),
    "float": lambda L: L.Tensor(2.5),
    "bool": lambda L: L.Tensor(True),
    "numpy scalar": lambda L: L.Tensor(np.float64(2.0)),
    "str": lambda L: L.Tensor("a"),
    "negative": lambda L: L.Tensor(-1),
    "size and float": lambda L: L.Tensor(2, 3.5),
    "two lists": lambda L: L.Tensor([1], [2]),
    "dtype kw": lambda L: L.Tensor(3, dtype=L.float64),
    "cuda": lambda L: L.Tensor(3, device="cuda"),
    "mps": lambda L: L.Tensor(2, 3, device="mps"),
    "ragged": lambda L: L.Tensor([[1], [1, 2]]),
    "other with device": lambda L: L.Tensor(L.ones(2), device="cpu"),
    "other": lambda L: L.Tensor(L.ones(2, dtype=L.float64)),
    "other int": lambda L: L.Tensor(L.ones(2, dtype=L.int64)),
    "other 0-d": lambda L: L.Tensor(L.tensor(3)),
    "other requires grad": lambda L: L.Tensor(L.ones(2, requires_grad=True)).requires_grad,
    "Float from int tensor": lambda L: L.FloatTensor(L.ones(2, dtype=L.int64)),
    "Long data": lambda L: L.LongTensor([1.5]),
    "Bool data": lambda L: L.BoolTensor([1, 0]),
    "Float empty": lambda L: L.FloatTensor(),
    "Float tuple data": lambda L: L.FloatTensor((2, 3)),
    "Double data": lambda L: L.DoubleTensor([1, 2]),
    "isinstance": lambda L: (isinstance(L.ones(1), L.FloatTensor), isinstance(L.ones(1), L.LongTensor),
                             isinstance(L.ones(1).long(), L.LongTensor), isinstance(1, L.FloatTensor)),
    "class dtype": lambda L: (L.FloatTensor.dtype, L.DoubleTensor.dtype, L.LongTensor.dtype, L.BoolTensor.dtype),
}
UNINIT = {
    "sizes": lambda L: L.Tensor(2, 3),
    "Size": lambda L: L.Tensor(L.Size([2, 3])),
    "0-d Size": lambda L: L.Tensor(L.Size([])),
    "size kw": lambda L: L.Tensor(size=(2, 3)),
    "numpy int sizes": lambda L: L.Tensor(np.int64(2), 3),
    "Float sizes": lambda L: L.FloatTensor(2, 3),
    "Long sizes": lambda L: L.LongTensor(2),
    "cuda sizes": lambda L: L.Tensor(2, 3, device="cpu"),
}


@pytest.mark.parametrize("case", CONSTRUCT, ids=list(CONSTRUCT))
def test_legacy_construction_as_torch(case):
    same(CONSTRUCT[case])


@pytest.mark.parametrize("case", UNINIT, ids=list(UNINIT))
def test_legacy_sizes_as_torch(case):
    same(shape_only(UNINIT[case]))


def test_tensor_of_tensor_shares_memory():
    for L in (tg, torch):
        x = L.ones(2)
        y = L.Tensor(x)
        y[0] = 5
        assert x.tolist() == [5.0, 1.0] and y is not x


def test_legacy_follows_the_default_dtype():
    for L in (tg, torch):
        L.set_default_dtype(L.float64)
        try:
            assert L.Tensor([1.5]).dtype == L.float64 and L.Tensor(2).dtype == L.float64
            assert L.Tensor(2).type() == "torch.DoubleTensor"
            assert L.FloatTensor([1]).dtype == L.float32
        finally:
            L.set_default_dtype(L.float32)


def test_subclass_construction_is_unchanged():
    class Sub(tg.Tensor):
        pass

    with pytest.raises(TypeError):
        Sub()
    assert tg.nn.Parameter(tg.ones(2)).requires_grad


METHODS = {
    "type()": lambda L, y: (y.type(), y.long().type(), y.double().type(), y.bool().type()),
    "type(dtype)": lambda L, y: y.type(L.float64),
    "type(str)": lambda L, y: (y.type("torch.DoubleTensor").dtype, y.type("torch.LongTensor").dtype),
    "type same": lambda L, y: (y.type(L.float32) is y, y.type("torch.FloatTensor") is y),
    "type class": lambda L, y: (y.type(L.FloatTensor).dtype, y.type(L.DoubleTensor).dtype),
    "type kw": lambda L, y: y.type(dtype=L.int64),
    "type non_blocking": lambda L, y: (y.type(L.float64, True).dtype, y.type(L.float64, non_blocking=True).dtype),
    "type bad str": lambda L, y: y.type("foo"),
    "type cuda str": lambda L, y: y.type("torch.cuda.FloatTensor"),
    "type int": lambda L, y: y.type(5),
    "unbound type": lambda L, y: L.Tensor.type(y),
    "new_tensor": lambda L, y: y.new_tensor([1, 2]),
    "new_tensor float": lambda L, y: y.new_tensor([1.5]),
    "new_tensor long": lambda L, y: y.long().new_tensor([1.5]),
    "new_tensor of tensor": lambda L, y: y.new_tensor(L.ones(2, requires_grad=True)),
    "new_tensor dtype": lambda L, y: y.new_tensor([1], dtype=L.int64),
    "new_tensor grad": lambda L, y: y.new_tensor([1], requires_grad=True),
    "new_tensor kw": lambda L, y: y.new_tensor(data=[1]),
    "new_zeros": lambda L, y: y.double().new_zeros(2, 3),
    "new_zeros tuple": lambda L, y: y.new_zeros((2,)),
    "new_zeros 0-d": lambda L, y: y.new_zeros([]),
    "new_zeros none": lambda L, y: y.new_zeros(),
    "new_zeros float": lambda L, y: y.new_zeros(2, 3.5),
    "new_zeros cuda": lambda L, y: y.new_zeros(2, device="cuda"),
    "new_zeros grad": lambda L, y: y.new_zeros(2, requires_grad=True),
    "new_zeros long grad": lambda L, y: y.long().new_zeros(2, requires_grad=True),
    "new_ones dtype": lambda L, y: y.new_ones(2, dtype=L.int64),
    "new_ones size kw": lambda L, y: y.new_ones(size=(2,)),
    "new_ones negative": lambda L, y: y.new_ones(-1),
    "new_full": lambda L, y: y.new_full((2,), 3),
    "new_full dtype": lambda L, y: y.new_full((2,), 3.5, dtype=L.float64),
    "new_full int size": lambda L, y: y.new_full(2, 3),
    "new_empty": lambda L, y: (y.new_empty(2).shape, y.new_empty((2, 2)).dtype, y.long().new_empty(3).dtype),
    "new data": lambda L, y: (y.new([1, 2]), y.long().new([1, 2]), y.new()),
    "new sizes": lambda L, y: (y.new(2, 3).shape, y.long().new(2).dtype),
}


@pytest.mark.parametrize("case", METHODS, ids=list(METHODS))
def test_tensor_methods_as_torch(case):
    same(lambda L: METHODS[case](L, L.ones(2, 3)))


def test_new_tensor_warns_for_tensor_data():
    with pytest.warns(UserWarning, match="rather than tensor.new_tensor"):
        tg.ones(2).new_tensor(tg.ones(1))
