"""`a + b` runs through Tensor's CPython number slots, which call the C++ operators directly.
The slots must stay installed and behave exactly like the dunder methods they shortcut."""
import numpy as np
import pytest

import tapegrad as tg


def test_the_direct_slots_are_installed():
    assert tg._C._operator_slots_installed()


@pytest.mark.parametrize("op", ["__add__", "__sub__", "__mul__", "__truediv__", "__matmul__"])
def test_slot_and_method_agree_for_both_operand_orders(op):
    a = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = tg.tensor([[0.5, -1.0], [2.0, 0.25]])
    via_slot = {"__add__": lambda x, y: x + y, "__sub__": lambda x, y: x - y,
                "__mul__": lambda x, y: x * y, "__truediv__": lambda x, y: x / y,
                "__matmul__": lambda x, y: x @ y}[op]
    out = via_slot(a, b)
    ref = getattr(tg.Tensor, op)(a, b)
    np.testing.assert_array_equal(out.detach().numpy(), ref.detach().numpy())
    assert out.grad_fn.name() == ref.grad_fn.name()
    if op != "__matmul__":  # a Python number on either side
        np.testing.assert_array_equal(via_slot(2.0, b).numpy(), via_slot(tg.tensor(2.0), b).numpy())
        np.testing.assert_array_equal(via_slot(b, 3).numpy(), via_slot(b, tg.tensor(3)).numpy())


def test_reflected_names_match_pytorch():
    x = tg.ones(2, requires_grad=True)
    assert (2 - x).grad_fn.name() == "RsubBackward1"
    assert (2 / x).grad_fn.name() == "MulBackward0"
    assert (-x).grad_fn.name() == "NegBackward0"


def test_errors_and_unsupported_operands_through_the_slots():
    a = tg.ones(2)
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(2\) must match the size of tensor b \(3\)"):
        a + tg.ones(3)
    with pytest.raises(TypeError):
        a + "text"
    with pytest.raises(TypeError):
        object() - a
    np.testing.assert_array_equal((a + 1).numpy(), [2, 2])  # and the next call works


def test_a_python_subclass_uses_the_same_operators():
    class Mine(tg.Tensor):
        pass

    p = tg.nn.Parameter(tg.ones(2))
    out = p * 3 + tg.ones(2)
    assert out.grad_fn.name() == "AddBackward0"
    np.testing.assert_array_equal(out.detach().numpy(), [4, 4])
    assert issubclass(Mine, tg.Tensor)
