"""The shape, indexing and product ops of csrc/ops/triangular.cpp, rearrange.cpp, products.cpp,
index_ops.cpp against PyTorch: positional and keyword arguments, defaults, int and bool inputs,
out=, in-place forms and errors (same type, same message). Values and gradients are the op
table's (op_db_shape.py); this file is about how the ops are called."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tapegrad as tg  # noqa: E402


def _inputs(L):
    return {
        "L": L,
        "x": L.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4)),
        "v": L.tensor([1.0, 2.0, 3.0]),
        "i": L.tensor(np.arange(12).reshape(3, 4)),
        "b": L.tensor([[True, False], [True, True]]),
        "b3": L.tensor(np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)),
        "e": L.zeros(0, 3),
    }


def _outcome(L, code):
    try:
        r = eval(code, _inputs(L))
    except Exception as err:  # the exception type and its first line are compared
        return type(err).__name__, str(err).split("\n")[0]
    if isinstance(r, (tuple, list)):
        return [(str(t.dtype).split(".")[-1], tuple(t.shape), t.tolist()) for t in r]
    if hasattr(r, "shape"):
        return str(r.dtype).split(".")[-1], tuple(r.shape), r.tolist()
    return repr(r)


def check_like_torch(code):
    assert _outcome(tg, code) == _outcome(torch, code), code


TRIANGULAR = """
L.tril(x)
L.tril(x, 1)
L.triu(x, -1)
x.tril(diagonal=2)
x.triu(diagonal=-5)
L.tril(input=x, diagonal=1)
L.tril(b3, -1)
L.triu(i)
L.tril(b)
L.tril(v)
L.triu(L.tensor(1.0))
L.tril(x, 1.5)
L.tril(x, dim=1)
L.tril(e)
L.tril(x, 2**62)
L.triu(x, -2**62)
x.clone().tril_(1)
i.clone().triu_()
L.diag(v)
L.diag(v, -2)
L.diag(x, 1)
L.diag(x, -5)
L.diag(b3)
L.diag(L.tensor(1.0))
L.diag(i)
L.diag(b)
L.diag(x, diagonal=1)
L.diag(input=v, diagonal=1)
v.diag(1)
L.diagonal(b3)
L.diagonal(b3, 1, 2, 0)
L.diagonal(b3, -1, -1, -2)
L.diagonal(b3, 0, -1, -3)
L.diagonal(b3, 0, 2, -1)
L.diagonal(b3, 0, 5, 1)
L.diagonal(x, 0, 1, -1)
L.diagonal(v)
L.diagonal(L.tensor(1.0))
L.diagonal(i, 1)
x.diagonal(1)
x.diagonal(offset=1, dim1=1, dim2=0)
L.diagonal(x, dim1=1, dim2=0)
L.diagonal(x, 100)
L.diagonal(x, -2**62)
L.diagonal(e)
L.diagonal(x, out=x)
L.diag_embed(v)
L.diag_embed(x, 1)
L.diag_embed(x, -1, 0, 2)
L.diag_embed(x, 0, 0, -3)
L.diag_embed(x, 0, 1, 1)
L.diag_embed(x, dim1=0, dim2=1)
L.diag_embed(i)
L.diag_embed(b)
L.diag_embed(L.tensor(1.0))
L.diag_embed(e)
v.diag_embed(offset=-1)
L.trace(x)
L.trace(i)
L.trace(v)
L.trace(b3)
L.trace(b)
L.trace(e)
L.trace(x.t())
x.trace()
L.trace(x, 1)
"""


@pytest.mark.parametrize("code", TRIANGULAR.strip().splitlines())
def test_triangular_ops_are_called_as_torch_s(code):
    check_like_torch(code)


def test_out_argument_and_inplace_forms():
    x = tg.tensor(np.arange(12.0).reshape(3, 4))
    out = tg.zeros(3, 4, dtype=tg.float64)
    assert tg.tril(x, 1, out=out) is out
    np.testing.assert_array_equal(out.numpy(), np.tril(x.numpy(), 1))
    y = x.clone()
    assert y.triu_(1) is y
    np.testing.assert_array_equal(y.numpy(), np.triu(x.numpy(), 1))
    out = tg.zeros(2, 2)
    assert tg.diag(tg.tensor([1.0, 2.0]), out=out) is out
    np.testing.assert_array_equal(out.numpy(), np.diag([1.0, 2.0]))
    assert not hasattr(tg.Tensor, "diagonal_") and not hasattr(tg.Tensor, "trace_")


def test_diagonal_is_a_view_that_writes_through():
    x = tg.zeros(3, 4)
    d = x.diagonal(1)
    d.fill_(2.0)
    np.testing.assert_array_equal(x.numpy(), np.diag([2.0, 2.0, 2.0], 1)[:3, :4])
    assert tuple(d.stride()) == (5,) and d.storage_offset() == 1


def test_inplace_on_a_diagonal_view_flows_back_to_the_base():
    theirs = {}
    for L in (tg, torch):
        a = L.tensor(np.arange(1.0, 10.0).reshape(3, 3), requires_grad=True)
        y = a * 1.0
        y.diagonal().mul_(3.0)
        (y * y).sum().backward()
        theirs[L.__name__] = a.grad.numpy()
    np.testing.assert_allclose(theirs["tapegrad"], theirs["torch"])


def test_tril_of_an_int_tensor_keeps_its_dtype_and_trace_sums_in_int64():
    i = tg.tensor([[1, 2], [3, 4]])
    assert tg.tril(i).dtype == tg.int64 and tg.trace(i).item() == 5
    assert tg.tril(tg.tensor([[True, True], [True, True]])).dtype == tg.bool
