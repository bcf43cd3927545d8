"""Shortcuts taken for speed give exactly what the general path gives: fused backward kernels
vs the composed formulas (create_graph), gradients laid out like their operands, in-place
gradient sums that nobody else can observe."""
import numpy as np
import pytest

import tapegrad as tg

rng = np.random.default_rng(0)


@pytest.mark.parametrize("fn", [tg.tanh, tg.sigmoid, tg.sqrt, tg.reciprocal, tg.relu,
                                lambda x: x ** 3, lambda x: x ** 2, lambda x: x ** -1.5])
@pytest.mark.parametrize("dtype", [tg.float32, tg.float64])
def test_fused_backward_equals_the_composed_formula(fn, dtype):
    x_np = rng.uniform(0.1, 2.0, (7, 5))
    x_np[0, 0] = 0.0 if fn is tg.relu else x_np[0, 0]
    grads = []
    for create_graph in (False, True):  # True: the backward is recorded, so it is composed
        x = tg.tensor(x_np, dtype=dtype, requires_grad=True)
        (gx,) = tg.autograd.grad(fn(x).sum() * 1.5, x, create_graph=create_graph)
        grads.append(gx.detach().numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6 if dtype == tg.float32 else 1e-14)


@pytest.mark.parametrize("a_t", [False, True])
@pytest.mark.parametrize("b_t", [False, True])
def test_mm_gradients_for_transposed_operands(a_t, b_t):
    a_np, b_np, g_np = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
    a_leaf = tg.tensor(a_np.T.copy() if a_t else a_np, requires_grad=True)
    b_leaf = tg.tensor(b_np.T.copy() if b_t else b_np, requires_grad=True)
    a = a_leaf.t() if a_t else a_leaf
    b = b_leaf.t() if b_t else b_leaf
    (a @ b).backward(tg.tensor(g_np))
    ga, gb = g_np @ b_np.T, a_np.T @ g_np
    np.testing.assert_allclose(a_leaf.grad.numpy(), ga.T if a_t else ga, rtol=1e-12)
    np.testing.assert_allclose(b_leaf.grad.numpy(), gb.T if b_t else gb, rtol=1e-12)
    assert a_leaf.grad.is_contiguous() and b_leaf.grad.is_contiguous()


def test_linear_weight_gradient_is_laid_out_like_the_weight():
    lin = tg.nn.Linear(6, 4)
    x = tg.randn(8, 6)
    lin(x).pow(2).sum().backward()
    assert lin.weight.grad.is_contiguous() and lin.weight.grad.shape == (4, 6)
    expected = (2 * (x.numpy() @ lin.weight.detach().numpy().T + lin.bias.detach().numpy())).T @ x.numpy()
    np.testing.assert_allclose(lin.weight.grad.numpy(), expected, rtol=1e-5, atol=1e-5)
    assert (lin(x) - (x @ lin.weight.t() + lin.bias)).abs().max().item() < 1e-6  # bias added in place


def test_in_place_gradient_sums_do_not_touch_what_a_hook_kept():
    x = tg.ones(3, requires_grad=True)
    seen = []
    y = x * 2
    y.register_hook(lambda g: seen.append(g))
    z = y * 3
    (z + y + y * 5).sum().backward()  # y's buffer receives three gradients
    np.testing.assert_array_equal(seen[0].numpy(), [9.0, 9.0, 9.0])
    np.testing.assert_array_equal(x.grad.numpy(), [18.0, 18.0, 18.0])


def test_in_place_gradient_sums_leave_the_callers_gradient_alone():
    x = tg.ones(3, requires_grad=True)
    v = tg.tensor([1.0, 2.0, 3.0])
    y = x * 1
    (y + y).backward(v)  # v seeds the root buffer and is added to again
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0, 6.0])


def test_autograd_grad_results_are_not_summed_into_later():
    x = tg.ones(2, requires_grad=True)
    y = x * 2
    gy, gx = tg.autograd.grad((y * 3 + y).sum(), (y, x))
    np.testing.assert_array_equal(gy.numpy(), [4.0, 4.0])
    np.testing.assert_array_equal(gx.numpy(), [8.0, 8.0])
