"""autograd.grad, backward(inputs=...), hooks, retain_grad and grad modes, against PyTorch's
semantics (values, hook order, error texts) and across threads."""
import threading

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.autograd import grad


def leaf(values, dtype=tg.float64):
    return tg.tensor(values, dtype=dtype, requires_grad=True)


# ---- autograd.grad ----------------------------------------------------------------------------

def test_grad_returns_gradients_without_touching_dot_grad():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    out = (x * y).sum()
    gx, gy = grad(out, (x, y))
    assert gx.tolist() == [3.0, 4.0] and gy.tolist() == [1.0, 2.0]
    assert x.grad is None and y.grad is None


def test_grad_with_grad_outputs_and_non_leaf_inputs():
    x = leaf([1.0, 2.0, 3.0])
    h = x * 2
    out = h * h
    (gh,) = grad(out, h, grad_outputs=tg.tensor([1.0, 0.0, 2.0], dtype=tg.float64))
    assert gh.tolist() == [4.0, 0.0, 24.0]


def test_grad_errors_and_allow_unused():
    x, unused = leaf([1.0]), leaf([2.0])
    with pytest.raises(RuntimeError, match="The differentiated Tensor at index 1 appears to not have been used in "
                                           "the graph. Set allow_unused=True if this is the desired behavior."):
        grad((x * 2).sum(), (x, unused))
    gx, gu = grad((x * 2).sum(), (x, unused), allow_unused=True)
    assert gx.tolist() == [2.0] and gu is None
    with pytest.raises(RuntimeError, match="One of the differentiated Tensors does not require grad"):
        grad((x * 2).sum(), tg.ones(1))
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        grad(x * tg.ones(2, dtype=tg.float64), x)


def test_grad_frees_the_graph_unless_retained():
    x = leaf([1.0, 2.0])
    out = (x * x).sum()
    grad(out, x, retain_graph=True)
    grad(out, x)
    with pytest.raises(RuntimeError, match="^Trying to backward through the graph a second time"):
        grad(out, x)


def test_hessian_vector_product_and_gradient_penalty():
    x = leaf([1.0, 2.0, 3.0])
    f = (x ** 3).sum()
    (g,) = grad(f, x, create_graph=True)
    v = tg.tensor([1.0, 0.5, 0.0], dtype=tg.float64)
    (hv,) = grad((g * v).sum(), x)
    np.testing.assert_allclose(hv.numpy(), 6 * np.array([1.0, 2.0, 3.0]) * v.numpy())
    # gradient penalty: d/dx ||df/dx||^2
    w = leaf([0.5, -1.0])
    (gw,) = grad((w.tanh() * 3).sum(), w, create_graph=True)
    penalty = (gw * gw).sum()
    penalty.backward()
    t = np.tanh([0.5, -1.0])
    expected = 2 * (3 * (1 - t ** 2)) * 3 * (-2 * t * (1 - t ** 2))
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-10)


def test_second_derivative_of_relu_is_zero_not_an_error():
    x = leaf([-1.0, 2.0])
    (g,) = grad(x.relu().sum(), x, create_graph=True)
    (gg,) = grad((g * g).sum(), x, allow_unused=True)
    assert gg is None or gg.tolist() == [0.0, 0.0]


# ---- backward(inputs=...) ---------------------------------------------------------------------

def test_backward_inputs_accumulates_only_into_the_given_tensors():
    x, y = leaf([1.0]), leaf([2.0])
    h = x * y
    out = (h * 3).sum()
    out.backward(inputs=[x], retain_graph=True)
    assert x.grad.tolist() == [6.0] and y.grad is None
    out.backward(inputs=[h])
    assert h.grad.tolist() == [3.0] and y.grad is None and x.grad.tolist() == [6.0]


# ---- retain_grad and hooks ---------------------------------------------------------------------

def test_retain_grad():
    x = leaf([1.0, 2.0])
    h = x * 3
    assert not h.retains_grad and h.grad is None
    h.retain_grad()
    assert h.retains_grad and not x.retains_grad
    (h * h).sum().backward(retain_graph=True)
    assert h.grad.tolist() == [6.0, 12.0]
    (h * h).sum().backward()
    assert h.grad.tolist() == [12.0, 24.0]  # accumulates like a leaf's
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has requires_grad=False"):
        tg.ones(2).retain_grad()


def test_tensor_hook_replaces_gradient_and_handle_removes_it():
    x = leaf([1.0, 2.0])
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
    (x * 2).sum().backward()
    assert seen == [[2.0, 2.0]] and x.grad.tolist() == [20.0, 20.0]
    handle.remove()
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0] and len(seen) == 1
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        tg.ones(2).register_hook(lambda g: g)


def test_hook_on_a_non_leaf_changes_what_flows_on():
    x = leaf([1.0, 2.0])
    h = x * 2
    h.register_hook(lambda g: g * 0.5)
    (h * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_hook_order_is_tensor_hooks_then_node_then_accumulate():
    order = []
    x = leaf([1.0])
    h = x * 2
    out = h * 3
    h.register_hook(lambda g: order.append("tensor hook on h"))
    h.grad_fn.register_prehook(lambda grad_outputs: order.append("prehook of h's node"))
    h.grad_fn.register_hook(lambda grad_inputs, grad_outputs: order.append("posthook of h's node"))
    x.register_hook(lambda g: order.append(f"leaf hook (x.grad is {x.grad})"))
    out.sum().backward()
    assert order == ["tensor hook on h", "prehook of h's node", "posthook of h's node", "leaf hook (x.grad is None)"]
    assert x.grad.tolist() == [6.0]


def test_node_hooks_can_replace_gradients():
    x = leaf([1.0])
    h = x * 2
    h.grad_fn.register_hook(lambda grad_inputs, grad_outputs: tuple(None if g is None else g * 100
                                                                           for g in grad_inputs))
    h.sum().backward()
    assert x.grad.tolist() == [200.0]
    y = leaf([1.0])
    z = y * 2
    z.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 0.5,))
    z.sum().backward()
    assert y.grad.tolist() == [1.0]


def test_an_exception_in_a_hook_propagates():
    x = leaf([1.0])

    def bad(g):
        raise ValueError("boom from hook")

    x.register_hook(bad)
    with pytest.raises(ValueError, match="boom from hook"):
        (x * 2).sum().backward()


# ---- grad modes --------------------------------------------------------------------------------

def test_grad_modes_as_context_managers_and_decorators():
    x = leaf([1.0])
    with tg.no_grad():
        assert not (x * 2).requires_grad
        with tg.enable_grad():
            assert (x * 2).requires_grad
    with tg.inference_mode():
        assert not (x * 2).requires_grad
    with tg.set_grad_enabled(False):
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()

    @tg.enable_grad()
    def f():
        return (x * 2).requires_grad

    @tg.inference_mode()
    def g():
        return (x * 2).requires_grad

    with tg.no_grad():
        assert f() is True
    assert g() is False and tg.is_grad_enabled()


def test_grad_mode_is_thread_local():
    results = {}
    entered, done = threading.Event(), threading.Event()

    def other():
        entered.wait()
        results["other"] = tg.is_grad_enabled()
        done.set()

    t = threading.Thread(target=other)
    t.start()
    with tg.no_grad():
        entered.set()
        done.wait()
        results["main"] = tg.is_grad_enabled()
    t.join()
    assert results == {"other": True, "main": False}


# ---- threads -----------------------------------------------------------------------------------

def _independent_graph(seed):
    rng = np.random.default_rng(seed)
    w = tg.from_numpy(rng.standard_normal((16, 16))).requires_grad_(True)
    x = tg.from_numpy(rng.standard_normal((4, 16)))
    out = ((x @ w).tanh() @ w).sigmoid().sum()
    out.backward()
    return w.grad.numpy().copy()


def test_eight_threads_with_independent_graphs_match_one_thread():
    expected = [_independent_graph(s) for s in range(8)]
    results = [None] * 8

    def run(i):
        for _ in range(20):
            results[i] = _independent_graph(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e, r in zip(expected, results):
        np.testing.assert_array_equal(e, r)


def test_eight_threads_backward_through_one_shared_leaf_accumulate_exactly():
    w = tg.ones(1000, dtype=tg.float64, requires_grad=True)
    barrier = threading.Barrier(8)

    def run():
        barrier.wait()
        for _ in range(25):
            (w * 2).sum().backward()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert w.grad.tolist() == [8 * 25 * 2.0] * 1000


def test_threads_sharing_one_graph_with_and_without_retain_graph():
    w = tg.ones(100, dtype=tg.float64, requires_grad=True)
    out = (w * w).sum()
    barrier = threading.Barrier(8)
    errors = []

    def run(retain):
        barrier.wait()
        try:
            out.backward(retain_graph=retain)
        except RuntimeError as e:
            errors.append(str(e))

    threads = [threading.Thread(target=run, args=(True,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and w.grad.tolist() == [16.0] * 100

    # Without retain_graph: every call either succeeds or raises PyTorch's retain_graph error.
    threads = [threading.Thread(target=run, args=(False,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    successes = 8 - len(errors)
    assert successes >= 1
    assert all(e.startswith("Trying to backward through the graph a second time") for e in errors)
    assert w.grad.tolist() == [16.0 + 2.0 * successes] * 100
