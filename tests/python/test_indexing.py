"""Indexing and shape ops: views share storage and version with their base, x[...] = v is an
in-place op, and errors carry PyTorch's types and messages and leave inputs unchanged."""
import numpy as np
import pytest

import tapegrad as tg


def _x():
    return tg.arange(24.0).reshape(2, 3, 4)


def test_basic_indexing_matches_numpy():
    x, a = _x(), np.arange(24.0).reshape(2, 3, 4)
    for key in (1, -1, (1, 2), (0, -1, 3), slice(None), slice(1, None), (slice(None), slice(0, 3, 2)),
                (Ellipsis, 1), (None, 1, Ellipsis, slice(None, None, 3)), (slice(None), None, 2),
                (slice(5, 9),), (slice(-10, 2), 0), ()):
        np.testing.assert_array_equal(x[key].numpy(), a[key], err_msg=str(key))


def test_advanced_indexing_matches_numpy():
    x, a = _x(), np.arange(24.0).reshape(2, 3, 4)
    idx = [1, 0, 1]
    cases = [
        (tg.tensor(idx), idx), ((slice(None), tg.tensor([2, 2])), (slice(None), [2, 2])),
        ((tg.tensor([0, 1]), slice(None), tg.tensor([3, 0])), ([0, 1], slice(None), [3, 0])),
        ((slice(None), tg.tensor([0, 2]), tg.tensor([[1], [3]])), (slice(None), [0, 2], [[1], [3]])),
        (x > 10, a > 10), ((x[:, :, 0] > 5), (a[:, :, 0] > 5)), ((1, [2, 0]), (1, [2, 0])),
        ((Ellipsis, tg.tensor([1])), (Ellipsis, [1])), (tg.tensor(1), 1),
    ]
    for key, np_key in cases:
        np.testing.assert_array_equal(x[key].numpy(), a[np_key], err_msg=str(np_key))


def test_slices_are_views_sharing_storage_and_version():
    x = tg.zeros(4, 3)
    v = x[1:3, ::2]
    assert v.data_ptr() == x.data_ptr() + 3 * x.element_size()
    assert v.stride() == (3, 2) and not v.is_contiguous()
    v.add_(1)
    assert x[1].tolist() == [1.0, 0.0, 1.0] and x._version_counter() == v._version_counter() == 1
    r = x[2]
    r.fill_(7)
    assert x[2].tolist() == [7.0] * 3 and x._version_counter() == 2
    assert x.narrow(0, 1, 2).data_ptr() == x[1].data_ptr() and x.select(1, 2).stride() == (3,)
    assert x.T.data_ptr() == x.data_ptr() and x.T.contiguous().data_ptr() != x.data_ptr()
    assert x.contiguous() is x


def test_negative_step_raises_value_error():
    x = _x()
    with pytest.raises(ValueError) as e:
        x[::-1]
    assert str(e.value) == "step must be greater than zero"
    with pytest.raises(ValueError):
        x[:, 3:0:-1] = 1.0
    assert x.flatten().tolist() == list(map(float, range(24)))


def test_index_errors():
    x = tg.ones(3, 2)
    with pytest.raises(IndexError) as e:
        x[5]
    assert str(e.value) == "index 5 is out of bounds for dimension 0 with size 3"
    with pytest.raises(IndexError) as e:
        x[:, -3]
    assert str(e.value) == "index -3 is out of bounds for dimension 1 with size 2"
    with pytest.raises(IndexError) as e:
        x[1, 1, 1]
    assert str(e.value) == "too many indices for tensor of dimension 2"
    with pytest.raises(IndexError) as e:
        x[tg.tensor([5])]
    assert str(e.value) == "index 5 is out of bounds for dimension 0 with size 3"
    with pytest.raises(IndexError) as e:
        x[tg.ones(2, dtype=tg.bool)]
    assert str(e.value) == ("The shape of the mask [2] at index 0 does not match the shape of the indexed tensor "
                            "[3, 2] at index 0")
    with pytest.raises(IndexError, match="only integers, slices"):
        x[1.5]
    with pytest.raises(IndexError) as e:
        x.select(0, 5)
    assert str(e.value) == "select(): index 5 out of range for tensor of size [3, 2] at dimension 0"
    with pytest.raises(RuntimeError) as e:
        x.narrow(0, 2, 5)
    assert str(e.value) == "start (2) + length (5) exceeds dimension size (3)."
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.select(2, 0)


def test_setitem_with_scalars_and_broadcast_tensors():
    x = tg.zeros(3, 4)
    x[0] = 1
    x[:, 1] = tg.tensor([5.0, 6.0, 7.0])
    x[1:, 2:] = tg.tensor([[8.0, 9.0]])
    x[x > 8] = -1.0
    x[tg.tensor([2]), ...] = tg.tensor(3.0)
    x[..., 3] = 4.5
    a = np.zeros((3, 4))
    a[0] = 1
    a[:, 1] = [5, 6, 7]
    a[1:, 2:] = [[8, 9]]
    a[a > 8] = -1
    a[[2], ...] = 3
    a[..., 3] = 4.5
    np.testing.assert_array_equal(x.numpy(), a)
    i = tg.zeros(2, dtype=tg.int64)
    i[1] = 3
    assert i.tolist() == [0, 3]


def test_setitem_is_recorded_as_an_in_place_op():
    w = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    v = tg.tensor([10.0, 20.0], requires_grad=True)
    y = w * 1
    y[0] = v * 2
    assert y.grad_fn.name() == "torch::autograd::CopySlices" and y._version_counter() == 1
    y[y > 35] = 0.0
    assert y.grad_fn.name() == "IndexPutBackward0"
    (y * tg.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert w.grad.tolist() == [[0.0, 0.0], [3.0, 4.0]]
    assert v.grad.tolist() == [2.0, 0.0]


def test_setitem_on_a_leaf_requiring_grad_raises_and_leaves_it_unchanged():
    w = tg.ones(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError) as e:
        w[0] = 5.0  # PyTorch writes through a view of w here, and says so
    assert str(e.value) == "a view of a leaf Variable that requires grad is being used in an in-place operation."
    with pytest.raises(RuntimeError) as e:
        w[w > 0] = 5.0
    assert str(e.value) == "a leaf Variable that requires grad is being used in an in-place operation."
    assert w.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    with tg.no_grad():
        w[0, 0] = 5.0
    assert w.tolist() == [[5.0, 1.0], [1.0, 1.0]]


def test_setitem_shape_mismatch_raises_and_leaves_self_unchanged():
    x = tg.zeros(2, 3)
    with pytest.raises(RuntimeError) as e:
        x[0] = tg.ones(2)
    assert str(e.value) == ("The expanded size of the tensor (3) must match the existing size (2) at non-singleton "
                            "dimension 0.  Target sizes: [3].  Tensor sizes: [2]")
    with pytest.raises(RuntimeError) as e:
        x[tg.tensor([0, 1])] = tg.ones(4)
    assert str(e.value) == "shape mismatch: value tensor of shape [4] cannot be broadcast to indexing result of shape [2, 3]"
    assert x.tolist() == [[0.0] * 3] * 2 and x._version_counter() == 0


def test_setitem_through_a_non_contiguous_tensor():
    base = tg.zeros(3, 2)
    t = base.t()
    t[1, ::2] = 5.0
    assert base.tolist() == [[0.0, 5.0], [0.0, 0.0], [0.0, 5.0]]


def test_iter_yields_selects_over_dim_0():
    x = tg.arange(6.0).reshape(3, 2).requires_grad_(True)
    rows = list(x)
    assert len(rows) == 3 and rows[1].tolist() == [2.0, 3.0] and rows[0].grad_fn.name() == "UnbindBackward0"
    sum(r.sum() * k for k, r in enumerate(rows)).backward()
    assert x.grad.tolist() == [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(tg.tensor(1.0))


def test_split_and_chunk():
    x = tg.arange(10.0).reshape(5, 2).requires_grad_(True)
    parts = x.split(2)
    assert [tuple(p.shape) for p in parts] == [(2, 2), (2, 2), (1, 2)]
    assert [tuple(p.shape) for p in tg.split(x, [1, 4])] == [(1, 2), (4, 2)]
    assert [tuple(p.shape) for p in x.chunk(3)] == [(2, 2), (2, 2), (1, 2)]
    assert [tuple(p.shape) for p in x.chunk(2, dim=1)] == [(5, 1), (5, 1)]
    assert parts[1].data_ptr() == x.data_ptr() + 4 * x.element_size()
    (parts[0].sum() + 2 * parts[2].sum()).backward()
    assert x.grad.tolist() == [[1.0, 1.0]] * 2 + [[0.0, 0.0]] * 2 + [[2.0, 2.0]]
    with pytest.raises(RuntimeError, match="split_with_sizes expects split_sizes to sum exactly to 5"):
        x.split([1, 2])


def test_cat_and_stack_errors():
    a, b = tg.ones(2, 3), tg.ones(2, 2)
    with pytest.raises(RuntimeError) as e:
        tg.cat([a, b])
    assert str(e.value) == ("Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 "
                            "for tensor number 1 in the list.")
    with pytest.raises(RuntimeError) as e:
        tg.stack([a, b])
    assert str(e.value) == "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [2, 2] at entry 1"
    with pytest.raises(ValueError, match="expected a non-empty list of Tensors"):
        tg.cat([])
    with pytest.raises(IndexError, match="Dimension out of range"):
        tg.cat([a, a], 2)
    assert tg.cat([a, tg.ones(2, 3, dtype=tg.float64)]).dtype == tg.float64
    assert tg.cat([tg.ones(0), a]).shape == (2, 3)


def test_gather_scatter_errors_and_big_sources():
    x = tg.zeros(2, 3)
    with pytest.raises(RuntimeError) as e:
        x.gather(1, tg.tensor([[0, 3]]))
    assert str(e.value) == "index 3 is out of bounds for dimension 1 with size 3"
    with pytest.raises(RuntimeError, match="Index tensor must have the same number of dimensions"):
        x.gather(1, tg.tensor([0]))
    with pytest.raises(IndexError, match="index_select\\(\\): Index is supposed to be a vector"):
        x.index_select(0, tg.tensor([[0]]))
    with pytest.raises(RuntimeError, match="masked_fill_ only supports boolean masks"):
        x.masked_fill(tg.zeros(2, 3, dtype=tg.int64), 1.0)
    assert x.tolist() == [[0.0] * 3] * 2
    # A source bigger than the index: the unread part gets a zero gradient (PyTorch 2.x
    # raises "returned an invalid gradient" here instead).
    src = tg.ones(2, 3, requires_grad=True)
    x.scatter(1, tg.tensor([[2], [0]]), src).sum().backward()
    assert src.grad.tolist() == [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]


def test_flatten_unflatten_repeat_flip():
    x = tg.arange(24.0).reshape(2, 3, 4)
    assert x.flatten().shape == (24,) and x.flatten(1).shape == (2, 12) and tg.flatten(x, 0, 1).shape == (6, 4)
    assert x.flatten().data_ptr() == x.data_ptr() and tg.tensor(3.0).flatten().shape == (1,)
    assert x.unflatten(2, (2, -1)).shape == (2, 3, 2, 2)
    np.testing.assert_array_equal(x.repeat(1, 2, 1).numpy(), np.tile(x.numpy(), (1, 2, 1)))
    np.testing.assert_array_equal(x.flip(0, 2).numpy(), np.flip(x.numpy(), (0, 2)))
    with pytest.raises(RuntimeError, match="Number of dimensions of repeat dims can not be smaller"):
        x.repeat(2, 2)


def test_setitem_mixing_index_tensors_with_ints_and_slices():
    a = np.arange(24.0).reshape(2, 3, 4)
    x = tg.tensor(a, dtype=tg.float32)
    x[1, tg.tensor([0, 2]), 1:3] = tg.tensor([[-1.0], [-2.0]])
    x[:, [2], -1] = 9.0
    a[1, [0, 2], 1:3] = [[-1.0], [-2.0]]
    a[:, [2], -1] = 9.0
    np.testing.assert_array_equal(x.numpy(), a)
    w = tg.ones(2, 3, requires_grad=True)
    v = tg.tensor([5.0, 6.0], requires_grad=True)
    y = w * 1
    y[0, tg.tensor([2, 0])] = v
    (y * tg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
    assert w.grad.tolist() == [[0.0, 2.0, 0.0], [4.0, 5.0, 6.0]] and v.grad.tolist() == [3.0, 1.0]


# ---- the native indexer (csrc/bindings/index_key.cpp, csrc/ops/index.cpp) ----
# Every key is read and applied in C++ (there is no Python indexer any more); the keys of ints,
# slices, None and Ellipsis below are checked for values, views, nodes and errors here, and
# every key kind against PyTorch in test_index_key.py.
_BASIC_KEYS = [0, -1, 2, slice(1, None), slice(None, None, 2), slice(-100, 100), slice(0, 2 ** 70),
               slice(-(2 ** 70), 2), (), Ellipsis, (Ellipsis, 0), (None, 0), (0, None, slice(None)),
               (slice(None), 1), (Ellipsis, None), (1, Ellipsis, slice(0, 2)), (slice(1, 3), slice(None, None, 3), 0)]
_BAD_BASIC_KEYS = [3, -4, 2 ** 70, (0, 0, 0, 0), (Ellipsis, 0, Ellipsis), slice(None, None, 0),
                   slice(None, None, -1), (slice(None), 4), (0, slice(None, None, 0))]


@pytest.mark.parametrize("key", _BASIC_KEYS, ids=repr)
def test_native_indexer_gives_views_and_gradients(key):
    a = np.arange(3 * 4 * 5, dtype=np.float64).reshape(3, 4, 5)
    x = tg.tensor(a, requires_grad=True)
    native = x[key]
    np.testing.assert_array_equal(native.detach().numpy(), a[key])
    assert native is not x and native.grad_fn is not None  # a view, even for x[...]
    if native.numel():  # x's memory: the view's first element is where a[key]'s is
        assert a.flat[(native.data_ptr() - x.data_ptr()) // 8] == a[key].flat[0]
    native.sum().backward()
    expected = np.zeros_like(a)
    np.add.at(expected, key, 1.0) if key != () else expected.fill(1.0)
    np.testing.assert_array_equal(x.grad.numpy(), expected)


@pytest.mark.parametrize("key", _BAD_BASIC_KEYS, ids=repr)
def test_native_indexer_raises(key):
    with pytest.raises((IndexError, ValueError)):
        tg.zeros(3, 4, 5)[key]


@pytest.mark.filterwarnings("ignore:Truncating the start/stop/step")  # torch, on the 2**70 bounds
def test_native_indexer_matches_pytorch():
    torch = pytest.importorskip("torch")
    a = np.arange(60.0).reshape(3, 4, 5)
    for key in _BASIC_KEYS:
        np.testing.assert_array_equal(tg.tensor(a)[key].numpy(), torch.tensor(a)[key].numpy())
    for key in [k for k in _BAD_BASIC_KEYS if k != (Ellipsis, 0, Ellipsis)] + [0]:  # torch takes several ...
        got, want = None, None
        try:
            tg.zeros(3, 4, 5)[key] if key != 0 else tg.tensor(1.0)[0]
        except (IndexError, ValueError) as e:
            got = (type(e), str(e))
        try:
            torch.zeros(3, 4, 5)[key] if key != 0 else torch.tensor(1.0)[0]
        except (IndexError, ValueError) as e:
            want = (type(e), str(e))
        assert got == want, key


def test_keys_that_are_not_basic():
    x = tg.arange(12.0).view(3, 4)
    assert x[True].shape == (1, 3, 4)  # a bool is a mask, not the int 1
    assert x[np.int64(1)].tolist() == [4.0, 5.0, 6.0, 7.0]  # __index__ objects
    assert x[[0, 2], 1].tolist() == [1.0, 9.0]
    assert x[tg.tensor([2]), 1:3].tolist() == [[9.0, 10.0]]
    assert x[x > 9].tolist() == [10.0, 11.0]
    with pytest.raises(IndexError, match="only integers, slices"):
        x[1.5]
    with pytest.raises(TypeError, match="invalid data type 'str'"):
        x["a"]


def test_getitem_is_native_so_the_interpreter_cannot_bypass_the_slot():
    # CPython 3.11+ calls a Python-function __getitem__ directly from the eval loop; a native
    # method leaves x[key] to the type's mp_subscript slot.
    import types
    assert not isinstance(tg.Tensor.__dict__["__getitem__"], types.FunctionType)
    p = tg.nn.Parameter(tg.ones(2, 3))  # a subclass indexes the same way
    assert p[1].grad_fn.name() == "SelectBackward0" and p[:, 1:].shape == (2, 2)


@pytest.mark.parametrize("key", _BASIC_KEYS, ids=repr)
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_native_setitem(key, layout):
    a = np.arange(3 * 4 * 5, dtype=np.float64).reshape(3, 4, 5)

    def fresh():
        base = tg.tensor(a if layout == "contiguous" else a.transpose(2, 1, 0).copy())
        return base if layout == "contiguous" else base.permute(2, 1, 0)

    results = []
    for value in (-1.0, "tensor"):
        x, w = fresh(), tg.ones(5, requires_grad=True)
        v = (w * 2.0).sum() if value == "tensor" else value
        version = x._version
        x[key] = v
        assert x._version > version
        if value == "tensor":
            assert x.grad_fn is not None
            x.sum().backward()
        results.append((x.detach().numpy().copy(), None if w.grad is None else w.grad.numpy().copy()))
    expected = a.copy()
    expected[key] = -1.0
    np.testing.assert_array_equal(results[0][0], expected)
    np.testing.assert_array_equal(results[1][0], np.where(expected == -1.0, 10.0, expected))  # v = 10
    assert results[1][1].tolist() == [2.0 * (expected == -1.0).sum()] * 5  # d(sum of written)/dw


def test_native_setitem_errors_match_pytorch():
    leaf = tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        leaf[0] = 2.0
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        leaf[np.int64(0)] = 2.0  # the same refusal for any int-like key
    with tg.no_grad():
        leaf[0] = 2.0  # allowed without recording, as in PyTorch
    assert leaf.tolist() == [2.0, 1.0, 1.0]
    x = tg.zeros(2, 3)
    before = x.numpy().copy()
    for key, value, error in [(5, 1.0, IndexError), (0, "a", TypeError), ((0, slice(None)), tg.ones(4), RuntimeError),
                              (slice(None, None, 0), 1.0, ValueError)]:
        with pytest.raises(error):
            x[key] = value
        np.testing.assert_array_equal(x.numpy(), before)  # nothing written
    with pytest.raises(TypeError, match="Tensor does not support deleting items"):
        del x[0]
