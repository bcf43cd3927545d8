"""Tensors: creation, dtypes and promotion, numpy interop, views, printing, bad input."""
import numpy as np
import pytest

import tapegrad as tg
from tapegrad.autograd import Variable


def test_creation_shapes_dtypes_and_values():
    assert tg.ones(2, 3).shape == (2, 3) and tg.ones((2, 3)).shape == (2, 3)
    assert tg.zeros(4).dtype == tg.float32 and tg.zeros(4, dtype=tg.float64).dtype == tg.float64
    assert tg.full((2,), 7).dtype == tg.int64 and tg.full((2,), 7.5).numpy().tolist() == [7.5, 7.5]
    assert tg.arange(5).tolist() == [0, 1, 2, 3, 4] and tg.arange(5).dtype == tg.int64
    np.testing.assert_allclose(tg.arange(0, 1, 0.25).numpy(), [0, 0.25, 0.5, 0.75])
    assert tg.empty(3, 2).shape == (3, 2)
    assert tg.tensor([1, 2]).dtype == tg.int64
    assert tg.tensor([1.5, 2]).dtype == tg.float32
    assert tg.tensor(True).dtype == tg.bool and tg.tensor(2.5).dim() == 0
    assert tg.tensor(np.ones(3)).dtype == tg.float64
    assert tg.FloatTensor([1, 2]).dtype == tg.float32 and tg.FloatTensor(2, 3).shape == (2, 3)
    assert tg.DoubleTensor([1]).dtype == tg.float64 and tg.LongTensor([1.0]).dtype == tg.int64
    x = tg.randn(4, 5)
    for like in (tg.zeros_like, tg.ones_like, tg.rand_like, tg.randn_like, tg.empty_like):
        assert like(x).shape == x.shape and like(x).dtype == x.dtype
    assert tg.full_like(x, 3).numpy().max() == 3
    assert tg.ones(2, requires_grad=True).requires_grad
    assert str(tg.ones(2, 3).shape) == "tapegrad.Size([2, 3])" and tg.ones(2, 3).size(-1) == 3


def test_manual_seed_makes_random_reproducible():
    tg.manual_seed(123)
    a = tg.randn(5).numpy().copy()
    u = tg.rand(5).numpy().copy()
    tg.manual_seed(123)
    np.testing.assert_array_equal(a, tg.randn(5).numpy())
    np.testing.assert_array_equal(u, tg.rand(5).numpy())
    assert ((u >= 0) & (u < 1)).all()


def test_type_promotion():
    i = tg.tensor([1, 2])
    f = tg.tensor([1.0, 2.0])
    d = tg.tensor([1.0, 2.0], dtype=tg.float64)
    assert (i + f).dtype == tg.float32
    assert (f + d).dtype == tg.float64
    assert (f * 2.5).dtype == tg.float32          # Python scalars do not promote
    assert (i * 2.5).dtype == tg.float32          # ... except across categories
    assert (i * 2).dtype == tg.int64
    assert (i / 2).dtype == tg.float32             # true division
    assert (f + tg.tensor(1.0, dtype=tg.float64)).dtype == tg.float32  # 0-d does not promote
    assert (i < 2).dtype == tg.bool


def test_numpy_shares_memory_both_ways():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = tg.from_numpy(a)
    a[0, 0] = 42
    assert t.numpy()[0, 0] == 42
    n = t.numpy()
    n[1, 2] = -1
    assert a[1, 2] == -1
    assert np.shares_memory(np.asarray(t), a)
    tt = tg.from_numpy(a.T)
    assert not tt.is_contiguous() and tt.stride() == (1, 3)
    np.testing.assert_array_equal(tt.numpy(), a.T)


def test_numpy_errors():
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad. "
                                           r"Use tensor.detach\(\).numpy\(\) instead."):
        tg.ones(2, requires_grad=True).numpy()
    with pytest.raises(ValueError, match="negative"):
        tg.from_numpy(np.arange(4.0)[::-1])
    with pytest.raises(TypeError, match="can't convert np.ndarray of type numpy.object_"):
        tg.from_numpy(np.array([object()]))
    with pytest.raises(ValueError, match="byte order"):
        tg.from_numpy(np.arange(3, dtype=">f8"))


def test_views_share_storage_and_version():
    x = tg.zeros(2, 3)
    for v in (x.view(6), x.t(), x.transpose(0, 1), x.unsqueeze(0), x.reshape(3, 2), x.expand(4, 2, 3)):
        assert v.data_ptr() == x.data_ptr()
    v = x.view(6)
    v.numpy()[4] = 9
    assert x.numpy()[1, 1] == 9
    c = x.t().contiguous()
    assert c.is_contiguous() and c.data_ptr() != x.data_ptr()
    assert x.contiguous() is x


def test_variable_is_a_tensor():
    t = tg.ones(2)
    v = Variable(t, requires_grad=True)
    assert isinstance(v, tg.Tensor) and isinstance(v, Variable)
    assert v.requires_grad and not t.requires_grad and v.data_ptr() == t.data_ptr()


def test_printing():
    x = tg.ones(2, 2, requires_grad=True)
    assert repr(x) == "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)"
    assert repr(x + 2) == "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)"
    assert repr(tg.tensor([1.5, 2.0], dtype=tg.float64)) == "tensor([1.5000, 2.0000], dtype=tapegrad.float64)"
    assert repr(tg.arange(3)) == "tensor([0, 1, 2])"
    assert repr(tg.tensor(True)) == "tensor(True)"
    assert repr(tg.float32) == "tapegrad.float32"
    assert "..." in repr(tg.zeros(2000))


def test_grad_accumulates_and_can_be_reset():
    x = tg.ones(3, requires_grad=True)
    (x * 2).sum().backward()
    g = x.grad
    (x * 3).sum().backward()
    assert x.grad is g  # accumulated in place into the same tensor
    np.testing.assert_array_equal(x.grad.numpy(), [5, 5, 5])
    x.grad = None
    assert x.grad is None


def test_grad_of_shared_output_does_not_alias():
    a = tg.ones(2, requires_grad=True)
    b = tg.ones(2, requires_grad=True)
    (a + b).sum().backward()
    assert a.grad.data_ptr() != b.grad.data_ptr()


def test_bad_input_raises_pytorch_errors_and_leaves_tensors_unchanged():
    a = tg.ones(2, 3)
    b = tg.ones(4)
    with pytest.raises(RuntimeError, match=r"^The size of tensor a \(3\) must match the size of tensor b \(4\) "
                                           r"at non-singleton dimension 1$"):
        a + b
    with pytest.raises(RuntimeError, match=r"^mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)$"):
        a @ tg.ones(4, 5)
    with pytest.raises(RuntimeError, match=r"both arguments to matmul need to be at least 1D, but they are 0D and 2D"):
        tg.tensor(1.0) @ a
    with pytest.raises(RuntimeError, match=r"^shape '\[4\]' is invalid for input of size 6$"):
        a.view(4)
    with pytest.raises(RuntimeError, match="^only one dimension can be inferred$"):
        a.view(-1, -1)
    with pytest.raises(RuntimeError, match=r"view size is not compatible with input tensor's size and stride"):
        a.t().view(6)
    with pytest.raises(IndexError, match=r"^Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)$"):
        a.sum(2)
    with pytest.raises(IndexError, match=r"but got -3\)$"):
        a.transpose(0, -3)
    with pytest.raises(IndexError, match=r"expected to be in range of \[-3, 2\], but got 3"):
        a.unsqueeze(3)
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(4\) must match the existing size \(2\)"):
        a.expand(4, 3)
    with pytest.raises(RuntimeError, match=r"t\(\) expects a tensor with <= 2 dimensions, but self is 3D"):
        tg.ones(2, 3, 4).t()
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients"):
        tg.ones(2, dtype=tg.int64).requires_grad_()
    with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype can require gradients"):
        tg.ones(2, dtype=tg.int64, requires_grad=True)
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
        (tg.ones(2, requires_grad=True) * 2).requires_grad_(False)
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \+"):
        a + "x"
    with pytest.raises(RuntimeError, match="a Tensor with 6 elements cannot be converted to Scalar"):
        a.item()
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
        bool(a)
    with pytest.raises(RuntimeError, match=r"Trying to create tensor with negative dimension -1: \[-1\]"):
        tg.ones(-1)
    with pytest.raises(RuntimeError, match="Storage size calculation overflowed"):
        tg.zeros(2 ** 62, 2 ** 62)
    with pytest.raises(RuntimeError, match="you tried to allocate 4000000000000 bytes"):
        tg.zeros(10 ** 12)
    with pytest.raises(ValueError, match=r"expected sequence of length 2 at dim 1 \(got 1\)"):
        tg.tensor([[1, 2], [3]])
    with pytest.raises(TypeError, match="new\\(\\): invalid data type 'str'"):
        tg.tensor("a")
    with pytest.raises(RuntimeError, match="Could not infer dtype of NoneType"):
        tg.tensor(None)
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype"):
        tg.ones(2, dtype=tg.int64).mean()
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with two bool tensors is not supported"):
        tg.tensor([True]) - tg.tensor([False])
    with pytest.raises(RuntimeError, match="Negation, the `-` operator, on a bool tensor is not supported"):
        -tg.tensor([True])
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(tg.tensor(1.0))
    # nothing above changed the inputs, and they still work
    assert a.shape == (2, 3) and a._version == 0 and (a + 1).sum().item() == 12.0
    assert b.numpy().tolist() == [1, 1, 1, 1]


def test_nan_and_inf_propagate():
    x = tg.tensor([float("nan"), float("inf"), -1.0])
    out = (x * 2).relu()
    assert np.isnan(out.numpy()[0]) and out.numpy()[1] == np.inf and out.numpy()[2] == 0
    assert np.isnan(x.sum().item()) and np.isnan(tg.zeros(0).mean().item())
    assert tg.zeros(0, 3).sum().item() == 0.0


def test_linspace_eye_randint():
    np.testing.assert_allclose(tg.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1])
    assert tg.linspace(0, 1, 5).dtype == tg.float32
    assert tg.eye(2, 3).tolist() == [[1, 0, 0], [0, 1, 0]] and tg.eye(2).shape == (2, 2)
    tg.manual_seed(3)
    r = tg.randint(2, 5, (1000,))
    assert r.dtype == tg.int64 and r.numpy().min() == 2 and r.numpy().max() == 4
    tg.manual_seed(3)
    assert tg.randint(2, 5, (1000,)).tolist() == r.tolist()
    assert tg.randint(3, (4,)).numpy().max() < 3
    with pytest.raises(RuntimeError, match="expects 'from' to be less than 'to'"):
        tg.randint(5, 5, (2,))


def test_where_method_takes_the_condition_first_as_torch():
    x, y = tg.tensor([1.0, 2.0, 3.0]), tg.tensor([-1.0, -2.0, -3.0])
    cond = tg.tensor([True, False, True])
    assert x.where(cond, y).tolist() == [1.0, -2.0, 3.0]  # where(cond, x, y)
    assert x.where(cond, 0.0).tolist() == [1.0, 0.0, 3.0]
    assert tg.where(cond, x, y).tolist() == [1.0, -2.0, 3.0]
    torch = pytest.importorskip("torch")
    tx, ty, tc = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([-1.0, -2.0, -3.0]), torch.tensor([True, False, True])
    assert x.where(cond, y).tolist() == tx.where(tc, ty).tolist()


def test_dtypes_are_singletons_as_in_pytorch():
    # `x.dtype is torch.float32` is common PyTorch code: every dtype tapegrad hands out is the
    # module's own object, whichever function produced it.
    x = tg.ones(2, 3)
    assert x.dtype is tg.float32 and x.double().dtype is tg.float64
    assert (x > 0).dtype is tg.bool and x.long().dtype is tg.int64
    assert tg.tensor([1, 2]).dtype is tg.int64 and tg.tensor(1.5, dtype=tg.float64).dtype is tg.float64
    assert {x.dtype, tg.float32} == {tg.float32} and x.dtype == tg.float32


_FAST_DATA = [2.5, 7, True, [1.0, 2.0], [[1, 2], [3, 4]], [True, False], [1, 2.5], (1, 2), [[1.0], [2.0]],
              ([1, 2], (3, 4)), [float("inf"), float("nan"), -0.0], [-(2 ** 63), 2 ** 63 - 1], [[[1.5]]]]
_GENERAL_DATA = [[], [[1], [2, 3]], [2 ** 63], [True, 1], [1.0, "a"], [np.float32(1.0)], [[1, 2], 3],
                 [tg.tensor(1.0)], [[]]]


@pytest.mark.parametrize("data", _FAST_DATA, ids=repr)
@pytest.mark.parametrize("dtype", [None, "float32", "float64", "int64", "bool"])
def test_tensor_from_numbers_agrees_with_the_numpy_path(data, dtype):
    from tapegrad import _creation
    dt = None if dtype is None else getattr(tg, dtype)
    fast = tg._C._tensor_from_numbers(data, dt)
    try:
        arr = _creation._from_numbers(data, dt)  # the general path: numpy, then PyTorch's rules
        inferred = tg.float32 if arr.dtype.kind == "f" else _creation._infer_dtype(arr)
        general = tg._C._from_array(arr, dt or inferred)
    except (RuntimeError, TypeError, ValueError):
        assert fast is None  # whatever the general path refuses, the fast path leaves to it
        return
    if fast is None:  # a conversion the fast path leaves to numpy (floats into int64, ...)
        assert dt is not None
        return
    assert fast.dtype is general.dtype and fast.shape == general.shape
    np.testing.assert_array_equal(fast.numpy(), general.numpy())


@pytest.mark.parametrize("data", _GENERAL_DATA, ids=repr)
def test_tensor_from_numbers_leaves_the_rest_to_the_general_path(data):
    assert tg._C._tensor_from_numbers(data, None) is None
    torch = pytest.importorskip("torch") if not any(isinstance(x, tg.Tensor) for x in data) else None
    if torch is None:
        return
    try:
        expected = torch.tensor(data)
    except (RuntimeError, TypeError, ValueError, OverflowError) as e:
        with pytest.raises(type(e)):
            tg.tensor(data)
        return
    got = tg.tensor(data)
    assert str(got.dtype).split(".")[-1] == str(expected.dtype).split(".")[-1]
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
