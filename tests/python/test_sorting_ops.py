"""Ordering ops (sort, argsort, msort, topk, kthvalue, median, nanmedian, mode) and the scans
cumprod, cummax, cummin, logcumsumexp: what the op table (op_db_sorting.py) does not check —
indices, NaN ordering, integer and bool inputs, named-tuple results, errors — against numpy and
written-out expectations; against torch too when it is installed."""
import math
import pickle

import numpy as np
import pytest

import tapegrad as tg

try:
    import torch
except ImportError:  # the torch comparisons skip
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")

NAN = float("nan")


def test_sort_orders_nan_last_and_keeps_equal_values_in_place():
    v, i = tg.tensor([2.0, NAN, 1.0, 2.0, NAN, 0.0]).sort()
    np.testing.assert_array_equal(v.numpy(), [0.0, 1.0, 2.0, 2.0, NAN, NAN])
    assert i.tolist() == [5, 2, 0, 3, 1, 4]
    v, i = tg.tensor([2.0, NAN, 1.0, 2.0, NAN]).sort(descending=True)
    np.testing.assert_array_equal(v.numpy(), [NAN, NAN, 2.0, 2.0, 1.0])
    assert i.tolist() == [1, 4, 0, 3, 2]


def test_sort_keeps_the_dtype_of_ints_and_bools():
    v, i = tg.sort(tg.tensor([[3, 1, 2], [0, 5, 4]]), 1)
    assert v.dtype == tg.int64 and v.tolist() == [[1, 2, 3], [0, 4, 5]] and i.tolist() == [[1, 2, 0], [0, 2, 1]]
    assert tg.tensor([True, False, True]).sort().values.tolist() == [False, True, True]
    assert tg.argsort(tg.tensor([3, 1, 2]), descending=True).tolist() == [0, 2, 1]


def test_results_are_named_tuples_that_pickle():
    r = tg.topk(tg.tensor([1.0, 3.0, 2.0]), 2)
    assert type(r).__module__ == "tapegrad.return_types" and type(r).__name__ == "topk"
    assert r._fields == ("values", "indices") and isinstance(r, tuple)
    values, indices = r
    assert values.tolist() == [3.0, 2.0] and indices.tolist() == [1, 2]
    back = pickle.loads(pickle.dumps(r))
    assert type(back) is type(r) and back.indices.tolist() == [1, 2]
    assert repr(r).startswith("tapegrad.return_types.topk(\nvalues=tensor([3., 2.]),\nindices=")
    for name in ("sort", "kthvalue", "median", "nanmedian", "mode", "cummax", "cummin"):
        assert hasattr(tg.return_types, name), name


def test_value_gradients_go_to_the_picked_positions():
    x = tg.tensor([[4.0, 1.0, 3.0], [0.0, 2.0, 5.0]], requires_grad=True)
    v, _ = x.topk(2, dim=1)
    v.backward(tg.tensor([[1.0, 10.0], [100.0, 1000.0]]))
    assert x.grad.tolist() == [[1.0, 0.0, 10.0], [0.0, 1000.0, 100.0]]
    x = tg.tensor([3.0, 1.0, 3.0, 2.0], requires_grad=True)
    x.median().backward()  # the median 2.0 occurs once
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 1.0]


def test_median_is_the_lower_middle_and_nan_wins_unless_ignored():
    assert tg.tensor([4.0, 1.0, 3.0, 2.0]).median().item() == 2.0
    assert math.isnan(tg.tensor([1.0, NAN, 2.0]).median().item())
    assert tg.tensor([1.0, NAN, 2.0]).nanmedian().item() == 1.0
    v, i = tg.tensor([[1.0, NAN, 2.0], [3.0, 1.0, 2.0]]).median(1)
    assert math.isnan(v[0].item()) and i.tolist() == [1, 2]
    v, i = tg.nanmedian(tg.tensor([[1.0, NAN, 2.0], [NAN, NAN, NAN]]), 1)
    assert v[0].item() == 1.0 and math.isnan(v[1].item()) and i[0].item() == 0
    assert math.isnan(tg.empty(0).median().item())


def test_mode_picks_the_smallest_most_frequent_value_and_its_last_position():
    v, i = tg.mode(tg.tensor([1.0, 2.0, 2.0, 1.0]))
    assert v.item() == 1.0 and i.item() == 3
    v, i = tg.tensor([[3, 3, 1, 1, 2], [5, 4, 4, 0, 4]]).mode(1, keepdim=True)
    assert v.tolist() == [[1], [4]] and i.tolist() == [[3], [4]]


def test_cummax_and_cummin_take_the_latest_equal_value_and_keep_nan():
    v, i = tg.cummax(tg.tensor([3.0, 1.0, 3.0, 2.0, 1.0, 3.0]), 0)
    assert v.tolist() == [3.0, 3.0, 3.0, 3.0, 3.0, 3.0] and i.tolist() == [0, 0, 2, 2, 2, 5]
    v, i = tg.tensor([3, 1, 3, 2, 1, 3]).cummin(0)
    assert v.dtype == tg.int64 and i.tolist() == [0, 1, 1, 1, 4, 4]
    v, i = tg.cummax(tg.tensor([1.0, NAN, 2.0]), 0)
    assert v[0].item() == 1.0 and math.isnan(v[2].item()) and i.tolist() == [0, 1, 1]


def test_cumprod_of_ints_wraps_in_int64_and_its_gradient_survives_zeros():
    assert tg.tensor([True, True, False]).cumprod(0).tolist() == [1, 1, 0]
    assert tg.tensor([2**62, 4]).cumprod(0).tolist() == [2**62, 0]  # wraps, as torch's
    x = tg.tensor([2.0, 0.0, 3.0, 4.0], requires_grad=True, dtype=tg.float64)
    x.cumprod(0).sum().backward()
    # d/dx_k of sum_j prod_{i<=j} x_i, by hand: only the products through index 1 survive the zero
    assert x.grad.tolist() == [1.0, 2.0 + 2.0 * 3.0 + 2.0 * 3.0 * 4.0, 0.0, 0.0]
    y = tg.tensor([[1.0, 0.0, 0.0]], requires_grad=True, dtype=tg.float64)
    assert tg.autograd.gradcheck(lambda t: t.cumprod(1), (y,))


def test_cumprod_in_place_and_dtype():
    x = tg.tensor([1.0, 2.0, 3.0])
    assert x.cumprod_(0) is x and x.tolist() == [1.0, 2.0, 6.0]
    assert tg.cumprod(tg.tensor([1, 2, 3]), 0, dtype=tg.float64).dtype == tg.float64


def test_logcumsumexp_is_stable_at_the_extremes():
    x = tg.tensor([-1000.0, 0.0, 1000.0], dtype=tg.float64, requires_grad=True)
    y = tg.logcumsumexp(x, 0)
    np.testing.assert_allclose(y.detach().numpy(), [-1000.0, 0.0, 1000.0])
    y.backward(tg.tensor([1.0, -2.0, 3.0], dtype=tg.float64))
    assert np.isfinite(x.grad.numpy()).all()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, -2.0, 3.0], atol=1e-12)  # exp(x_k - y_j) is 0 or 1 here
    inf = float("inf")
    assert tg.tensor([-inf, -inf, 1.0]).logcumsumexp(0).tolist()[:2] == [-inf, -inf]


@pytest.mark.parametrize("call, exc, message", [
    (lambda: tg.tensor([1.0, 2.0]).topk(3), RuntimeError, "selected index k out of range"),
    (lambda: tg.tensor([1.0, 2.0]).kthvalue(0), RuntimeError,
     r"kthvalue\(\): selected number k out of range for dimension 0"),
    (lambda: tg.empty(0).kthvalue(1), IndexError, r"kthvalue\(\): Expected reduction dim 0 to have non-zero size."),
    (lambda: tg.empty(0, 3).mode(0), IndexError, r"mode\(\): Expected reduction dim 0 to have non-zero size."),
    (lambda: tg.tensor([True]).topk(1), RuntimeError, "topk does not support bool dtypes on CPU"),
    (lambda: tg.tensor([True]).median(), NotImplementedError, "\"median_cpu\" not implemented for 'Bool'"),
    (lambda: tg.tensor([1, 2]).logcumsumexp(0), NotImplementedError,
     "\"logcumsumexp_out_cpu\" not implemented for 'Long'"),
    (lambda: tg.tensor(1.0).cummax(1), IndexError, r"cummax\(\): Expected reduction dim -1 or 0 for scalar but got 1"),
    (lambda: tg.tensor([1.0]).sort(stable=1), TypeError, r"sort\(\) received an invalid combination of arguments"),
    (lambda: tg.tensor([1.0]).topk(1.5), TypeError, r"argument 'k' \(position 1\) must be int, not float"),
])
def test_errors_are_worded_as_torch(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


@needs_torch
@pytest.mark.parametrize("name, call", [
    ("sort", lambda L, x: L.sort(x, 1)),
    ("sort desc", lambda L, x: x.sort(dim=0, descending=True)),
    ("argsort", lambda L, x: (L.argsort(x, -1),)),
    ("msort", lambda L, x: (L.msort(x),)),
    ("topk", lambda L, x: x.topk(2, 0)),
    ("topk smallest", lambda L, x: L.topk(x, 3, largest=False)),
    ("kthvalue", lambda L, x: L.kthvalue(x, 2, 1, True)),
    ("median", lambda L, x: x.median(0)),
    ("nanmedian", lambda L, x: L.nanmedian(x, 1)),
    ("median all", lambda L, x: (x.median(),)),
    ("cumprod", lambda L, x: (L.cumprod(x, 1),)),
    ("cummax", lambda L, x: L.cummax(x, 0)),
    ("cummin", lambda L, x: x.cummin(1)),
    ("logcumsumexp", lambda L, x: (L.logcumsumexp(x, 1),)),
])
def test_matches_torch_on_distinct_values_with_nan(name, call):
    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 5))
    a[1, 2] = NAN
    for arr in (a, np.argsort(rng.standard_normal((4, 5)), axis=1)):
        if name == "logcumsumexp" and arr.dtype.kind == "i":
            continue
        ours, theirs = call(tg, tg.tensor(arr)), call(torch, torch.tensor(arr))
        for o, t in zip(ours, theirs):
            assert o.shape == tuple(t.shape) and str(o.dtype)[9:] == str(t.dtype)[6:]
            np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12, equal_nan=True)
