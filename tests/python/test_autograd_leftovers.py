"""Autograd behaviours found by running PyTorch's own autograd tests: grad-mode decorators on
plain and generator functions, and once_differentiable."""
import pytest

import tapegrad as tg


def test_set_grad_enabled_as_a_decorator_leaves_the_mode_alone():
    assert tg.is_grad_enabled()

    @tg.set_grad_enabled(False)
    def inside():
        return tg.is_grad_enabled()

    assert tg.is_grad_enabled()  # the decoration itself switched nothing off (it did before)
    assert inside() is False and tg.is_grad_enabled()


def test_decorated_generators_run_in_the_mode_and_yield_back_the_callers():
    @tg.no_grad()
    def gen():
        received = yield tg.is_grad_enabled()
        yield received, tg.is_grad_enabled()
        return "done"

    g = gen()
    assert next(g) is False and tg.is_grad_enabled()
    assert g.send(7) == (7, False) and tg.is_grad_enabled()
    with pytest.raises(StopIteration) as stop:
        next(g)
    assert stop.value.value == "done"

    @tg.enable_grad()
    def ones():
        yield tg.is_grad_enabled()
        yield tg.is_grad_enabled()

    with tg.no_grad():
        assert list(ones()) == [True, True] and not tg.is_grad_enabled()


def test_a_decorated_generator_sees_exceptions_thrown_into_it():
    @tg.no_grad()
    def gen():
        try:
            yield 1
        except ValueError:
            yield tg.is_grad_enabled()

    g = gen()
    next(g)
    assert g.throw(ValueError("x")) is False and tg.is_grad_enabled()


class _Square(tg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    @tg.autograd.function.once_differentiable
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x * grad


def test_once_differentiable_works_once_and_refuses_a_second_time():
    x = tg.tensor([1.5, 2.0], requires_grad=True)
    _Square.apply(x).sum().backward()
    assert x.grad.tolist() == [3.0, 4.0]
    (gx,) = tg.autograd.grad(_Square.apply(x).sum(), x, create_graph=True)
    assert gx.detach().tolist() == [3.0, 4.0]
    with pytest.raises(RuntimeError, match="trying to differentiate twice a function that was marked with "
                                           "@once_differentiable"):
        gx.sum().backward()
