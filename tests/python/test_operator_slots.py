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


# A Python number meeting a floating tensor is made directly in the tensor's dtype
# (py_convert::to_operand_like); the result must be what the promoted-and-cast path gives.
NUMBERS = [2, -3, 2**60 + 2**36 + 1, True, 0.1, -2.5, 1e300, float("inf"), float("nan")]
OPERATORS = {
    "add": lambda x, n: x + n, "radd": lambda x, n: n + x, "sub": lambda x, n: x - n,
    "rsub": lambda x, n: n - x, "mul": lambda x, n: x * n, "rmul": lambda x, n: n * x,
    # n / x is reciprocal(x) * n, as in PyTorch (its node is MulBackward0).
    "div": lambda x, n: x / n, "rdiv": lambda x, n: (1 / x) * n if isinstance(x, np.ndarray) else n / x,
    "eq": lambda x, n: x == n,
    "lt": lambda x, n: x < n, "ge": lambda x, n: x >= n,
}


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("op", sorted(OPERATORS))
def test_a_number_with_a_floating_tensor_matches_numpy_s_single_rounding(op, dt):
    values = np.array([1.5, -0.75, 3.0, 1.0e18], dtype=dt)
    x = tg.tensor(values)
    f = OPERATORS[op]
    for n in NUMBERS:
        if isinstance(n, bool) and op in ("sub", "rsub"):
            continue  # x - True is refused for every x, as in PyTorch (test_integer_hardening.py)
        # numpy's reference: the number converted once to the tensor's dtype (ints from int64).
        with np.errstate(all="ignore"):
            ref_n = np.array(n, dtype=np.int64).astype(dt) if isinstance(n, int) else np.array(n).astype(dt)
            expected = f(values, ref_n)
        got = f(x, n)
        assert got.dtype == (tg.bool if op in ("eq", "lt", "ge") else x.dtype), (op, n)
        np.testing.assert_array_equal(got.numpy(), expected, err_msg=f"{op} {n!r}")


def test_a_number_keeps_its_category_with_an_integer_tensor():
    assert (tg.tensor([1, 2]) * 2).dtype == tg.int64
    assert (tg.tensor([1, 2]) * 2.5).dtype == tg.float32
    assert (tg.tensor([True, False]) * True).dtype == tg.bool
    with pytest.raises(RuntimeError, match="Overflow when unpacking long"):
        tg.ones(2) * 2**64


def test_gradients_through_number_operands_are_unchanged():
    x = tg.tensor([1.0, 2.0, 4.0], requires_grad=True)
    ((3 * x - 1) / 2 + 2 / x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1.5 - 2 / np.array([1.0, 2.0, 4.0]) ** 2, rtol=1e-6)
