"""tapegrad.autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) and
tapegrad.utils.checkpoint: against written-out derivatives, and against torch when installed."""
import warnings

import numpy as np
import pytest

import tapegrad as tg

try:
    import torch
except ImportError:  # the torch comparisons skip
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")
A = np.array([0.5, -1.0, 2.0])
B = np.array([[1.0, 2.0], [0.3, 0.4]])


def _two_outputs(x, y):
    return x * y.sum() + x.exp(), (x ** 2).sum() * y


def _scalar(x, y):
    return x.exp().sum() * y.sum() + (x ** 3).sum()


def _flat(o):
    if isinstance(o, (tuple, list)):
        return [z for q in o for z in _flat(q)]
    return [o.detach().numpy()]


CALLS = {
    "jacobian tuples": lambda L, x, y: L.autograd.functional.jacobian(_two_outputs, (x, y)),
    "jacobian one": lambda L, x, y: L.autograd.functional.jacobian(lambda t: t.exp() * 2, x),
    "jacobian unused input": lambda L, x, y: L.autograd.functional.jacobian(lambda a, b: a * 2, (x, y)),
    "hessian tuples": lambda L, x, y: L.autograd.functional.hessian(_scalar, (x, y)),
    "hessian one": lambda L, x, y: L.autograd.functional.hessian(lambda t: (t ** 3).sum(), x),
    "vjp": lambda L, x, y: L.autograd.functional.vjp(_two_outputs, (x, y), (L.ones(3, dtype=L.float64),
                                                                            L.ones(2, 2, dtype=L.float64))),
    "jvp": lambda L, x, y: L.autograd.functional.jvp(_two_outputs, (x, y), (L.ones(3, dtype=L.float64),
                                                                            L.ones(2, 2, dtype=L.float64))),
    "hvp": lambda L, x, y: L.autograd.functional.hvp(_scalar, (x, y), (L.ones(3, dtype=L.float64),
                                                                       L.ones(2, 2, dtype=L.float64))),
    "vhp": lambda L, x, y: L.autograd.functional.vhp(lambda t: (t.sin() * t).sum(), x, L.ones(3, dtype=L.float64)),
    "vjp scalar v None": lambda L, x, y: L.autograd.functional.vjp(lambda t: t.sum(), x),
}


@needs_torch
@pytest.mark.parametrize("name", list(CALLS))
def test_matches_torch(name):
    ours = CALLS[name](tg, tg.tensor(A, requires_grad=True), tg.tensor(B))
    theirs = CALLS[name](torch, torch.tensor(A, requires_grad=True), torch.tensor(B))
    fa, fb = _flat(ours), _flat(theirs)
    assert len(fa) == len(fb)
    for p, q in zip(fa, fb):
        assert p.shape == q.shape
        np.testing.assert_allclose(p, q, rtol=1e-12)


def test_jacobian_and_hessian_by_hand():
    x = tg.tensor([1.0, 2.0], dtype=tg.float64)
    j = tg.autograd.functional.jacobian(lambda t: t ** 2, x)
    assert j.tolist() == [[2.0, 0.0], [0.0, 4.0]] and not j.requires_grad
    h = tg.autograd.functional.hessian(lambda t: (t[0] * t[1]) ** 2, x)
    assert h.tolist() == [[8.0, 8.0], [8.0, 2.0]]  # d2/dx0^2 = 2 x1^2, d2/dx0dx1 = 4 x0 x1, d2/dx1^2 = 2 x0^2


def test_create_graph_keeps_results_differentiable():
    x = tg.tensor([1.0, -2.0], dtype=tg.float64, requires_grad=True)
    j = tg.autograd.functional.jacobian(lambda t: t ** 3, x, create_graph=True)
    j.sum().backward()
    assert x.grad.tolist() == [6.0, -12.0]


@pytest.mark.parametrize("call, message", [
    (lambda: tg.autograd.functional.jacobian(lambda a, b: a * 2, (tg.ones(2), tg.ones(2)), strict=True),
     "Output 0 of the user-provided function is independent of input 1. This is not allowed in strict mode."),
    (lambda: tg.autograd.functional.vjp(lambda t: t * 2, tg.ones(2)),
     "The vector v can only be None if the user-provided function returns a single Tensor with a single element."),
    (lambda: tg.autograd.functional.hessian(lambda t: t * 2, tg.ones(2)),
     "The Tensor returned by the function given to hessian should contain a single element"),
    (lambda: tg.autograd.functional.vjp(lambda t: t * 2, tg.ones(2), tg.ones(3)),
     r"Entry 0 in v has invalid size: should be \(2,\) but got \(3,\)."),
])
def test_errors(call, message):
    with pytest.raises(RuntimeError, match=message):
        call()


def test_checkpoint_gives_the_same_gradients_and_keeps_no_intermediates():
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((6, 6)) * 0.4 for _ in range(3)]
    x_np = rng.standard_normal((4, 6))
    results = []
    for use_checkpoint in (False, True):
        ws = [tg.tensor(w, requires_grad=True) for w in weights]
        x = tg.tensor(x_np, requires_grad=True)
        h = x
        for w in ws:
            h = (tg.utils.checkpoint.checkpoint(lambda a, b: (a @ b).tanh(), h, w, use_reentrant=False)
                 if use_checkpoint else (h @ w).tanh())
        if use_checkpoint:  # the recorded graph is one node per block, not matmul + tanh
            assert h.grad_fn.next_functions[0][0].name() == h.grad_fn.name()
        h.sum().backward()
        results.append([x.grad.numpy()] + [w.grad.numpy() for w in ws])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_checkpoint_sends_gradients_to_the_parameters_it_uses():
    lin = tg.nn.Linear(3, 2)
    x = tg.randn(4, 3, requires_grad=True)
    y = tg.utils.checkpoint.checkpoint(lambda t: lin(t).relu(), x, use_reentrant=False)
    y.sum().backward()
    assert lin.weight.grad is not None and lin.bias.grad is not None and x.grad.shape == (4, 3)


def test_checkpoint_warns_without_use_reentrant_as_torch():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tg.utils.checkpoint.checkpoint(lambda t: t * 2, tg.ones(2, requires_grad=True))
    assert any("use_reentrant parameter should be passed explicitly" in str(w.message) for w in caught)


def test_checkpoint_sequential_matches_the_plain_sequence():
    model = tg.nn.Sequential(tg.nn.Linear(4, 4), tg.nn.Tanh(), tg.nn.Linear(4, 4), tg.nn.Tanh())
    x = tg.randn(3, 4)
    plain = model(x)
    chunked = tg.utils.checkpoint.checkpoint_sequential(model, 2, x, use_reentrant=False)
    np.testing.assert_allclose(chunked.detach().numpy(), plain.detach().numpy(), rtol=1e-6)
