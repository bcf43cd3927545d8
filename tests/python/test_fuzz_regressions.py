"""Regressions for bugs the bad-input table and the fuzzer found (issue 7): each case once
crashed, read or wrote out of bounds, overflowed, or gave a value or gradient PyTorch does not."""
import math

import numpy as np
import pytest

import tapegrad as tg

F = tg.nn.functional


# ---- crashes and undefined behaviour -------------------------------------------------------

def test_masked_fill_with_a_tensor_value_does_not_crash():
    a = tg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with pytest.raises(RuntimeError, match="only supports a 0-dimensional value tensor"):
        a.masked_fill(a > 2, a)  # once a NULL dereference (segfault)
    v = tg.tensor(9.0, requires_grad=True)
    out = a.masked_fill(a > 4, v)
    assert out.tolist() == [[1.0, 2.0, 3.0], [4.0, 9.0, 9.0]]
    out.sum().backward()
    assert v.grad.item() == 2.0  # a 0-d value tensor is differentiable, as in PyTorch


def test_size_and_stride_of_a_0d_tensor_raise_instead_of_reading_out_of_bounds():
    s = tg.tensor(1.0)
    for f in (s.size, s.stride):
        for d in (0, -1):
            with pytest.raises(IndexError, match=f"Dimension specified as {d} but tensor has no dimensions"):
                f(d)


def test_gather_and_scatter_with_0d_operands():
    b = tg.tensor([1.0, 2.0, 3.0, 4.0])
    assert b.gather(0, tg.tensor(2)).item() == 3.0  # a 0-d index once ignored its value
    assert tg.tensor(5.0).gather(0, tg.tensor([0, 0])).tolist() == [5.0, 5.0]
    assert b.scatter(0, tg.tensor(2), 9.0).tolist() == [1.0, 2.0, 9.0, 4.0]
    assert tg.tensor(5.0).scatter_add(0, tg.tensor([0, 0]), tg.tensor([1.0, 2.0])).item() == 8.0


@pytest.mark.parametrize("fn", [lambda a, i: a.gather(1, i), lambda a, i: a.scatter(1, i, 1.0),
                                lambda a, i: a.scatter_add(1, i, a[:1, :2])])
def test_gather_scatter_refuse_negative_indices(fn):
    a = tg.ones(2, 3)
    with pytest.raises(RuntimeError, match="index -1 is out of bounds for dimension 1 with size 3"):
        fn(a, tg.tensor([[-1, 0]]))


def test_slice_with_a_huge_step():
    x = tg.arange(6.0)
    y = x[:: 2 ** 63 - 1]
    assert y.tolist() == [0.0] and y.numpy().tolist() == [0.0]  # once a negative size, then a bad stride
    assert x[-(2 ** 70): 2 ** 70].tolist() == x.tolist()  # bounds past int64 clamp, as in PyTorch


def test_sizes_whose_index_raises_give_that_error():
    class Bad:
        def __index__(self):
            raise ZeroDivisionError("bad size")

    with pytest.raises(ZeroDivisionError, match="bad size"):
        tg.ones(6).view(Bad(), 3)  # once a NULL dereference


def test_byte_counts_and_strides_that_overflow_int64():
    with pytest.raises(RuntimeError, match=r"Storage size calculation overflowed with sizes=\[1152921504606846976\]"):
        tg.zeros(2 ** 60, dtype=tg.float64)
    with pytest.raises(RuntimeError, match="Stride calculation overflowed"):
        tg.zeros(0, 2 ** 62, 2 ** 62)
    with pytest.raises(RuntimeError, match=r"invalid size, possible overflow\?"):
        tg.arange(0, 1e300, 1e-300)
    assert tuple(tg.zeros(0).view(0, 2 ** 62, 2 ** 62).shape) == (0, 2 ** 62, 2 ** 62)  # as PyTorch
    assert tuple(tg.zeros(0).repeat(2 ** 62, 2 ** 62).shape) == (2 ** 62, 0)


def test_huge_pads_fail_on_the_allocation_not_by_building_huge_maps():
    with pytest.raises(RuntimeError, match="you tried to allocate 8000000000024 bytes"):
        F.pad(tg.ones(1, 2, 3), (10 ** 12, 0), mode="replicate")
    with pytest.raises(RuntimeError, match="narrow"):
        F.pad(tg.ones(2, 3), (-(2 ** 62), -(2 ** 62)))


def test_indexing_an_empty_result_reads_nothing():
    x = tg.zeros(1, 0)
    assert tuple(x[tg.tensor([-(2 ** 63)])].shape) == (1, 0)  # PyTorch checks no index here
    with pytest.raises(IndexError, match="index is out of bounds for dimension with size 0"):
        tg.zeros(0, 2)[[0]]


# ---- values PyTorch gives differently --------------------------------------------------------

def test_tensor_from_python_ints_past_int64_raises_instead_of_wrapping():
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        tg.tensor([2 ** 63])  # once silently -2**63
    with pytest.raises(RuntimeError, match="value cannot be converted to type int64 without overflow"):
        tg.tensor([float("nan")], dtype=tg.int64)
    assert tg.tensor(np.float64(2.0)).dtype == tg.float64
    assert tuple(tg.tensor([[], [1]]).shape) == (2, 0)  # PyTorch sizes nested data by first elements


def test_dtype_mismatches_pytorch_refuses():
    a = tg.ones(2, 3)
    with pytest.raises(RuntimeError, match="scatter\\(\\): Expected self.dtype to be equal to src.dtype"):
        a.scatter(1, tg.tensor([[0]]), a.double())
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match"):
        a[tg.tensor([0])] = a[:1].double()
    a[a > 0] = tg.tensor(2.0, dtype=tg.float64)  # a mask with one value is masked_fill: allowed
    assert a.dtype == tg.float32 and a.tolist() == [[2.0] * 3] * 2


def test_masked_fill_out_of_place_broadcasts():
    out = tg.ones(3).masked_fill(tg.ones(2, 3) > 0, 2.0)
    assert tuple(out.shape) == (2, 3) and out.tolist() == [[2.0] * 3] * 2


def test_bool_and_0d_mask_keys():
    x = tg.arange(6.0).view(2, 3)
    assert tuple(x[True].shape) == (1, 2, 3) and tuple(x[False].shape) == (0, 2, 3)
    s = tg.tensor(2.0, requires_grad=True)
    assert s[s > 0].tolist() == [2.0] and s[s < 0].tolist() == []  # once a numpy ValueError


def test_empty_bmm_with_mixed_dtypes_is_empty_as_in_pytorch():
    out = tg.bmm(tg.ones(0, 3, 4, dtype=tg.float64), tg.ones(0, 4, 5))
    assert tuple(out.shape) == (0, 3, 5) and out.dtype == tg.float32


def test_losses_broadcast_before_promoting():
    with pytest.warns(UserWarning):
        out = F.mse_loss(tg.tensor(1.0, dtype=tg.float64), tg.ones(3))
    assert out.dtype == tg.float64  # the 0-d side is broadcast first, so it promotes
    assert F.binary_cross_entropy_with_logits(tg.ones(3, dtype=tg.float64), tg.ones(3)).dtype == tg.float32
    assert F.nll_loss(tg.zeros(5), tg.tensor([1])).dim() == 0  # a one-element target for 1-D input


# ---- gradients: a NaN or inf upstream must not leak where the op passes nothing back ----------

def _grad_through(fn, x):
    x = tg.tensor(x, dtype=tg.float64, requires_grad=True)
    y = fn(x)
    (y * tg.tensor(float("nan"), dtype=tg.float64)).sum().backward()
    return x.grad.tolist()


def test_masked_gradients_stay_zero_under_nan():
    nan = float("nan")
    assert _grad_through(lambda x: x.relu(), [-1.0, 2.0]) == pytest.approx([0.0, nan], nan_ok=True)
    assert _grad_through(lambda x: x.clamp(0.0, 1.0), [-1.0, 0.5]) == pytest.approx([0.0, nan], nan_ok=True)
    lo = tg.tensor([0.0, 0.0], dtype=tg.float64)
    assert _grad_through(lambda x: x.clamp(lo), [-1.0, 0.5]) == pytest.approx([0.0, nan], nan_ok=True)
    g = _grad_through(lambda x: F.nll_loss(x, tg.tensor([1, 0])), [[0.1, 0.2], [0.3, 0.4]])
    assert math.isnan(g[0][1]) and math.isnan(g[1][0]) and g[0][0] == 0.0 and g[1][1] == 0.0

    def put(x):
        c = x.clone()
        c[0] = 5.0
        return c

    assert _grad_through(put, [1.0, 2.0]) == pytest.approx([0.0, nan], nan_ok=True)


def test_std_of_a_constant_has_zero_gradient():
    x = tg.tensor([[3.0]], dtype=tg.float64, requires_grad=True)
    x.std((0, 1), unbiased=False).backward()
    assert x.grad.tolist() == [[0.0]]  # once 0/0 = NaN


def test_hooks_may_not_change_the_gradients_size_or_dtype():
    x = tg.ones(2, 3, requires_grad=True)
    x.register_hook(lambda g: g[0])
    with pytest.raises(RuntimeError, match="hook '<lambda>' has changed the size of value"):
        (x * 2).sum().backward()
