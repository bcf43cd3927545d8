"""Runs every entry of the op table (op_db.py): forward against numpy in float32 and float64,
the grad_fn name, and a float64 central-difference gradcheck."""
import numpy as np
import pytest

import tapegrad as tg
from tapegrad.autograd import gradcheck, gradgradcheck
from op_db import OPS

DTYPES = {"float32": (np.float32, tg.float32), "float64": (np.float64, tg.float64)}


def _ids():
    return [f"{e.op}-{e.node}-{k}" for e in OPS for k in range(len(e.samples))]


CASES = [(e, s) for e in OPS for s in e.samples]


def make_inputs(entry, sample, np_dtype, rng, requires_grad=False):
    """numpy arrays (contiguous values) and tensors laid out as the sample asks: "c" contiguous,
    "t" a transposed view, "s" every other row of a bigger buffer. Every tensor is a leaf."""
    arrays, tensors = [], []
    for k, shape in enumerate(sample.shapes):
        layout = sample.layouts[k] if k < len(sample.layouts) else "c"
        vals = rng.uniform(entry.low, entry.high, size=shape)
        if entry.away_from_zero:
            vals = np.where(np.abs(vals) < entry.away_from_zero,
                            np.sign(vals + 1e-12) * (entry.away_from_zero + np.abs(vals)), vals)
        vals = np.asarray(vals, dtype=np_dtype)
        if layout == "t":
            buf = np.array(np.swapaxes(vals, -1, -2), order="C", copy=True)
            view = np.swapaxes(buf, -1, -2)
        elif layout == "s":
            buf = np.zeros((shape[0] * 2,) + tuple(shape[1:]), dtype=np_dtype)
            buf[::2] = vals
            view = buf[::2]
        else:
            view = np.array(vals, order="C", copy=True)
        t = tg.from_numpy(view)
        if layout != "c" and len(shape) > 1:
            assert not t.is_contiguous()
        if requires_grad:
            t.requires_grad_(True)
        arrays.append(np.array(vals))
        tensors.append(t)
    return arrays, tensors


@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("entry,sample", CASES, ids=_ids())
def test_forward_matches_numpy(entry, sample, dtype, rng):
    np_dtype, tg_dtype = DTYPES[dtype]
    arrays, tensors = make_inputs(entry, sample, np_dtype, rng)
    out = entry.fn(tg, *tensors)
    expected = np.asarray(entry.ref(np, *arrays))
    assert tuple(out.shape) == expected.shape
    assert out.dtype == (tg.float64 if tg_dtype == tg.float32 else tg.float32) if entry.op == "to" else tg_dtype
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    if entry.op == "to":
        tol = dict(rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(out.numpy(), expected, **tol)


@pytest.mark.parametrize("entry,sample", CASES, ids=_ids())
def test_grad_fn_name(entry, sample, rng):
    _, tensors = make_inputs(entry, sample, np.float64, rng, requires_grad=True)
    out = entry.fn(tg, *tensors)
    assert out.grad_fn is not None
    assert out.grad_fn.name() == entry.node


@pytest.mark.parametrize("entry,sample", CASES, ids=_ids())
def test_gradcheck_float64(entry, sample, rng):
    _, tensors = make_inputs(entry, sample, np.float64, rng, requires_grad=True)
    if entry.no_derivative:
        with pytest.raises(NotImplementedError, match="the derivative for .* is not implemented"):
            entry.fn(tg, *tensors).sum().backward()
        return
    assert gradcheck(lambda *xs: entry.fn(tg, *xs), tensors, eps=entry.gc_eps, atol=entry.gc_atol, rtol=1e-3)


@pytest.mark.parametrize("entry,sample", CASES, ids=_ids())
def test_gradgradcheck_float64(entry, sample, rng):
    if not entry.gradgrad:
        pytest.skip("no second derivative to check")
    _, tensors = make_inputs(entry, sample, np.float64, rng, requires_grad=True)
    assert gradgradcheck(lambda *xs: entry.fn(tg, *xs), tensors, eps=entry.gc_eps, atol=entry.gc_atol, rtol=1e-3)


def test_every_registered_op_has_an_entry():
    registered = {name for name, _ in tg._C._registered_ops()}
    in_table = {e.op for e in OPS}
    assert registered - in_table == set(), "ops without an op_db entry"
    # An entry names an op struct, or a public function composed of others (nanmean, quantile).
    composed = {name for name in in_table - registered if callable(getattr(tg, name, None))}
    assert in_table - registered - composed == set(), "op_db entries naming no registered op or function"


def test_every_entry_names_its_registered_node():
    nodes = dict(tg._C._registered_ops())
    for e in OPS:
        if e.op in nodes:  # a composed function's node is its last step's, named in its entry
            assert nodes[e.op] == e.node, e.op
