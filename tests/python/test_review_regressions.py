"""Regressions for bugs found in review: each case once crashed, hung or gave a wrong value."""
import threading

import numpy as np
import pytest

import tapegrad as tg


def test_reshape_with_overflowing_sizes_raises():
    with pytest.raises(RuntimeError, match="is invalid for input of size 4"):
        tg.ones(4).reshape(2 ** 62 + 1, 4)


@pytest.mark.parametrize("sizes", [(-2,), (-2, -3)])
def test_expand_rejects_negative_sizes(sizes):
    x = tg.ones(*([1] * len(sizes)))
    with pytest.raises(RuntimeError, match="The expanded size of the tensor"):
        x.expand(*sizes)


def test_expand_with_overflowing_numel_raises():
    with pytest.raises(RuntimeError, match="overflow"):
        tg.ones(1).expand(2 ** 62 + 1, 4)


def test_grad_of_a_leaf_whose_data_changed_shape_raises_instead_of_writing_out_of_bounds():
    x = tg.ones(3, requires_grad=True)
    (x * 2).sum().backward()
    x.data = tg.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]"):
        (x * 2).sum().backward()
    assert x.grad.shape == (3,) and x.grad.tolist() == [2.0, 2.0, 2.0]


def test_accumulating_into_an_expanded_grad_does_not_write_through_it():
    x = tg.ones(3, requires_grad=True)
    base = tg.zeros(1)
    x.grad = base.expand(3)
    (x * 1).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    assert base.tolist() == [0.0]


def test_norm_with_p_below_two_has_zero_gradient_at_zero():
    for p, expected in [(1.5, [0.0, 0.6392, 0.9040]), (0.5, [0.0, None, None])]:
        x = tg.tensor([0.0, 1.0, 2.0], dtype=tg.float64, requires_grad=True)
        x.norm(p).backward()
        g = x.grad.tolist()
        assert g[0] == 0.0 and all(np.isfinite(g))
        if expected[1] is not None:
            np.testing.assert_allclose(g, expected, atol=1e-4)


def test_pow_with_python_numbers_follows_pytorch_promotion():
    i = tg.tensor([2, 3])
    assert (i ** 2.0).dtype == tg.float32 and (i ** 2.0).tolist() == [4.0, 9.0]
    assert (i ** 2).dtype == tg.int64
    np.testing.assert_allclose((i ** -1.0).numpy(), [0.5, 1 / 3], rtol=1e-6)
    assert (i ** 1e300).tolist() == [float("inf")] * 2
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed."):
        i ** -1
    assert (2 ** tg.tensor([1, -2])).dtype == tg.int64 and (2 ** tg.tensor([1, -2])).tolist() == [2, 0]
    assert (tg.tensor([1, -1, 2]) ** tg.tensor([-1, -3, -2])).tolist() == [1, -1, 0]


def test_sign_of_nan_is_zero_and_bool_rules():
    assert tg.tensor([float("nan")]).sign().tolist() == [0.0]
    with pytest.raises(RuntimeError, match="with a bool tensor is not supported"):
        tg.ones(2) - tg.tensor([True, False])
    with pytest.raises(NotImplementedError, match="\"abs_cpu\" not implemented for 'Bool'"):
        tg.tensor([True]).abs()


def test_reading_and_clearing_grad_while_another_thread_runs_backward():
    x = tg.ones(1000, requires_grad=True)
    stop = threading.Event()
    errors = []

    def backward_loop():
        try:
            while not stop.is_set():
                (x * 2).exp().sum().backward()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    t = threading.Thread(target=backward_loop)
    t.start()
    for _ in range(3000):
        g = x.grad
        if g is not None:
            assert g.shape == (1000,)
        x.grad = None
    stop.set()
    t.join()
    assert not errors
