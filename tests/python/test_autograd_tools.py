"""gradcheck/gradgradcheck, anomaly detection, tapegrad.autograd.graph, errors with provenance,
and leak probes (weakrefs and the live-node counter back to baseline)."""
import gc
import shutil
import weakref

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.autograd import Function, gradcheck, gradgradcheck, graph


def leaf(values, dtype=tg.float64):
    return tg.tensor(values, dtype=dtype, requires_grad=True)


# ---- gradcheck ---------------------------------------------------------------------------------

class WrongGrad(Function):
    @staticmethod
    def forward(ctx, x):
        return x * x

    @staticmethod
    def backward(ctx, grad):
        return grad * 3  # should be 2x


def test_gradcheck_passes_on_correct_ops_and_fails_with_a_clear_message():
    x = leaf([0.5, 1.5])
    assert gradcheck(lambda a: (a * a).sum(), (x,))
    assert gradcheck(lambda a: (a * a).sum(), (x,), fast_mode=True)
    with pytest.raises(RuntimeError, match=r"Jacobian mismatch for output 0 with respect to input 0,\nnumerical:"):
        gradcheck(WrongGrad.apply, (x,))
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        gradcheck(WrongGrad.apply, (x,), fast_mode=True)
    assert gradcheck(WrongGrad.apply, (x,), raise_exception=False) is False


def test_gradcheck_warns_for_float32_inputs():
    x = leaf([0.5], dtype=tg.float32)
    with pytest.warns(UserWarning, match="is not a double precision floating point"):
        gradcheck(lambda a: a * 2, (x,), atol=1e-2, rtol=1e-2)


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class WrongSecond(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x.detach()  # first derivative right, second wrong

    x = leaf([0.7, -1.2])
    assert gradcheck(WrongSecond.apply, (x,))
    assert gradgradcheck(lambda a: a ** 3, (x,))
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        gradgradcheck(WrongSecond.apply, (x,))


# ---- anomaly mode ------------------------------------------------------------------------------

def test_detect_anomaly_names_the_node_and_the_forward_line():
    a, b = tg.zeros(1, requires_grad=True), tg.zeros(1, requires_grad=True)
    with tg.autograd.detect_anomaly():
        out = (a / b).sum()  # the line the error must point at
        with pytest.raises(RuntimeError) as info:
            out.backward()
    msg = str(info.value)
    assert msg.startswith("Function 'DivBackward0' returned nan values in its 1th output.")
    assert "test_autograd_tools.py" in msg and "out = (a / b).sum()" in msg
    assert not tg.autograd.is_anomaly_enabled()
    # without anomaly mode the NaN simply flows into .grad
    a2, b2 = tg.zeros(1, requires_grad=True), tg.zeros(1, requires_grad=True)
    (a2 / b2).sum().backward()
    assert np.isnan(b2.grad.item())


def test_set_detect_anomaly():
    tg.autograd.set_detect_anomaly(True)
    try:
        assert tg.autograd.is_anomaly_enabled()
    finally:
        tg.autograd.set_detect_anomaly(False)


# ---- graph -------------------------------------------------------------------------------------

def test_walk_lists_nodes_in_tape_order_with_saved_tensors():
    x = tg.ones(2, 3, requires_grad=True)
    y = (x * x).exp().sum()
    nodes = list(graph.walk(y))
    assert [n.name for n in nodes] == ["SumBackward0", "ExpBackward0", "MulBackward0",
                                       "torch::autograd::AccumulateGrad"]
    exp_node = nodes[1]
    assert exp_node.input_shapes == [(2, 3)]
    assert [(s.shape, s.nbytes) for s in exp_node.saved] == [((2, 3), 24)]
    assert len(nodes[2].saved) == 2 and nodes[3].variable is x
    y.backward()
    assert list(graph.walk(y))[1].saved == []  # freed by backward


def test_to_dot_and_render():
    x = tg.ones(2, requires_grad=True)
    y = (x * 2).tanh().sum()
    dot = graph.to_dot(y)
    assert dot.startswith("digraph backward {") and "TanhBackward0" in dot and "leaf (2)" in dot
    assert "saved (2)" in dot and "->" in dot
    if shutil.which("dot") is None:
        with pytest.raises(RuntimeError, match="apt-get install graphviz"):
            graph.render(y, "/tmp/tapegrad_graph.svg")
    else:
        assert graph.render(y, "/tmp/tapegrad_graph.svg").endswith(".svg")


def test_render_says_how_to_install_graphviz(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="Install it with `apt-get install graphviz`"):
        graph.render((tg.ones(1, requires_grad=True) * 2), "/tmp/never.svg")


def test_saved_bytes_and_live_nodes_go_back_to_baseline():
    gc.collect()
    nodes, saved = graph.live_nodes(), graph.saved_bytes()
    x = tg.ones(1000, requires_grad=True)
    y = (x * x).sum()
    assert graph.live_nodes() == nodes + 3 and graph.saved_bytes() == saved + 2 * 4000
    y.backward()
    assert graph.saved_bytes() == saved
    del y
    assert graph.live_nodes() == nodes


# ---- errors with provenance --------------------------------------------------------------------

def test_does_not_require_grad_says_why():
    x = tg.ones(2, requires_grad=True)
    with tg.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match=r"does not have a grad_fn \(it was computed while grad mode was off"):
        y.backward()
    with pytest.raises(RuntimeError, match=r"\(it was detached from its graph by .detach\(\) or .data\)"):
        (x * 2).sum().detach().backward()
    with pytest.raises(RuntimeError, match=r"\(none of the tensors it was computed from requires grad\)"):
        (tg.ones(2) * 2).sum().backward()
    with pytest.raises(RuntimeError, match=r"\(it is a leaf tensor created with requires_grad=False\)"):
        tg.ones(1).backward()


# ---- leaks -------------------------------------------------------------------------------------

def test_hook_closing_over_its_output_and_retained_grad_do_not_leak():
    gc.collect()
    base = graph.live_nodes()

    def scope():
        x = tg.ones(3, requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: g * y.sum())
        z = y * 3
        z.retain_grad()
        z.sum().backward()
        assert z.grad.tolist() == [1.0, 1.0, 1.0]
        return weakref.ref(y), weakref.ref(z)

    ry, rz = scope()
    gc.collect()
    assert ry() is None and rz() is None
    assert graph.live_nodes() == base


def test_leaf_hook_closing_over_the_leaf_does_not_leak():
    def scope():
        x = tg.ones(3, requires_grad=True)
        x.register_hook(lambda g: g + x)
        (x * 2).sum().backward()
        return weakref.ref(x)

    ref = scope()
    gc.collect()
    assert ref() is None


def test_inplace_error_names_the_producer_and_in_anomaly_mode_the_forward_line():
    x = tg.ones(2, 2, requires_grad=True)
    with tg.autograd.detect_anomaly():
        y = x + 1
        z = y * y
        y.mul_(2)  # the producing line: rebases y onto MulBackward0, which PyTorch's error names
        with pytest.raises(RuntimeError) as info:
            z.sum().backward()
    msg = str(info.value)
    assert "[torch.FloatTensor [2, 2]], which is output 0 of Mul, is at version 1; expected version 0" in msg
    assert "The tensor was produced by this forward call:" in msg and "y.mul_(2)  # the producing line" in msg
