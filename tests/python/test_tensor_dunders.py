"""Python's number and formatting protocols on tensors as torch 2.13 has them: __format__ (0-d
tensors format their number: f'{loss:.4f}', f'{t}' prints 17.0), __index__, __int__, __float__,
__bool__ (torch's errors and warning), numpy interop (__array__, numpy scalars as operands, an
ndarray on the left)."""
import operator
import warnings

import numpy as np
import pytest

import tapegrad as tg

torch = pytest.importorskip("torch")

CASES = {
    "f-string 0-d float": lambda L: f"{L.tensor(17.0)}",
    "spec .4f": lambda L: f"{L.tensor(17.0):.4f}",
    "format empty": lambda L: format(L.tensor(17.0), ""),
    "align": lambda L: f"{L.tensor(17.0):>8}",
    "0-d int": lambda L: f"{L.tensor(3)}",
    "int 03d": lambda L: f"{L.tensor(3):03d}",
    "int .2f": lambda L: f"{L.tensor(3):.2f}",
    "bool": lambda L: f"{L.tensor(True)}",
    "1-d empty spec": lambda L: f"{L.tensor([1.5, 2])}",
    "1-d spec": lambda L: f"{L.tensor([1.5, 2]):.2f}",
    "one element spec": lambda L: f"{L.tensor([1.5]):.2f}",
    "requires grad": lambda L: f"{L.tensor(1.5, requires_grad=True):.3f}",
    "float64": lambda L: f"{L.tensor(1.5, dtype=L.float64)}",
    "float32 digits": lambda L: f"{L.tensor(0.1)}",
    "tiny": lambda L: f"{L.tensor(1e-8)}",
    "percent": lambda L: "{:.1%}".format(L.tensor(0.5)),
    "g": lambda L: f"{L.tensor(2.0):g}",
    "x": lambda L: f"{L.tensor(3):x}",
    "d of float": lambda L: f"{L.tensor(3.5):d}",
    "empty spec": lambda L: f"{L.tensor([]):.2f}",
    "2-d spec": lambda L: f"{L.zeros(1, 1):.2f}",
    "nan": lambda L: f"{L.tensor(float('nan')):.2f}",
    "old-style %": lambda L: ("%.2f" % L.tensor(1.5), "%d" % L.tensor(3)),
    "index 0-d": lambda L: [10, 20, 30, 40][L.tensor(2)],
    "index 1-elem": lambda L: [10, 20, 30, 40][L.tensor([2])],
    "index float": lambda L: [10, 20][L.tensor(1.0)],
    "index bool": lambda L: [10, 20][L.tensor(True)],
    "index many": lambda L: [10, 20][L.tensor([1, 0])],
    "operator.index 2-d": lambda L: operator.index(L.tensor([[1]])),
    "range": lambda L: range(L.tensor(3)),
    "hex": lambda L: hex(L.tensor(10)),
    "int of float": lambda L: int(L.tensor(2.7)),
    "int of 1-elem": lambda L: int(L.tensor([2.7])),
    "int of many": lambda L: int(L.tensor([1, 2])),
    "int of empty": lambda L: int(L.tensor([])),
    "float of int": lambda L: float(L.tensor(3)),
    "float of many": lambda L: float(L.tensor([1.0, 2.0])),
    "float of bool": lambda L: float(L.tensor(True)),
    "complex": lambda L: complex(L.tensor(1.5)),
    "bool of 1-elem": lambda L: bool(L.tensor([0.0])),
    "bool of many": lambda L: bool(L.tensor([1.0, 2])),
    "bool of empty": lambda L: bool(L.tensor([])),
    "asarray dtype": lambda L: np.asarray(L.tensor([1, 2]), dtype=np.float32),
    "array copy": lambda L: np.array(L.tensor([1.0, 2.0]), copy=True),
    "asarray 0-d": lambda L: np.asarray(L.tensor(1.5)),
    "asarray requires grad": lambda L: np.asarray(L.tensor([1.0], requires_grad=True)),
    "array priority": lambda L: L.Tensor.__array_priority__,
    "ndarray + tensor": lambda L: np.ones(2) + L.tensor([1.0, 2.0]),
    "ndarray * tensor": lambda L: np.ones(2) * L.tensor([1.0, 2.0]),
    "ndarray > tensor": lambda L: np.ones(2) > L.tensor([1.0, 2.0]),
    "tensor + ndarray": lambda L: L.tensor([1.0, 2.0]) + np.ones(2),
    "np.float64 * tensor": lambda L: np.float64(2.0) * L.tensor([1.0, 2.0]),
    "np.int64 + tensor": lambda L: np.int64(2) + L.tensor([1, 2]),
    "tensor + np.int64": lambda L: L.tensor([1, 2]) + np.int64(2),
    "tensor * np.float32": lambda L: L.tensor([1, 2]) * np.float32(1.5),
    "tensor - np.bool_": lambda L: L.tensor([1.0, 2.0]) - np.bool_(True),
    "np.int32 / tensor": lambda L: np.int32(3) / L.tensor([1, 2]),
    "tensor ** np.int64": lambda L: L.tensor([1.0, 2.0]) ** np.int64(2),
    "bool tensor + np.bool_": lambda L: L.tensor([True]) + np.bool_(True),
    "int tensor * np.bool_": lambda L: L.tensor([1, 2]) * np.bool_(True),
    "abs": lambda L: abs(L.tensor(-1.5)),
}


def outcome(fn, L):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fn(L)
    except Exception as e:  # noqa: BLE001
        # Python's own messages name the class: torch's is 'Tensor', tapegrad's 'tapegrad._C.Tensor'
        return type(e).__name__, str(e).replace("tapegrad._C.Tensor", "Tensor").split("\n")[0]
    if isinstance(r, (tg.Tensor, torch.Tensor)):
        return "tensor", type(r).__name__, repr(r.dtype).split(".")[-1], r.tolist()
    if isinstance(r, np.ndarray):
        return "ndarray", r.dtype.str, r.tolist()
    return "ok", type(r).__name__, r


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_dunder_as_torch(case):
    assert outcome(CASES[case], tg) == outcome(CASES[case], torch)


def test_float_of_a_tensor_requiring_grad_warns_as_torch():
    for L in (tg, torch):
        with pytest.warns(UserWarning, match="Converting a tensor with requires_grad=True to a scalar"):
            float(L.tensor(1.5, requires_grad=True))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            x = L.tensor(1.5, requires_grad=True)  # int(), bool(), item() and __format__ stay quiet
            assert (int(x), bool(x), x.item(), f"{x:.2f}") == (1, True, 1.5, "1.50")


def test_numpy_scalar_operands_keep_the_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * np.float32(3.0) + np.int64(1)).sum()
    y.backward()
    assert x.grad.tolist() == [3.0, 3.0] and y.grad_fn is not None
