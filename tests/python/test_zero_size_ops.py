"""Zero-size and 0-d tensors through every op table entry and its backward (part of the
bad-input table, test_error_table.py, kept in its own file by size): the same outcome as
PyTorch (values and gradients, or the exception type) when it is installed, numpy and a float64
gradcheck otherwise."""
import warnings

import numpy as np
import pytest

import tapegrad as tg
from op_db import OPS
from op_db_types import Sample

try:
    import torch
except ImportError:  # the cases still run on tapegrad alone
    torch = None


def _empty_variants(sample):
    shapes = [tuple(s) for s in sample.shapes]
    yield "0-d", [() for _ in shapes]
    for k in range(1, max(len(s) for s in shapes) + 1):  # an axis counted from the right
        yield f"empty axis -{k}", [tuple(0 if len(s) - j == k else n for j, n in enumerate(s)) for s in shapes]


def _empty_cases():
    cases, seen = [], set()
    for e in OPS:
        for s in e.samples:
            for name, shapes in _empty_variants(s):
                key = (id(e.fn), tuple(shapes))
                if key not in seen:
                    seen.add(key)
                    cases.append(pytest.param(e, Sample(shapes=shapes), id=f"{e.op}-{e.node}-{shapes}"))
    return cases


EMPTY_CASES = _empty_cases()


def _outcome(L, entry, arrays):
    ts = [L.tensor(x, requires_grad=True) for x in arrays]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch warns on reductions of nothing
            out = entry.fn(L, *ts)
    except (RuntimeError, IndexError, ValueError, TypeError, NotImplementedError) as e:
        return type(e), None
    if not entry.no_derivative:  # (unique's backward raises, as torch's)
        (out * 1.5).sum().backward()
    # force: PyTorch hands some zero gradients (sgn's) over as a ZeroTensor
    grads = [np.zeros(x.shape) if t.grad is None else t.grad.numpy(force=True) for x, t in zip(arrays, ts)]
    return out.detach().numpy(force=True), grads


@pytest.mark.parametrize("entry,sample", EMPTY_CASES)
def test_zero_size_and_0d_through_every_op(entry, sample):
    from test_ops import make_inputs

    arrays, _ = make_inputs(entry, sample, np.float64, np.random.default_rng(0))
    ours, our_grads = _outcome(tg, entry, arrays)
    if torch is not None:
        theirs, their_grads = _outcome(torch, entry, arrays)
        if isinstance(theirs, type):
            assert ours is theirs, f"PyTorch raises {theirs.__name__}, tapegrad gives {ours}"
            return
        assert not isinstance(ours, type), f"PyTorch succeeds, tapegrad raises {ours.__name__}"
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=entry.torch_rtol, atol=1e-12)
        for g, h in zip(our_grads, their_grads):
            np.testing.assert_allclose(g, h, rtol=entry.torch_rtol, atol=1e-12)
        return
    if isinstance(ours, type):
        return  # refused with a Python exception: no crash, inputs are fresh
    for g, x in zip(our_grads, arrays):
        assert g.shape == x.shape
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # numpy's warnings on reductions of nothing
            expected = np.asarray(entry.ref(np, *arrays))
    except Exception:  # numpy refuses what PyTorch allows (e.g. reductions of nothing)
        expected = None
    if expected is not None and expected.shape == ours.shape:
        np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-12)
    if sample.shapes and all(s == () for s in sample.shapes) and entry.grad and np.isfinite(ours).all():
        tensors = [tg.tensor(x, requires_grad=True) for x in arrays]
        assert tg.autograd.gradcheck(lambda *xs: entry.fn(tg, *xs), tensors, eps=entry.gc_eps, atol=entry.gc_atol)
