"""tapegrad.autograd.Function: custom ops written in Python, with PyTorch's ctx API."""
import gc
import weakref

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.autograd import Function, gradcheck, gradgradcheck


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y


class ScaledMul(Function):
    """x * y * k for a Python number k (a non-tensor argument gets a None gradient)."""

    @staticmethod
    def forward(ctx, x, y, k):
        ctx.save_for_backward(x, y)
        ctx.k = k
        return x * y * k

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        assert ctx.needs_input_grad == (True, False, False)
        return grad * y * ctx.k, None, None


def leaf(values):
    return tg.tensor(values, dtype=tg.float64, requires_grad=True)


def test_forward_backward_and_node_name():
    x = leaf([0.5, -1.0])
    y = Exp.apply(x)
    assert y.grad_fn.name() == "ExpBackward"
    assert repr(y.grad_fn).startswith("<ExpBackward object at 0x")
    assert y.grad_fn.next_functions[0][0].variable is x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, -1.0]))


def test_non_tensor_arguments_and_needs_input_grad():
    x, y = leaf([2.0]), tg.tensor([3.0], dtype=tg.float64)
    out = ScaledMul.apply(x, y, 4.0)
    assert out.tolist() == [24.0]
    out.sum().backward()
    assert x.grad.tolist() == [12.0]


def test_gradcheck_and_gradgradcheck_of_a_custom_function():
    x = leaf([0.3, -0.2, 1.1])
    assert gradcheck(Exp.apply, (x,))
    assert gradgradcheck(Exp.apply, (x,))


def test_saved_tensors_after_release_raise_the_second_time_error():
    x = leaf([1.0])
    y = Exp.apply(x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="^Trying to backward through the graph a second time"):
        y.sum().backward()


def test_saved_tensor_modified_in_place_is_detected():
    class SaveInput(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2

    base = leaf([1.0, 2.0])
    h = base * 1
    out = SaveInput.apply(h)
    h.data.numpy()[:] = 0  # not tracked (as in PyTorch, .data writes are invisible) ...
    out.sum().backward()   # ... so this works
    assert base.grad.tolist() == [2.0, 2.0]


def test_wrong_number_of_gradients_raises():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(RuntimeError, match=r"function BadBackward returned an incorrect number of gradients "
                                           r"\(expected 2, got 1\)"):
        Bad.apply(leaf([1.0]), leaf([2.0])).sum().backward()


def test_wrong_gradient_shape_raises():
    class BadShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return tg.ones(3, dtype=tg.float64)

    with pytest.raises(RuntimeError, match=r"Function BadShapeBackward returned an invalid gradient at index 0 - "
                                           r"got \[3\] but expected shape compatible with \[2\]"):
        BadShape.apply(leaf([1.0, 2.0])).sum().backward()


def test_wrong_gradient_dtype_is_cast_as_pytorch_does():
    class Float32Grad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return (grad * 2).float()

    x = leaf([1.0])
    Float32Grad.apply(x).sum().backward()
    assert x.grad.dtype == tg.float64 and x.grad.tolist() == [2.0]


def test_mark_non_differentiable_and_materialize_grads():
    class SortOfMax(Function):
        @staticmethod
        def forward(ctx, x):
            idx = tg.tensor([1.0, 0.0], dtype=tg.float64)
            ctx.mark_non_differentiable(idx)
            return x * 1, idx

        @staticmethod
        def backward(ctx, g_values, g_idx):
            assert g_idx is not None and g_idx.tolist() == [0.0, 0.0]  # materialized zeros
            return g_values

    x = leaf([3.0, 4.0])
    values, idx = SortOfMax.apply(x)
    assert values.requires_grad and not idx.requires_grad
    values.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]

    class NoMaterialize(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, g1, g2):
            assert g2 is None
            return g1

    y = leaf([1.0])
    a, b = NoMaterialize.apply(y)
    a.sum().backward()
    assert y.grad.tolist() == [1.0]


def test_double_backward_raises_when_backward_leaves_the_graph():
    class ViaNumpy(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * tg.from_numpy(2 * x.detach().numpy())  # no history: not differentiable

    x = leaf([3.0])
    (g,) = tg.autograd.grad(ViaNumpy.apply(x).sum(), x, create_graph=True)
    assert g.tolist() == [6.0] and g.requires_grad
    with pytest.raises(RuntimeError, match="derivative for ViaNumpyBackward is not implemented"):
        g.sum().backward()


def test_no_grad_inputs_give_plain_outputs():
    y = Exp.apply(tg.tensor([1.0]))
    assert not y.requires_grad and y.grad_fn is None


def test_an_output_stored_on_ctx_is_collected():
    gc.collect()
    base = tg.autograd.graph.live_nodes()

    class KeepOnCtx(Function):
        @staticmethod
        def forward(ctx, x):
            out = x * 2
            ctx.out = out
            return out

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    def scope():
        x = leaf([1.0])
        y = KeepOnCtx.apply(x)
        y.sum().backward()
        return weakref.ref(y)

    ref = scope()
    gc.collect()
    assert ref() is None
    assert tg.autograd.graph.live_nodes() == base
