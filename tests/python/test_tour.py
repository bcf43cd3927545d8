"""PyTorch's autograd tour, as a test: values, node names, retain_graph and error texts."""
import numpy as np
import pytest

import tapegrad as torch
from tapegrad.autograd import Variable


def test_tour_first_part():
    x = Variable(torch.ones(2, 2), requires_grad=True)
    y = x + 2
    assert y.grad_fn.name() == "AddBackward0"
    assert repr(y.grad_fn).startswith("<AddBackward0 object at 0x")
    assert x.grad_fn is None and x.is_leaf and not y.is_leaf
    z = y * y * 2
    assert z.grad_fn.name() == "MulBackward0"
    out = z.mean()
    assert out.grad_fn.name() == "MeanBackward0"
    assert out.item() == 18.0
    out.backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 2), 3.0, np.float32))
    assert repr(x.grad) == "tensor([[3., 3.],\n        [3., 3.]])"


def test_tour_while_loop_gradients():
    torch.manual_seed(0)
    x = Variable(torch.randn(3), requires_grad=True)
    y = x * 2
    k = 1
    while y.data.norm() < 100:
        y = y * 2
        k += 1
    gradients = torch.FloatTensor([0.1, 1.0, 0.0001])
    y.backward(gradients)
    expected = np.array([0.1, 1.0, 0.0001], np.float32) * 2.0 ** k
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)
    assert y.data.norm().item() >= 100


def test_graph_walk_next_functions():
    x = torch.ones(2, 2, requires_grad=True)
    out = ((x + 2) * (x + 2) * 2).mean()
    names = []
    node = out.grad_fn
    while node is not None:
        names.append(node.name())
        node = node.next_functions[0][0] if node.next_functions else None
    assert names == ["MeanBackward0", "MulBackward0", "MulBackward0", "AddBackward0",
                     "torch::autograd::AccumulateGrad"]
    acc = (x + 2).grad_fn.next_functions[0][0]
    assert acc.variable is x
    assert repr(acc).startswith("<AccumulateGrad object at 0x")
    assert (x * 2).grad_fn.next_functions[1] == (None, 0)


def test_retain_graph_accumulates_and_second_backward_raises():
    x = torch.ones(2, 2, requires_grad=True)
    out = ((x + 2) * (x + 2)).sum()
    out.backward(retain_graph=True)
    out.backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 2), 12.0, np.float32))
    with pytest.raises(RuntimeError, match=r"^Trying to backward through the graph a second time"):
        out.backward()


def test_graph_without_saved_tensors_can_backward_twice():
    # AddBackward0 and MeanBackward0 save no tensors, so PyTorch allows this too.
    x = torch.ones(3, requires_grad=True)
    out = (x + 1).mean()
    out.backward()
    out.backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 2 / 3, np.float32))


def test_backward_errors():
    x = torch.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="^grad can be implicitly created only for scalar outputs$"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match=r"^element 0 of tensors does not require grad and does not have a grad_fn "
                                           r"\(none of the tensors it was computed from requires grad\)$"):
        torch.ones(2).sum().backward()
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of torch.Size\(\[3\]\) "
                                           r"and output\[0\] has a shape of torch.Size\(\[2, 3\]\)."):
        (x * 2).backward(torch.ones(3))
    assert x.grad is None


def test_non_scalar_backward_with_gradient_and_broadcasting():
    a = torch.ones(2, 3, requires_grad=True)
    b = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = a * b
    y.backward(torch.ones(2, 3))
    np.testing.assert_array_equal(a.grad.numpy(), np.array([[1, 2, 3], [1, 2, 3]], np.float32))
    np.testing.assert_array_equal(b.grad.numpy(), np.array([2, 2, 2], np.float32))


def test_no_grad_and_detach():
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert torch.is_grad_enabled()

    @torch.no_grad()
    def f(t):
        return t * 3

    assert not f(x).requires_grad
    d = x.detach()
    assert not d.requires_grad and d.data_ptr() == x.data_ptr()
    prev = torch.is_grad_enabled()
    torch.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    torch.set_grad_enabled(prev)
    with torch.set_grad_enabled(False):
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()


def test_data_is_an_untracked_alias():
    x = torch.ones(3, requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.data_ptr() == x.data_ptr()
    y = x * x
    d.numpy()[:] = 5  # writes through .data do not trip the saved-tensor version check
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 10.0, np.float32))


def test_create_graph_gives_differentiable_gradients():
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    y = (x ** 3).sum()
    y.backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.grad_fn is not None
    np.testing.assert_allclose(g.detach().numpy(), 3 * np.array([1.0, 4.0, 9.0]))
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * np.array([1.0, 2.0, 3.0]))


def test_double_backward_through_saved_output():
    x = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)
    y = x.exp().sum()
    y.backward(create_graph=True)
    g = x.grad
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, -1.0]))
