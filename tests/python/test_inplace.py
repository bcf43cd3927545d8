"""In-place ops: each is its out-of-place op written back into self, recorded in the graph,
with PyTorch's checks (leaf, shape, dtype) and its error for a saved tensor changed in place."""
import numpy as np
import pytest

import tapegrad as tg

# (in-place call, the out-of-place op it must agree with)
CASES = {
    "add_": (lambda t, o: t.add_(o), lambda t, o: t + o),
    "add_alpha": (lambda t, o: t.add_(o, alpha=-0.5), lambda t, o: t + o * -0.5),
    "sub_": (lambda t, o: t.sub_(o), lambda t, o: t - o),
    "mul_": (lambda t, o: t.mul_(o), lambda t, o: t * o),
    "div_": (lambda t, o: t.div_(o), lambda t, o: t / o),
    "pow_": (lambda t, o: t.pow_(o), lambda t, o: t ** o),
    "iadd": (lambda t, o: t.__iadd__(o), lambda t, o: t + o),
    "isub": (lambda t, o: t.__isub__(o), lambda t, o: t - o),
    "imul": (lambda t, o: t.__imul__(o), lambda t, o: t * o),
    "itruediv": (lambda t, o: t.__itruediv__(o), lambda t, o: t / o),
    "copy_": (lambda t, o: t.copy_(o), lambda t, o: o.expand(2, 3) + 0 * t),
}
UNARY = {
    "neg_": (lambda t: t.neg_(), lambda t: -t),
    "exp_": (lambda t: t.exp_(), lambda t: t.exp()),
    "relu_": (lambda t: t.relu_(), lambda t: t.relu()),
    "sigmoid_": (lambda t: t.sigmoid_(), lambda t: t.sigmoid()),
    "tanh_": (lambda t: t.tanh_(), lambda t: t.tanh()),
    "clamp_": (lambda t: t.clamp_(0.8, 1.5), lambda t: t.clamp(0.8, 1.5)),
    "zero_": (lambda t: t.zero_(), lambda t: t * 0),
    "fill_": (lambda t: t.fill_(3.0), lambda t: t * 0 + 3.0),
}


def _leaves(rng):
    a = tg.tensor(rng.uniform(0.5, 2.0, (2, 3)), requires_grad=True)
    b = tg.tensor(rng.uniform(0.5, 2.0, (3,)), requires_grad=True)
    return a, b


@pytest.mark.parametrize("name", list(CASES))
def test_binary_inplace_matches_out_of_place(name, rng):
    inplace, ref = CASES[name]
    a, b = _leaves(rng)
    t = a * 1.0
    v0 = t._version_counter()
    r = inplace(t, b)
    assert r is t and t._version_counter() == v0 + 1
    (t * t).sum().backward()
    ga, gb = a.grad.numpy().copy(), b.grad.numpy().copy()
    a.grad = b.grad = None
    expected = ref(a * 1.0, b)
    (expected * expected).sum().backward()
    np.testing.assert_allclose(t.detach().numpy(), expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ga, a.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(gb, b.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_inplace_matches_out_of_place(name, rng):
    inplace, ref = UNARY[name]
    a, _ = _leaves(rng)
    t = a * 1.0
    assert inplace(t) is t
    (t * t).sum().backward()
    g = a.grad.numpy().copy()
    a.grad = None
    expected = ref(a * 1.0)
    (expected * expected).sum().backward()
    np.testing.assert_allclose(t.detach().numpy(), expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(g, a.grad.numpy(), rtol=1e-12)


def test_inplace_rebases_history_onto_the_new_node():
    x = tg.ones(2, 2, requires_grad=True)
    y = x * 2
    y.add_(1)
    assert y.grad_fn.name() == "AddBackward0"
    assert y.grad_fn.next_functions[0][0].name() == "MulBackward0"
    y += 1
    y *= 3
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 2), 6.0))


def test_inplace_with_a_python_scalar_keeps_dtype():
    x = tg.ones(3, dtype=tg.int64)
    x += 2
    x *= 3
    assert x.dtype == tg.int64 and x.tolist() == [9, 9, 9]
    f = tg.ones(2)
    f.add_(tg.ones(2, dtype=tg.float64))  # float64 result, written back as float32
    assert f.dtype == tg.float32 and f.tolist() == [2.0, 2.0]


def test_leaf_requiring_grad_raises_and_is_unchanged():
    x = tg.ones(2, 2, requires_grad=True)
    for op in (lambda: x.add_(1), lambda: x.zero_(), lambda: x.fill_(2), lambda: x.mul_(x),
               lambda: x.__iadd__(1), lambda: x.exp_(), lambda: x.copy_(tg.zeros(2, 2))):
        with pytest.raises(RuntimeError) as e:
            op()
        assert str(e.value) == "a leaf Variable that requires grad is being used in an in-place operation."
        assert x.tolist() == [[1.0, 1.0], [1.0, 1.0]] and x._version_counter() == 0


def test_leaf_inplace_under_no_grad_is_allowed_and_not_recorded():
    x = tg.ones(2, requires_grad=True)
    with tg.no_grad():
        x.add_(1)
        x.mul_(3)
    assert x.tolist() == [6.0, 6.0] and x.grad_fn is None and x.is_leaf and x._version_counter() == 2


def test_result_that_would_grow_self_raises_and_is_unchanged():
    a = tg.ones(2)
    with pytest.raises(RuntimeError) as e:
        a.add_(tg.ones(2, 2))
    assert str(e.value) == "output with shape [2] doesn't match the broadcast shape [2, 2]"
    assert a.tolist() == [1.0, 1.0] and a._version_counter() == 0
    with pytest.raises(RuntimeError) as e:
        a.copy_(tg.ones(2, 2))
    assert str(e.value) == "output with shape [2] doesn't match the broadcast shape [2, 2]"


def test_result_of_a_higher_dtype_class_raises_and_is_unchanged():
    b = tg.ones(2, dtype=tg.int64)
    for op in (lambda: b.add_(1.5), lambda: b.mul_(tg.ones(2)), lambda: b.div_(2)):
        with pytest.raises(RuntimeError) as e:
            op()
        assert str(e.value) == "result type Float can't be cast to the desired output type Long"
        assert b.tolist() == [1, 1]


def test_incompatible_shapes_raise_and_leave_self_unchanged():
    a = tg.ones(2, 3)
    with pytest.raises(RuntimeError):
        a.mul_(tg.ones(4))
    assert a.tolist() == [[1.0] * 3] * 2


def test_saved_tensor_modified_in_place_makes_backward_raise():
    x = tg.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y  # MulBackward0 saves y at version 0
    y.add_(1)
    with pytest.raises(RuntimeError) as e:
        z.sum().backward()
    # PyTorch 2.13's exact text (it names the forward op, "Add", not the node "AddBackward0").
    assert str(e.value) == (
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        "[torch.FloatTensor [2, 2]], which is output 0 of Add, is at version 1; expected version 0 instead. "
        "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False).")


def test_saved_output_modified_in_place_makes_backward_raise():
    x = tg.ones(3, requires_grad=True, dtype=tg.float64)
    y = x.exp()  # ExpBackward0 saves its output
    y.mul_(2)
    with pytest.raises(RuntimeError, match=r"\[torch.DoubleTensor \[3\]\], which is output 0 of Exp"):
        y.sum().backward()


def test_inplace_through_a_view_is_seen_by_the_base_and_shares_the_version():
    base = tg.zeros(2, 3)
    v = base.t()
    v.add_(1)
    assert base.tolist() == [[1.0] * 3] * 2
    assert base._version_counter() == v._version_counter() == 1
    w = base.view(6)
    w.fill_(2)
    assert base.tolist() == [[2.0] * 3] * 2 and base._version_counter() == 2


def test_inplace_on_a_non_contiguous_self():
    base = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    v = base.t()
    v.mul_(tg.tensor([10.0, 100.0]))
    assert base.tolist() == [[10.0, 20.0], [300.0, 400.0]]


# ---- in-place through views (Note [In-place on views]) -----------------------------------------

def _both_libs():
    libs = [tg]
    try:
        import torch
        libs.append(torch)
    except ImportError:
        pass
    return libs


def test_inplace_on_a_view_rewrites_the_base_history():
    for lib in _both_libs():
        x = lib.ones(3, requires_grad=True)
        y = x * 1
        y[0].mul_(2)
        (y * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        assert x.grad.tolist() == [2.0, 2.0, 3.0], lib.__name__
        assert y.grad_fn.name() == "torch::autograd::CopySlices"


def test_inplace_on_a_transposed_view_and_copy_into_a_buffer_slice():
    x = tg.ones(2, 3, requires_grad=True)
    y = x * 1
    y.t().mul_(5)
    y.sum().backward()
    assert x.grad.tolist() == [[5.0] * 3] * 2
    buf = tg.zeros(4)
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    buf[1:3].copy_(w * 3)
    assert buf.requires_grad and buf.tolist() == [0.0, 3.0, 6.0, 0.0]
    (buf * buf).sum().backward()
    assert w.grad.tolist() == [18.0, 36.0]


def test_inplace_on_a_view_of_a_leaf_is_refused_before_writing():
    x = tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is being used in an "
                                           "in-place operation."):
        x[0].add_(1)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
        x[1] += 1
    assert x.tolist() == [1.0, 1.0, 1.0] and x._version == 0
    with tg.no_grad():
        x[0].add_(1)
    assert x.tolist() == [2.0, 1.0, 1.0]
