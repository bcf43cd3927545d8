"""Reductions beyond the op table: dim forms, named (values, indices) results, gradients on
ties, NaN propagation, empty inputs and PyTorch's errors."""
import math

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.autograd import gradcheck


def test_max_dim_returns_named_values_and_indices():
    x = tg.tensor([[1.0, 5.0, 3.0], [7.0, 2.0, 7.0]])
    r = x.max(1)
    assert type(r).__name__ == "max" and isinstance(r, tuple)
    values, indices = r
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert r.values.tolist() == values.tolist() and r.indices.dtype == tg.int64
    k = tg.min(x, dim=0, keepdim=True)
    assert k.values.shape == (1, 3) and k.indices.tolist() == [[0, 1, 0]]
    assert x.max(-1, True).values.shape == (2, 1)


def test_reduction_dim_forms():
    x = tg.arange(24.0).reshape(2, 3, 4)
    assert x.amax((0, 2)).tolist() == [15.0, 19.0, 23.0]
    assert x.amax(dim=(-1, 0), keepdim=True).shape == (1, 3, 1)
    assert x.amin().item() == 0.0
    assert x.prod(1).shape == (2, 4) and x.prod(-1, keepdim=True).shape == (2, 3, 1)
    assert x.var((0, 1)).shape == (4,) and x.std(2, keepdim=True).shape == (2, 3, 1)
    assert x.logsumexp((1, 2)).shape == (2,)
    assert x.argmax().item() == 23 and x.argmax(1).shape == (2, 4)
    assert x.argmin(dim=-1, keepdim=True).shape == (2, 3, 1)
    assert x.argmax(keepdim=True).shape == (1, 1, 1)
    assert (x > 3).all(1).shape == (2, 4) and (x > 3).any((0, 1)).tolist() == [True] * 4


def test_argmax_picks_the_first_of_ties():
    x = tg.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    assert x.argmax(1).tolist() == [1, 0] and x.max(1).indices.tolist() == [1, 0]
    assert x.argmin().item() == 5


def test_var_std_correction_and_unbiased():
    a = np.array([[1.0, 2.0, 4.0], [0.5, 3.0, 3.5]])
    x = tg.tensor(a)
    np.testing.assert_allclose(x.var().item(), np.var(a, ddof=1))
    np.testing.assert_allclose(x.var(unbiased=False).item(), np.var(a))
    np.testing.assert_allclose(x.var(False).item(), np.var(a))
    np.testing.assert_allclose(x.std(1, correction=2).numpy(), np.std(a, axis=1, ddof=2))
    np.testing.assert_allclose(tg.std(x, dim=0, unbiased=True).numpy(), np.std(a, axis=0, ddof=1))
    assert math.isnan(tg.tensor([1.0]).var().item())


def test_amax_and_full_max_split_the_gradient_among_ties():
    for f in (lambda x: x.amax(1), lambda x: x.max(), lambda x: x.amin(1), lambda x: x.min()):
        x = tg.tensor([[2.0, 2.0, 1.0], [0.0, 3.0, 3.0]], requires_grad=True)
        f(x).sum().backward()
        assert x.grad.numpy().sum() == pytest.approx(f(x).numel())
    x = tg.tensor([[2.0, 2.0, 1.0], [0.0, 3.0, 3.0]], requires_grad=True)
    x.amax(1).sum().backward()
    assert x.grad.tolist() == [[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]]
    x.grad = None
    x.max().backward()
    assert x.grad.tolist() == [[0.0, 0.0, 0.0], [0.0, 0.5, 0.5]]


def test_max_dim_sends_the_gradient_to_the_returned_index():
    x = tg.tensor([[2.0, 2.0, 1.0], [0.0, 3.0, 3.0]], requires_grad=True)
    x.max(1).values.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]


def test_maximum_minimum_split_ties_evenly():
    a = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = tg.tensor([1.0, 0.0, 4.0], requires_grad=True)
    tg.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 1.0, 0.0] and b.grad.tolist() == [0.5, 0.0, 1.0]


def test_nan_propagates_in_any_argument_order():
    nan = float("nan")
    x = tg.tensor([1.0, nan, 3.0])
    assert math.isnan(x.max().item()) and math.isnan(x.min().item()) and math.isnan(x.amax(0).item())
    assert math.isnan(x.max(0).values.item()) and x.max(0).indices.item() == 1
    assert x.argmax().item() == 1 and x.argmin().item() == 1
    y = tg.tensor([nan, 2.0, 0.0])
    for r in (tg.maximum(x, y), tg.maximum(y, x), tg.minimum(x, y), tg.minimum(y, x)):
        assert [math.isnan(v) for v in r.tolist()] == [True, True, False]
    c = x.clamp(0.0, 2.0).tolist()
    assert c[0] == 1.0 and math.isnan(c[1]) and c[2] == 2.0
    assert all(math.isnan(v) for v in tg.tensor([1.0, 2.0]).clamp(min=nan).tolist())


def test_empty_inputs():
    e = tg.ones(0)
    assert e.prod().item() == 1.0 and e.sum().item() == 0.0 and math.isnan(e.mean().item())
    assert e.all().item() is True and e.any().item() is False
    assert e.logsumexp(0).item() == -math.inf
    assert tg.ones(0, 3).amax(1).shape == (0,) and tg.ones(0, 3).max(1).values.shape == (0,)
    with pytest.raises(RuntimeError) as err:
        e.max()
    assert str(err.value) == ("max(): Expected reduction dim to be specified for input.numel() == 0. "
                              "Specify the reduction dim with the 'dim' argument.")
    with pytest.raises(RuntimeError, match=r"^amax\(\): Expected reduction dim to be specified"):
        e.amax()
    with pytest.raises(IndexError) as err:
        tg.ones(0, 3).max(0)
    assert str(err.value) == "max(): Expected reduction dim 0 to have non-zero size."
    with pytest.raises(IndexError) as err:
        e.argmax()
    assert str(err.value) == "argmax(): Expected reduction dim to be specified for input.numel() == 0."


def test_zero_dim_inputs():
    s = tg.tensor(2.5, requires_grad=True)
    for out in (s.max(), s.amax(), s.prod(), s.max(0).values, s.logsumexp(0)):
        assert out.shape == ()
    assert s.argmax().item() == 0 and s.max(0).indices.item() == 0
    s.max(0).values.backward()
    assert s.grad.item() == 1.0


def test_dim_out_of_range_raises_index_error():
    x = tg.ones(2, 3)
    for op in (lambda: x.amax(2), lambda: x.max(3), lambda: x.argmax(-3), lambda: x.var(5),
               lambda: x.prod(2), lambda: x.logsumexp(4)):
        with pytest.raises(IndexError, match="Dimension out of range"):
            op()


def test_prod_gradient_with_zeros():
    for vals in ([[0.0, 2.0, 3.0], [1.5, 2.0, 0.5]], [[0.0, 2.0, 0.0], [1.5, 0.0, 0.5]]):
        x = tg.tensor(vals, dtype=tg.float64, requires_grad=True)
        assert gradcheck(lambda t: t.prod(1), [x])
        assert gradcheck(lambda t: t.prod(), [x])
    x = tg.tensor([0.0, 2.0, 3.0], requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [6.0, 0.0, 0.0]


def test_logsumexp_handles_infinities():
    x = tg.tensor([[-math.inf, -math.inf], [math.inf, 1.0], [1000.0, 1000.0]])
    r = x.logsumexp(1).tolist()
    assert r[0] == -math.inf and r[1] == math.inf and r[2] == pytest.approx(1000 + math.log(2))


def test_int_and_bool_inputs():
    i = tg.tensor([[1, 2], [3, 4]])
    assert i.prod().item() == 24 and i.prod().dtype == tg.int64
    assert i.max().item() == 4 and i.amin(0).tolist() == [1, 2] and i.max(1).values.dtype == tg.int64
    assert tg.tensor([True, False]).prod().dtype == tg.int64
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        i.var()
