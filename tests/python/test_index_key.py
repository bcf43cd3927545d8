"""x[key] and x[key] = v read the whole key once in C++ (csrc/bindings/index_key.cpp) and apply
it with one op (csrc/ops/index.cpp): no Python indexer, every key kind and mixes of them as
PyTorch gives them, and errors of PyTorch's type and wording, raised in PyTorch's order."""
import importlib.util
import re
import sys

import numpy as np
import pytest

import tapegrad as tg

torch = pytest.importorskip("torch")


def _shape(*sizes):
    return np.arange(float(np.prod(sizes))).reshape(sizes)


# Keys of every kind (ints, negative ints, slices with steps and huge bounds, None, Ellipsis,
# bools, lists, numpy int and bool arrays, numpy ints, int64 and bool tensors, 0-d tensors) and
# tuples mixing them, for a (4, 5, 6) tensor. Each is a function of the framework module, so
# that index tensors are the framework's own.
_KEYS = {
    "int": lambda L: 2,
    "negative_int": lambda L: -1,
    "numpy_int": lambda L: np.int64(3),
    "slice_step": lambda L: slice(1, None, 2),
    "slice_huge": lambda L: (slice(-(2 ** 70), 2 ** 70), slice(None, None, 4)),
    "none_ellipsis": lambda L: (None, Ellipsis, 1),
    "true": lambda L: True,
    "false_mix": lambda L: (0, False, slice(None)),
    "list": lambda L: [3, 0, 3],
    "nested_array": lambda L: np.array([[0, 1], [2, 3]]),
    "bool_list": lambda L: [True, False, True, False],
    "numpy_ints": lambda L: np.array([1, -1]),
    "numpy_mask": lambda L: np.array([True, False, True, True]),
    "tensor": lambda L: L.tensor([2, 0]),
    "tensor_0d": lambda L: L.tensor(1),
    "mask": lambda L: L.tensor(_shape(4, 5) > 7),
    "mask_0d": lambda L: L.tensor(True),
    "two_tensors_apart": lambda L: (L.tensor([0, 3]), slice(None), L.tensor([[5], [1]])),
    "tensors_adjacent": lambda L: (slice(None), L.tensor([1, 4]), L.tensor([0, 2])),
    "every_kind": lambda L: (L.tensor([1, 2]), None, slice(0, 5, 2), Ellipsis, [4, 0]),
    "int_slice_tensor": lambda L: (1, slice(None, None, 3), L.tensor([[0], [5]])),
    "mask_after_none": lambda L: (None, L.tensor(_shape(4, 5) > 12)),
    "mask_then_list": lambda L: (L.tensor([True, False, True, True]), Ellipsis, [1, 1, 0]),
    "ellipsis_mask": lambda L: (Ellipsis, L.tensor([True, False] * 3)),
    "bool_and_tensor": lambda L: (True, L.tensor([3]), np.int64(-2)),
    "empty_list": lambda L: ([], slice(None)),
    "empty_tuple": lambda L: (),
}


# Where tapegrad's node differs from PyTorch's (as it did before the key was read in C++):
# x[()] is a view (PyTorch: an alias), a 0-d index tensor indexes (PyTorch: selects).
_OWN_NODE = {"empty_tuple": "ViewBackward0", "tensor_0d": "IndexBackward0"}
# Keys whose write goes through index_put, which wants a tensor value of self's dtype, where
# PyTorch writes through a view and casts (as before, too).
_SAME_DTYPE_ONLY = {"tensor_0d", "true"}


@pytest.mark.filterwarnings("ignore:Truncating the start/stop/step")  # torch, on the 2**70 bounds
@pytest.mark.parametrize("name", sorted(_KEYS))
def test_every_key_kind_reads_and_writes_as_pytorch(name):
    a = _shape(4, 5, 6)
    x, y = tg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ours, theirs = x[_KEYS[name](tg)], y[_KEYS[name](torch)]
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    assert ours.grad_fn.name() == _OWN_NODE.get(name, theirs.grad_fn.name())
    w = np.linspace(-1.0, 1.0, ours.numel()).reshape(tuple(ours.shape))
    (ours * tg.tensor(w)).sum().backward()
    (theirs * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.grad.numpy())
    # the write, with a number and with tensors (of self's dtype or another) that require grad
    for value in (-7.0, tg.float64) if name in _SAME_DTYPE_ONLY else (-7.0, tg.float64, tg.float32):
        x, y = tg.tensor(a), torch.tensor(a)
        dtype = None if value == -7.0 else str(value).split(".")[-1]
        wx = tg.tensor(2.0, requires_grad=True, dtype=getattr(tg, dtype or "float32"))
        wy = torch.tensor(2.0, requires_grad=True, dtype=getattr(torch, dtype or "float32"))
        errors = [_error(lambda: x.__setitem__(_KEYS[name](tg), -7.0 if dtype is None else wx * 3.0)),
                  _error(lambda: y.__setitem__(_KEYS[name](torch), -7.0 if dtype is None else wy * 3.0))]
        assert errors[0] == errors[1]
        np.testing.assert_array_equal(x.detach().numpy(), y.detach().numpy())
        if dtype is not None and errors[0] is None:
            x.sum().backward()
            y.sum().backward()
            assert wx.grad.item() == wy.grad.item()


@pytest.mark.parametrize("layout", ["transposed", "stepped"])
def test_writes_through_a_strided_tensor_match_pytorch(layout):
    a = _shape(6, 5, 4)
    for name, make in sorted(_KEYS.items()):
        x, y = tg.tensor(a), torch.tensor(a)
        if layout == "transposed":
            x, y = x.permute(2, 1, 0), y.permute(2, 1, 0)
        else:
            x, y = x[::1].transpose(0, 2).transpose(0, 2)[:4], y[::1].transpose(0, 2).transpose(0, 2)[:4]
        if tuple(x.shape) != (4, 5, 6):
            continue
        x[make(tg)] = 9.0
        y[make(torch)] = 9.0
        np.testing.assert_array_equal(x.numpy(), y.numpy(), err_msg=name)


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001  (the type itself is what is compared)
        return type(e), str(e)
    return None


# Bad keys, some with two mistakes, whose errors are PyTorch's (type and wording).
_BAD_KEYS = {
    "int_out_of_range": lambda L: 9,
    "list_out_of_range": lambda L: [0, 5],
    "str": lambda L: "a",
    "float": lambda L: 1.5,
    "float_tensor": lambda L: L.tensor([0.0]),
    "tensor_out_of_range": lambda L: L.tensor([4]),
    "mask_shape": lambda L: L.tensor([True, False]),
    "mask_shape_later_dim": lambda L: (0, L.tensor([[True, False]])),
    "broadcast": lambda L: (L.tensor([0, 1]), L.tensor([0, 1, 2])),
    "too_many": lambda L: (0, 0, 0, 0),
    "too_many_with_mask": lambda L: (L.tensor(_shape(4, 5) > 3), 0, 0),
    "step_zero": lambda L: slice(None, None, 0),
    "negative_step_in_tuple": lambda L: (0, slice(None, None, -1)),
    "huge_int": lambda L: 2 ** 70,
    "huge_int_in_tuple": lambda L: (slice(None), 2 ** 70),
    "out_of_range_then_float_tensor": lambda L: (9, L.tensor([0.5])),
}


@pytest.mark.parametrize("name", sorted(_BAD_KEYS))
def test_bad_keys_raise_as_pytorch(name):
    a = _shape(4, 5, 6)
    x, y = tg.tensor(a), torch.tensor(a)
    want = _error(lambda: y[_BAD_KEYS[name](torch)])
    assert want is not None
    assert _error(lambda: x[_BAD_KEYS[name](tg)]) == want
    assert _error(lambda: x.__setitem__(_BAD_KEYS[name](tg), 1.0)) == _error(
        lambda: y.__setitem__(_BAD_KEYS[name](torch), 1.0))
    np.testing.assert_array_equal(x.numpy(), a)  # nothing written


# Keys with two mistakes, and the error raised: the one the Python indexer raised before the key
# was read in C++ (every item's type is checked first, as numpy does; then, item by item, a bad
# integer, bound or step where the item is applied). Reading the key once must not move an
# error forward: a slice bound that is not an integer is still raised after an earlier item's.
_ONE_ORDER = [
    ((9, "a"), TypeError, "new(): invalid data type 'str'"),
    ((1.5, "a"), IndexError, "valid indices (got float)"),
    ((slice(1.5, None), 9), TypeError, "'float' object cannot be interpreted as an integer"),
    ((9, slice(1.5, None)), IndexError, "index 9 is out of bounds for dimension 0 with size 4"),
    ((9, "tensor"), IndexError, "index 9 is out of bounds for dimension 0 with size 4"),
    ((2 ** 70, slice(None, None, 0)), ValueError, "Overflow when unpacking long long"),
    ((slice(None, None, 0), 2 ** 70), ValueError, "slice step cannot be zero"),
    (slice(None, None, 1.5), TypeError, "'float' object cannot be interpreted as an integer"),
    ((Ellipsis, "a", Ellipsis), TypeError, "new(): invalid data type 'str'"),
    (("a", [[0], [0, 1]]), ValueError, "inhomogeneous shape"),
    (("mask", 9), IndexError, "index 9 is out of bounds for dimension 1 with size 5"),
]


@pytest.mark.parametrize("key,error,message", _ONE_ORDER, ids=[repr(k) for k, _, _ in _ONE_ORDER])
def test_the_first_mistake_of_a_key_is_the_one_raised(key, error, message):
    resolve = {"tensor": tg.tensor([0.5]), "mask": tg.tensor([True, False])}
    key = tuple(resolve.get(k, k) if isinstance(k, str) and k in resolve else k for k in key) \
        if isinstance(key, tuple) else key
    x = tg.tensor(_shape(4, 5, 6))
    with pytest.raises(error, match=re.escape(message)):
        x[key]
    with pytest.raises(error, match=re.escape(message)):
        x[key] = 1.0
    np.testing.assert_array_equal(x.numpy(), _shape(4, 5, 6))


def test_errors_on_a_0d_tensor():
    # The lone-key checks come before the count of dims, as in PyTorch; a lone slice's bound
    # is not looked at until then.
    cases = [(0, IndexError, "invalid index of a 0-dim tensor"), (slice(None, None, 0), ValueError, "cannot be zero"),
             (slice(None, None, 1.5), TypeError, "'float' object"), (slice(1.5, None), IndexError, "too many indices"),
             (np.int64(0), IndexError, "too many indices"), ((None, 0), IndexError, "too many indices"),
             ([0], IndexError, "too many indices")]
    for key, error, message in cases:
        with pytest.raises(error, match=re.escape(message)):
            tg.tensor(1.0)[key]
    for key in (Ellipsis, None, True, (None, False)):
        np.testing.assert_array_equal(tg.tensor(1.0)[key].numpy(), torch.tensor(1.0)[key].numpy())


def test_bad_values_raise_after_the_key_is_checked():
    x = tg.zeros(2, 3)
    with pytest.raises(IndexError, match="index 5 is out of bounds"):
        x[5] = "a"  # the key first, as PyTorch
    with pytest.raises(IndexError, match="index 5 is out of bounds"):
        x[tg.tensor([5]), 0] = 2 ** 70
    with pytest.raises(TypeError, match="can't assign a str to a Tensor"):
        x[tg.tensor([1])] = "a"
    with pytest.raises(RuntimeError, match="value cannot be converted to type float without overflow"):
        x[x > 0] = tg.tensor(3.5e38, dtype=tg.float64)  # stored as masked_fill_ stores it
    assert x.tolist() == [[0.0] * 3] * 2


def test_the_python_indexer_is_gone_and_no_python_runs_for_a_key():
    assert importlib.util.find_spec("tapegrad._indexing") is None
    assert not hasattr(tg._C, "_set_python_indexer")
    x = tg.arange(24.0).reshape(4, 6)
    keys = [tg.tensor([1, 3]), x > 5.0, (tg.tensor([0]), slice(1, 4, 2)), (None, True, 1), (Ellipsis, tg.tensor(2)),
            (slice(None), [0, 5]), np.array([True, False, True, False])]
    calls = []
    sys.setprofile(lambda frame, event, arg: calls.append(frame.f_code.co_name) if event == "call" else None)
    try:
        for key in keys:
            x[key]
            x[key] = 1.0
    finally:
        sys.setprofile(None)
    assert calls == []


def test_setitem_and_iteration_are_methods_still():
    x = tg.zeros(2, 3)
    x.__setitem__((1, tg.tensor([0, 2])), 5.0)  # the C++ method behind the slot
    assert x.tolist() == [[0.0, 0.0, 0.0], [5.0, 0.0, 5.0]]
    assert [row.tolist() for row in x] == x.tolist()
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(tg.tensor(1.0))
    with pytest.raises(TypeError, match="Tensor.__setitem__ needs a Tensor"):
        tg.Tensor.__setitem__(3, 0, 1.0)
