"""unique, unique_consecutive, nonzero (as_tuple) and argwhere: results, which of them a call
returns, dtypes, the missing derivative and errors, against torch when it is installed."""
import pickle

import numpy as np
import pytest

import tapegrad as tg

try:
    import torch
except ImportError:  # the torch comparisons skip
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")

CALLS = {
    "unique": lambda L: L.unique(L.tensor([3, 1, 3, 2, 1, 5])),
    "unique inverse": lambda L: L.tensor([3, 1, 3, 2, 1, 5]).unique(return_inverse=True),
    "unique counts unsorted": lambda L: L.unique(L.tensor([3.0, 1.0, 3.0]), sorted=False, return_counts=True),
    "unique 2-d": lambda L: L.unique(L.tensor([[1, 2], [2, 1]]), return_inverse=True, return_counts=True),
    "unique dim": lambda L: L.unique(L.tensor([[1, 2], [1, 2], [0, 5]]), dim=0, return_inverse=True,
                                     return_counts=True),
    "unique dim 1": lambda L: L.tensor([[1, 1, 0], [2, 2, 1]]).unique(dim=1, return_counts=True),
    "unique nan": lambda L: L.unique(L.tensor([1.0, float("nan"), float("nan"), 0.0])),
    "unique bool": lambda L: L.unique(L.tensor([True, False, True])),
    "unique empty": lambda L: L.unique(L.zeros(0), return_inverse=True),
    "unique_consecutive": lambda L: L.unique_consecutive(L.tensor([1, 1, 2, 2, 3, 1, 1, 2]), return_inverse=True,
                                                         return_counts=True),
    "unique_consecutive dim": lambda L: L.tensor([[1, 1, 2], [1, 1, 2]]).unique_consecutive(dim=1),
    "nonzero": lambda L: L.nonzero(L.tensor([[0, 1], [2, 0]])),
    "nonzero tuple": lambda L: L.nonzero(L.tensor([[0, 1], [2, 0]]), as_tuple=True),
    "nonzero method tuple": lambda L: L.tensor([0.0, 1.5, 0.0, 2.0]).nonzero(as_tuple=True),
    "nonzero 0-d": lambda L: L.tensor(5).nonzero(),
    "nonzero 0-d tuple": lambda L: L.tensor(5).nonzero(as_tuple=True),
    "nonzero none": lambda L: L.zeros(2, 3).nonzero(),
    "argwhere": lambda L: L.argwhere(L.tensor([[0.0, 1.0], [1.0, 1.0]])),
    "unique dim of 0-d": lambda L: L.unique(L.tensor(5), dim=0),
    "unique zero-size unselected": lambda L: L.unique(L.zeros(4, 0), dim=0),
}


def _outcome(L, name):
    try:
        out = CALLS[name](L)
    except Exception as e:  # compared with torch's
        return type(e).__name__, str(e)
    outs = out if isinstance(out, tuple) else (out,)
    return type(out).__name__, [(o.numpy(), str(o.dtype).split(".")[-1]) for o in outs]


@needs_torch
@pytest.mark.parametrize("name", list(CALLS))
def test_matches_torch(name):
    ours, theirs = _outcome(tg, name), _outcome(torch, name)
    assert ours[0] == theirs[0]
    if isinstance(theirs[1], str):
        assert ours[1] == theirs[1]
        return
    assert len(ours[1]) == len(theirs[1])
    for (a, da), (b, db) in zip(ours[1], theirs[1]):
        assert da == db and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


def test_unique_by_hand_and_its_missing_derivative():
    values, inverse, counts = tg.unique(tg.tensor([3, 1, 3]), return_inverse=True, return_counts=True)
    assert values.tolist() == [1, 3] and inverse.tolist() == [1, 0, 1] and counts.tolist() == [1, 2]
    x = tg.tensor([2.0, 1.0, 2.0], requires_grad=True)
    u = x.unique()
    assert u.grad_fn.name() == "Unique2Backward0"
    with pytest.raises(NotImplementedError, match="the derivative for '_unique2' is not implemented."):
        u.sum().backward()
    with pytest.raises(TypeError, match="argument 'return_counts' must be bool"):
        tg.unique(x, return_counts=1)


def test_nonzero_by_hand():
    rows, cols = tg.nonzero(tg.tensor([[0, 1], [2, 0]]), as_tuple=True)
    assert rows.tolist() == [0, 1] and cols.tolist() == [1, 0]
    assert tg.argwhere(tg.tensor([0, 3, 0, 4])).tolist() == [[1], [3]]
    assert pickle.loads(pickle.dumps(tg.nonzero(tg.tensor([1, 0])))).tolist() == [[0]]
