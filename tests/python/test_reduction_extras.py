"""aminmax, var_mean, std_mean (one node, two results), nansum, nanmean, count_nonzero,
quantile and nanquantile: values, gradients, dtypes, node names and errors, against torch when
it is installed and against written-out values otherwise."""
import math

import numpy as np
import pytest

import tapegrad as tg

try:
    import torch
except ImportError:  # the torch comparisons skip
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")

NAN = float("nan")
WITH_NAN = np.array([[1.0, 5.0, 3.0, 2.0], [4.0, NAN, 0.0, 1.0]])
NO_NAN = np.array([[1.0, 5.0, 3.0, 2.0], [4.0, 7.0, 0.0, 1.0]])


def _run(L, call, arr):
    """The results (a tuple), the input's gradient of 2*first.sum() + 3*second.sum() and the
    results' node names; or the exception."""
    x = L.tensor(arr, requires_grad=True)
    try:
        out = call(L, x)
    except Exception as e:  # compared with torch's
        return type(e), str(e)
    outs = out if isinstance(out, tuple) else (out,)
    loss = sum((k + 2) * o.sum() for k, o in enumerate(outs) if o.requires_grad)
    if not isinstance(loss, int):
        loss.backward()
    names = [o.grad_fn.name() if o.grad_fn is not None else None for o in outs]
    return [o.detach().numpy() for o in outs], None if x.grad is None else x.grad.numpy(), names, type(out).__name__


CASES = {
    "aminmax": lambda L, x: L.aminmax(x),
    "aminmax dim": lambda L, x: x.aminmax(dim=1),
    "aminmax keepdim": lambda L, x: L.aminmax(x, dim=0, keepdim=True),
    "var_mean": lambda L, x: L.var_mean(x),
    "var_mean dim": lambda L, x: L.var_mean(x, 1),
    "var_mean unbiased": lambda L, x: L.var_mean(x, [0], False, True),
    "var_mean lone bool": lambda L, x: L.var_mean(x, False),
    "std_mean correction": lambda L, x: L.std_mean(x, dim=(0, 1), correction=0, keepdim=True),
    "nansum": lambda L, x: L.nansum(x),
    "nansum dim": lambda L, x: x.nansum(1),
    "nansum dims keepdim": lambda L, x: L.nansum(x, (0, 1), True),
    "nanmean": lambda L, x: L.nanmean(x),
    "nanmean dim": lambda L, x: x.nanmean(dim=0, keepdim=True),
    "count_nonzero": lambda L, x: L.count_nonzero(x),
    "count_nonzero dim": lambda L, x: L.count_nonzero(x, 1),
    "count_nonzero dims": lambda L, x: x.count_nonzero((0, 1)),
    "quantile dim": lambda L, x: L.quantile(x, 0.3, dim=1),
    "nanquantile q tensor keepdim": lambda L, x: L.nanquantile(x, L.tensor([0.2, 0.7], dtype=L.float64), dim=1,
                                                            keepdim=True),
    "quantile nearest": lambda L, x: x.quantile(0.5, interpolation="nearest", dim=1),
    "quantile all": lambda L, x: L.quantile(x, 0.4),
    "nanquantile all keepdim": lambda L, x: L.nanquantile(x, L.tensor([0.1, 1.0], dtype=L.float64), keepdim=True),
    "quantile midpoint": lambda L, x: L.quantile(x, 0.25, 0, interpolation="midpoint"),
    "quantile lower": lambda L, x: L.quantile(x, 0.6, -1, True, interpolation="lower"),
    "quantile higher": lambda L, x: L.quantile(x, 0.6, -1, True, interpolation="higher"),
    "quantile 0-d": lambda L, x: L.quantile(x[0, 0], 0.5, dim=0, keepdim=True),
    "quantile q out of range": lambda L, x: L.quantile(x, 1.5),
    "quantile bad interpolation": lambda L, x: L.quantile(x, 0.5, interpolation="foo"),
    "quantile of ints": lambda L, x: L.quantile(x.long(), 0.5),
    "quantile 2-d q": lambda L, x: L.quantile(x, L.tensor([[0.5]], dtype=L.float64)),
    "quantile empty": lambda L, x: L.quantile(x[:0], 0.5),
    "nanmean of ints": lambda L, x: L.nanmean(x.long()),
    "aminmax empty": lambda L, x: L.aminmax(x[:0]),
    "aminmax empty dim": lambda L, x: L.aminmax(x[:, :0], dim=1),
    "var_mean of ints": lambda L, x: L.var_mean(x.long()),
}


@needs_torch
@pytest.mark.parametrize("arr", [NO_NAN, WITH_NAN], ids=["numbers", "with nan"])
@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name, arr):
    ours, theirs = _run(tg, CASES[name], arr), _run(torch, CASES[name], arr)
    if isinstance(theirs, tuple) and isinstance(theirs[0], type):
        assert ours == theirs
        return
    values, grad, names, kind = ours
    t_values, t_grad, t_names, t_kind = theirs
    assert kind == t_kind and len(values) == len(t_values)
    for v, t in zip(values, t_values):
        assert v.shape == t.shape and v.dtype == t.dtype
        np.testing.assert_allclose(v, t, rtol=1e-12, equal_nan=True)
    if t_grad is not None:
        np.testing.assert_allclose(grad, t_grad, rtol=1e-12, equal_nan=True)
    if not name.startswith("quantile") and not name.startswith("nanquantile"):
        assert names == t_names  # quantile's last node differs (torch ends it with an in-place squeeze)


def test_one_node_gives_both_results_and_adds_their_gradients():
    x = tg.tensor([[1.0, 4.0], [2.0, 8.0]], requires_grad=True, dtype=tg.float64)
    var, mean = tg.var_mean(x, 1)
    assert var.grad_fn is mean.grad_fn and var.grad_fn.name() == "VarMeanBackward0"
    (var.sum() + mean.sum()).backward()
    # d var/dx = 2 (x - mean) / (n - 1), d mean/dx = 1/n, per row
    np.testing.assert_allclose(x.grad.numpy(), [[-3.0 + 0.5, 3.0 + 0.5], [-6.0 + 0.5, 6.0 + 0.5]])
    lo, hi = tg.aminmax(x)
    hi.backward()  # only one result used: the other's gradient counts as zero
    assert x.grad.tolist() == [[-2.5, 3.5], [-5.5, 7.5]]
    assert tg.autograd.gradgradcheck(lambda t: tg.std_mean(t, 0), (x,))


def test_nan_aware_reductions_skip_nan_and_its_gradient():
    x = tg.tensor([1.0, NAN, 3.0], requires_grad=True)
    s = tg.nansum(x)
    s.backward()
    assert s.item() == 4.0 and x.grad.tolist() == [1.0, 0.0, 1.0]
    assert tg.nanmean(tg.tensor([1.0, NAN, 3.0])).item() == 2.0
    assert math.isnan(tg.nanmean(tg.tensor([NAN, NAN])).item())
    assert tg.nansum(tg.tensor([1, 2, 3])).dtype == tg.int64
    assert tg.count_nonzero(tg.tensor([[0, 1], [2, 0]]), 0).tolist() == [1, 1]


def test_quantile_interpolations_by_hand():
    x = tg.tensor([1.0, 2.0, 3.0, 5.0])  # rank of q=0.5 is 1.5
    assert x.quantile(0.5).item() == 2.5
    assert x.quantile(0.5, interpolation="lower").item() == 2.0
    assert x.quantile(0.5, interpolation="higher").item() == 3.0
    assert x.quantile(0.5, interpolation="midpoint").item() == 2.5
    assert x.quantile(0.5, interpolation="nearest").item() == 3.0  # half to even: 1.5 -> 2
    assert x.quantile(tg.tensor([0.0, 1.0])).tolist() == [1.0, 5.0]
    assert tg.nanquantile(tg.tensor([NAN, 1.0, 3.0]), 0.5).item() == 2.0
