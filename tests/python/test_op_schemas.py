"""Note [Op schemas] (csrc/ops/schema.h) and Note [Op functions] (csrc/bindings/op_function.cpp):
every op whose struct carries a schema gets tapegrad.X / Tensor.X / Tensor.X_ from it, with
PyTorch's argument names, defaults, keyword-only markers, overloads, out= and argument errors.
PyTorch is the oracle where installed (the same call on both must give the same result or the
same exception and message)."""
import math

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import _C


def _schema_functions():
    return [n for n in _C.__all__ if type(getattr(_C, n)).__name__ == "OpFunction"]


def test_every_schema_function_is_exported_by_the_package():
    names = _schema_functions()
    assert {"atan2", "hypot", "logaddexp", "erf", "cumsum", "add", "exp"} <= set(names)
    for n in names:
        assert getattr(tg, n) is getattr(_C, n), n


def test_methods_and_inplace_forms_come_from_the_same_schema():
    x = tg.tensor([0.5, 1.0, 2.0])
    assert type(tg.Tensor.__dict__["atan2"]).__name__ == "OpFunction"
    y = x.clone()
    assert y.atan2_(tg.ones(3)) is y
    np.testing.assert_allclose(y.numpy(), np.arctan2(x.numpy(), 1.0), rtol=1e-6)
    assert not hasattr(tg.Tensor, "logaddexp_")  # torch has none either
    assert not hasattr(tg, "isnan_") and not hasattr(tg.Tensor, "isnan_")


def test_docstrings_are_pybind11_signatures_for_the_stubs():
    assert _C.atan2.__doc__.startswith(
        "atan2(input: tapegrad._C.Tensor, other: tapegrad._C.Tensor, *, out: tapegrad._C.Tensor | None = None)")
    assert tg.Tensor.atan2_.__doc__.startswith("atan2_(self: tapegrad._C.Tensor, other: tapegrad._C.Tensor)")
    assert _C.pow.__doc__.splitlines()[1] == "Overloaded function."
    assert repr(_C.erf) == "<built-in function erf>"


def test_functions_pickle_and_copy_by_name():
    import copy
    import pickle
    for f in (tg.atan2, tg.Tensor.atan2, tg.Tensor.cumsum_):
        assert pickle.loads(pickle.dumps(f)) is f
        assert copy.deepcopy(f) is f


def test_keywords_defaults_and_overloads():
    x = tg.tensor([1.0, 2.0, 3.0])
    assert tg.add(x, other=x, alpha=2).tolist() == [3.0, 6.0, 9.0]
    assert x.sub(1, alpha=2).tolist() == [-1.0, 0.0, 1.0]
    assert x.cumsum(dim=0).tolist() == [1.0, 3.0, 6.0]
    assert tg.pow(2, x).tolist() == [2.0, 4.0, 8.0]  # the (Number self, Tensor exponent) overload
    assert x.pow(2).grad_fn is None and tg.pow(x, x).tolist() == [1.0, 4.0, 27.0]
    assert (x % 2).tolist() == tg.remainder(x, 2).tolist() == [1.0, 0.0, 1.0]


def test_python_ints_reach_int64_exactly():
    big = 2 ** 62 + 1
    t = tg.tensor([big])
    assert tg.add(t, 1).tolist() == [big + 1]
    assert t.add(1, alpha=2).tolist() == [big + 2]


ERROR_CALLS = {
    "too many positionals": lambda L, x: L.exp(x, 2),
    "missing argument": lambda L, x: L.atan2(x),
    "unexpected keyword": lambda L, x: L.exp(x, foo=1),
    "duplicate argument": lambda L, x: L.atan2(x, x, input=x),
    "wrong type by position": lambda L, x: L.atan2(x, "a"),
    "wrong type by keyword": lambda L, x: L.atan2(x, other=2),
    "number for a Tensor": lambda L, x: L.maximum(x, 2),
    "no overload fits": lambda L, x: L.remainder(x, "a"),
    "bad dim type": lambda L, x: L.cumsum(x, "a"),
    "bool for an int": lambda L, x: L.cumsum(x, True),
    "bad dtype": lambda L, x: L.cumsum(x, 0, dtype="float"),
    "float alpha, int tensor": lambda L, x: L.add(L.tensor([1]), L.tensor([1]), alpha=0.5),
    "hypot of ints": lambda L, x: L.hypot(L.tensor([1]), L.tensor([2])),
    "logaddexp of ints": lambda L, x: L.logaddexp(L.tensor([1]), L.tensor([2])),
    "out= with grad": lambda L, x: L.atan2(x.requires_grad_(), x, out=L.zeros(3)),
    "out= of a smaller dtype": lambda L, x: L.atan2(x, x, out=L.zeros(3, dtype=L.int64)),
    "cumsum dim out of range": lambda L, x: L.cumsum(x, 1),
    "method: wrong type by position": lambda L, x: x.atan2("a"),
    "bad dims type": lambda L, x: x.amax("a"),
    "a bad entry in the dims": lambda L, x: L.amax(x.reshape(1, 3), (0, "a")),
    "dims required": lambda L, x: L.logsumexp(x),
}


def _outcome(L, call):
    x = L.tensor([1.0, 2.0, 3.0])
    try:
        return "ok", call(L, x)
    except Exception as e:  # noqa: BLE001  (the exception itself is the result compared)
        return type(e).__name__, str(e)


@pytest.mark.parametrize("name", list(ERROR_CALLS))
def test_argument_errors_match_pytorch(name):
    torch = pytest.importorskip("torch")
    kind, text = _outcome(tg, ERROR_CALLS[name])
    torch_kind, torch_text = _outcome(torch, ERROR_CALLS[name])
    assert kind == torch_kind != "ok", (text, torch_text)
    # PyTorch lists overloads tapegrad does not have (and torch.dtype spelled out): compare the
    # first line, which names the function, the argument and the types.
    assert text.splitlines()[0] == torch_text.splitlines()[0]


def test_out_writes_resizes_and_returns_out():
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    out = tg.zeros(0)
    r = tg.cumsum(x, 1, out=out)
    assert r is out and out.shape == (2, 2) and out.tolist() == [[1.0, 3.0], [3.0, 7.0]]
    same = tg.zeros(2, 2, dtype=tg.float64)
    v = same._version
    tg.hypot(x, x, out=same)
    assert same.dtype == tg.float64 and same._version > v
    np.testing.assert_allclose(same.numpy(), np.hypot(x.numpy(), x.numpy()), rtol=1e-6)
    with tg.no_grad():  # out= is allowed where nothing records
        w = tg.ones(2, requires_grad=True)
        tg.exp(w, out=tg.zeros(2))


def test_a_refused_out_leaves_it_unchanged():
    out = tg.zeros(2, dtype=tg.int64)
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type Long"):
        tg.exp(tg.ones(2), out=out)
    assert out.tolist() == [0, 0] and out._version == 0


def test_new_ops_match_pytorch_on_special_values():
    torch = pytest.importorskip("torch")
    inf, nan = math.inf, math.nan
    a = [inf, -inf, inf, 0.0, -0.0, nan, 1e30, -3.0]
    b = [inf, -inf, -inf, 0.0, -1.0, 1.0, 1e30, 4.0]
    for name in ("atan2", "hypot", "logaddexp"):
        got = getattr(tg, name)(tg.tensor(a), tg.tensor(b)).numpy()
        want = getattr(torch, name)(torch.tensor(a), torch.tensor(b)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-6, equal_nan=True, err_msg=name)
    assert tg.erf(tg.tensor([True, False])).tolist() == torch.erf(torch.tensor([True, False])).tolist()
    assert tg.atan2(tg.tensor([1]), tg.tensor([2])).dtype == tg.float32


def test_cumsum_dtypes_and_zero_d_as_pytorch():
    assert tg.tensor([True, True, False]).cumsum(0).tolist() == [1, 2, 2]
    assert tg.tensor([True]).cumsum(0).dtype == tg.int64
    big = 2 ** 62
    assert tg.tensor([big, big, big]).cumsum(0).tolist()[2] == -(2 ** 62)  # wraps as int64 does
    z = tg.tensor(5.0, requires_grad=True)
    y = tg.cumsum(z, -1)
    assert y.shape == () and y.item() == 5.0
    y.backward()
    assert z.grad.item() == 1.0


def test_cumsum_double_backward_goes_through_its_own_op():
    x = tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64, requires_grad=True)
    (g,) = tg.autograd.grad((x.cumsum(0) * x).sum(), x, create_graph=True)
    assert g.grad_fn is not None
    assert tg.autograd.gradgradcheck(lambda t: (t.cumsum(0) * t).sum(), (x,))
