"""Bad input for every op family: PyTorch's exception type and message, inputs untouched
(data, shape, version) and the next valid call still works. Each row also runs on PyTorch when
it is installed, so the table itself is checked against the reference."""
import numpy as np
import pytest

import tapegrad as tg

try:
    import torch
except ImportError:  # the table still runs on tapegrad alone
    torch = None

# (id, fn(lib, a, b, i), exception type, message regex). a: (2, 3) float, b: (4,) float,
# i: int64 index tensor [0, 2].
ROWS = [
    ("binary shape mismatch", lambda L, a, b, i: a + b, RuntimeError,
     r"The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1"),
    ("inplace would grow self", lambda L, a, b, i: b[:3].add_(a), RuntimeError,
     r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]"),
    ("matmul inner mismatch", lambda L, a, b, i: a @ b, RuntimeError,
     r"size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"),
    ("mm shapes", lambda L, a, b, i: a.mm(a), RuntimeError, r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"),
    ("matmul 0-d", lambda L, a, b, i: a.sum() @ a, RuntimeError,
     r"both arguments to matmul need to be at least 1D, but they are 0D and 2D"),
    ("view bad shape", lambda L, a, b, i: a.view(4), RuntimeError, r"shape '\[4\]' is invalid for input of size 6"),
    ("view non-viewable", lambda L, a, b, i: a.t().view(6), RuntimeError, r"view size is not compatible"),
    ("reshape bad shape", lambda L, a, b, i: a.reshape(5, -1), RuntimeError,
     r"shape '\[5, -1\]' is invalid for input of size 6"),
    ("sum dim", lambda L, a, b, i: a.sum(2), IndexError,
     r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
    ("mean dim negative", lambda L, a, b, i: a.mean(-3), IndexError, r"but got -3\)"),
    ("max dim", lambda L, a, b, i: a.max(5), IndexError, r"Dimension out of range"),
    ("softmax dim", lambda L, a, b, i: L.nn.functional.softmax(a, 2), IndexError, r"Dimension out of range"),
    ("cat dim", lambda L, a, b, i: L.cat([a, a], 2), IndexError, r"Dimension out of range"),
    ("transpose dim", lambda L, a, b, i: a.transpose(0, 2), IndexError, r"Dimension out of range"),
    ("getitem index", lambda L, a, b, i: a[2], IndexError, r"index 2 is out of bounds for dimension 0 with size 2"),
    ("getitem too many", lambda L, a, b, i: a[0, 0, 0], IndexError, r"too many indices for tensor of dimension 2"),
    ("index_select index", lambda L, a, b, i: a.index_select(1, i + 5), RuntimeError,
     r"INDICES element is out of DATA bounds, id=5 axis_dim=3"),
    ("index_select negative", lambda L, a, b, i: a.index_select(1, i - 1), RuntimeError,
     r"INDICES element is out of DATA bounds, id=-1 axis_dim=3"),
    ("gather index", lambda L, a, b, i: a.gather(1, (i + 3).view(1, 2)), RuntimeError,
     r"index 3 is out of bounds for dimension 1 with size 3"),
    ("embedding index", lambda L, a, b, i: L.nn.functional.embedding(i + 2, a), IndexError,
     r"index out of range in self"),
    ("int64 minimum index", lambda L, a, b, i: a[-2 ** 63], IndexError, r"out of bounds"),
    ("mixed float dtypes in mm", lambda L, a, b, i: a.mm(a.t().double()), RuntimeError,
     r"expected m1 and m2 to have the same dtype, but got: float != double"),
    ("int requires grad", lambda L, a, b, i: i.requires_grad_(), RuntimeError,
     r"only Tensors of floating point dtype can require gradients"),
    ("split size 0", lambda L, a, b, i: a.split(0), RuntimeError, r"split_size can only be 0 if dimension size is 0, but got dimension size of 2"),
    ("item of many", lambda L, a, b, i: a.item(), RuntimeError, r"a Tensor with 6 elements cannot be converted to Scalar"),
    ("bool of many", lambda L, a, b, i: bool(a), RuntimeError, r"Boolean value of Tensor with more than one value is ambiguous"),
    ("max of empty", lambda L, a, b, i: a[:0].max(), RuntimeError,
     r"max\(\): Expected reduction dim to be specified for input.numel\(\) == 0"),
]


def make(L):
    a = L.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = L.tensor([1.0, 2.0, 3.0, 4.0])
    i = L.tensor([0, 2])
    return a, b, i


def libs():
    return [tg] + ([torch] if torch is not None else [])


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
@pytest.mark.parametrize("lib", libs(), ids=lambda L: L.__name__)
def test_bad_input(lib, row):
    _, fn, exc, pattern = row
    a, b, i = make(lib)
    before = [(t.tolist(), tuple(t.shape), t._version) for t in (a, b, i)]
    with pytest.raises(exc, match=pattern):
        fn(lib, a, b, i)
    assert [(t.tolist(), tuple(t.shape), t._version) for t in (a, b, i)] == before
    np.testing.assert_allclose((a * 2).sum().item(), 42.0)  # the next valid call works
