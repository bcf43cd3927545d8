"""Graphs are freed when their outputs die, and long chains neither recurse nor leak."""
import gc

import numpy as np

import tapegrad as tg


def test_deep_chain_backward_and_destruction_do_not_overflow():
    gc.collect()  # graphs earlier tests left in reference cycles (tracebacks) are not this test's
    base = tg._C._live_nodes()
    x = tg.ones(1, requires_grad=True)
    y = x
    for _ in range(150_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.item() == 1.0
    del y
    gc.collect()
    assert tg._C._live_nodes() == base


def test_deep_chain_destroyed_without_backward():
    gc.collect()  # graphs earlier tests left in reference cycles (tracebacks) are not this test's
    base = tg._C._live_nodes()
    y = tg.ones(2, requires_grad=True)
    for _ in range(150_000):
        y = (y + 1.0).tanh()
    del y
    assert tg._C._live_nodes() == base


def test_graph_dies_with_its_output_and_saved_outputs_make_no_cycle():
    gc.collect()  # graphs earlier tests left in reference cycles (tracebacks) are not this test's
    base = tg._C._live_nodes()
    x = tg.ones(3, requires_grad=True)
    out = x.exp().sigmoid().tanh().sqrt().sum()  # each saves its own output
    assert tg._C._live_nodes() > base
    del out
    gc.collect()
    assert tg._C._live_nodes() == base


def test_backward_frees_saved_tensors():
    x = tg.ones(1000, requires_grad=True)
    y = x * x
    out = y.sum()
    out.backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(1000, 2.0, np.float32))
    # The MulBackward0 node still exists (y holds it) but its saved inputs are gone.
    try:
        out.backward()
    except RuntimeError as e:
        assert "second time" in str(e)
    else:
        raise AssertionError("expected the graph-freed error")


def _allocations(fn):
    s = tg.memory.stats()
    before = s["hits"] + s["misses"]
    fn()
    s = tg.memory.stats()
    return s["hits"] + s["misses"] - before


def test_a_transposed_weight_gradient_becomes_grad_without_a_copy():
    # x @ w.t() (a Linear) hands AccumulateGrad a transpose of the product's gradient: a view
    # whose base nothing else holds. It becomes .grad as is, exactly as for x @ w2 (no view).
    if not tg.memory.caching_enabled():
        import pytest
        pytest.skip("allocation counts come from the caching allocator")
    x = tg.randn(64, 300)
    w = tg.randn(400, 300, requires_grad=True)
    w2 = tg.randn(300, 400, requires_grad=True)
    for _ in range(2):  # the second round sees a warm cache either way
        w.grad = w2.grad = None
        via_view = _allocations(lambda: (x @ w.t()).sum().backward())
        direct = _allocations(lambda: (x @ w2).sum().backward())
    assert via_view == direct
    assert w.grad.is_contiguous() and w.grad.shape == (400, 300)
    assert np.allclose(w.grad.numpy(), x.numpy().sum(0)[None, :].repeat(400, 0), rtol=1e-4)
    # The stolen gradient is an ordinary tensor: in-place updates of it touch nothing else.
    g = w.grad
    g.add_(1.0)
    assert np.allclose(w.grad.numpy(), x.numpy().sum(0)[None, :].repeat(400, 0) + 1, rtol=1e-4)
