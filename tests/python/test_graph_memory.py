"""Graphs are freed when their outputs die, and long chains neither recurse nor leak."""
import gc

import numpy as np

import tapegrad as tg


def test_deep_chain_backward_and_destruction_do_not_overflow():
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
    base = tg._C._live_nodes()
    y = tg.ones(2, requires_grad=True)
    for _ in range(150_000):
        y = (y + 1.0).tanh()
    del y
    assert tg._C._live_nodes() == base


def test_graph_dies_with_its_output_and_saved_outputs_make_no_cycle():
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
