"""Tests for tapegrad._printing: tensor values rendered like PyTorch's repr.

The module is pure Python + numpy, so it is loaded straight from its file and
these tests run without the compiled extension (and without any conftest).
The hard-coded cases are the primary tests; the comparison against
``repr(torch.tensor(...))`` runs only where torch is installed.
"""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).resolve().parents[2] / "python" / "tapegrad" / "_printing.py"
_spec = importlib.util.spec_from_file_location("_tapegrad_printing_under_test", _PATH)
printing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(printing)
format_tensor = printing.format_tensor

_DEFAULTS = dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)


@pytest.fixture(autouse=True)
def default_printoptions():
    """Every test starts and ends with PyTorch's default options."""
    printing.set_printoptions(**_DEFAULTS)
    yield
    printing.set_printoptions(**_DEFAULTS)


def f32(x):
    return np.array(x, dtype=np.float32)


def f64(x):
    return np.array(x, dtype=np.float64)


def i64(x):
    return np.array(x, dtype=np.int64)


def b(x):
    return np.array(x, dtype=np.bool_)


nan, inf = float("nan"), float("inf")

# (values, dtype name, suffixes, expected repr) -- expected texts are PyTorch 2.x's
# output with "torch." replaced by "tapegrad.".
HARD_CODED = {
    "scalar_float": (f32(2.5), "float32", [], "tensor(2.5000)"),
    "scalar_int_valued": (f32(3.0), "float32", [], "tensor(3.)"),
    "scalar_bool": (b(True), "bool", [], "tensor(True)"),
    "scalar_int": (i64(7), "int64", [], "tensor(7)"),
    "int_valued": (f32([1, 2]), "float32", [], "tensor([1., 2.])"),
    # 0.1 is stored as float32 and still prints as 0.1000
    "fixed": (f32([0.1, 1.23456]), "float32", [], "tensor([0.1000, 1.2346])"),
    "sci_small": (f32([1e-5, 1.0]), "float32", [], "tensor([1.0000e-05, 1.0000e+00])"),
    "sci_big": (f32([1e9, 1.0]), "float32", [], "tensor([1.0000e+09, 1.0000e+00])"),
    "nonfinite": (f32([nan, inf, -inf]), "float32", [], "tensor([nan, inf, -inf])"),
    "nonfinite_mixed": (f32([1.5, nan, -2.25, inf]), "float32", [],
                        "tensor([ 1.5000,     nan, -2.2500,     inf])"),
    "zeros": (f32([0, 0, 0]), "float32", [], "tensor([0., 0., 0.])"),
    "negative_zero": (f32([-0.0, 0.0]), "float32", [], "tensor([-0., 0.])"),
    "negative_aligned": (f32([[-1.5, 2.0], [3.25, -40.0]]), "float32", [],
                         "tensor([[ -1.5000,   2.0000],\n"
                         "        [  3.2500, -40.0000]])"),
    "matrix": (f32([[1, 2], [3, 4]]), "float32", [],
               "tensor([[1., 2.],\n        [3., 4.]])"),
    "3d_blank_line": (i64(np.arange(8).reshape(2, 2, 2)), "int64", [],
                      "tensor([[[0, 1],\n         [2, 3]],\n\n"
                      "        [[4, 5],\n         [6, 7]]])"),
    "wrap_linewidth": (
        f32(np.arange(30, dtype=np.float32) / 3), "float32", [],
        "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n"
        "        3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667,\n"
        "        6.0000, 6.3333, 6.6667, 7.0000, 7.3333, 7.6667, 8.0000, 8.3333, 8.6667,\n"
        "        9.0000, 9.3333, 9.6667])"),
    "summarized_1d": (i64(np.arange(2000)), "int64", [],
                      "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
    "summarized_2d": (
        f32(np.arange(1000, 3000).reshape(40, 50)), "float32", [],
        "tensor([[1000., 1001., 1002.,  ..., 1047., 1048., 1049.],\n"
        "        [1050., 1051., 1052.,  ..., 1097., 1098., 1099.],\n"
        "        [1100., 1101., 1102.,  ..., 1147., 1148., 1149.],\n"
        "        ...,\n"
        "        [2850., 2851., 2852.,  ..., 2897., 2898., 2899.],\n"
        "        [2900., 2901., 2902.,  ..., 2947., 2948., 2949.],\n"
        "        [2950., 2951., 2952.,  ..., 2997., 2998., 2999.]])"),
    # max/min = 1999 > 1000 -> scientific; summarized rows still wrap at 80
    "summarized_2d_sci": (
        f32(np.arange(2000).reshape(40, 50)), "float32", [],
        "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,\n"
        "         4.9000e+01],\n"
        "        [5.0000e+01, 5.1000e+01, 5.2000e+01,  ..., 9.7000e+01, 9.8000e+01,\n"
        "         9.9000e+01],\n"
        "        [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.4700e+02, 1.4800e+02,\n"
        "         1.4900e+02],\n"
        "        ...,\n"
        "        [1.8500e+03, 1.8510e+03, 1.8520e+03,  ..., 1.8970e+03, 1.8980e+03,\n"
        "         1.8990e+03],\n"
        "        [1.9000e+03, 1.9010e+03, 1.9020e+03,  ..., 1.9470e+03, 1.9480e+03,\n"
        "         1.9490e+03],\n"
        "        [1.9500e+03, 1.9510e+03, 1.9520e+03,  ..., 1.9970e+03, 1.9980e+03,\n"
        "         1.9990e+03]])"),
    "empty": (f32([]), "float32", [], "tensor([])"),
    "empty_2d": (f32(np.zeros((0, 3))), "float32", [], "tensor([], size=(0, 3))"),
    "empty_suffix_order": (
        f64(np.zeros((0, 3))), "float64", ["requires_grad=True"],
        "tensor([], size=(0, 3), dtype=tapegrad.float64, requires_grad=True)"),
    # an empty tensor names every non-default dtype, int64 included
    "empty_int": (i64([]), "int64", [], "tensor([], dtype=tapegrad.int64)"),
    "bool": (b([True, False, True]), "bool", [], "tensor([ True, False,  True])"),
    "int_big_negative": (i64([-5, 123456789012, 0]), "int64", [],
                         "tensor([          -5, 123456789012,            0])"),
    "float64_dtype": (f64([0.5, 1.0]), "float64", [],
                      "tensor([0.5000, 1.0000], dtype=tapegrad.float64)"),
    "grad_fn": (f32([1.0, 2.5]), "float32", ["grad_fn=<AddBackward0>"],
                "tensor([1.0000, 2.5000], grad_fn=<AddBackward0>)"),
    # the row fills the line, so the dtype item moves to an indented new line
    "suffix_wraps": (
        f64(np.arange(1, 10) + 0.5), "float64", ["requires_grad=True"],
        "tensor([1.5000, 2.5000, 3.5000, 4.5000, 5.5000, 6.5000, 7.5000, 8.5000, 9.5000],\n"
        "       dtype=tapegrad.float64, requires_grad=True)"),
}


@pytest.mark.parametrize("name", sorted(HARD_CODED))
def test_hard_coded(name):
    values, dtype_name, suffixes, expected = HARD_CODED[name]
    assert format_tensor(values, dtype_name, suffixes) == expected


def test_default_suffixes_argument():
    assert format_tensor(f32([1.0]), "float32") == "tensor([1.])"


def test_values_are_cast_to_the_tensor_dtype():
    # float64 input shown as a float32 tensor uses float32's rounding
    assert format_tensor(np.array([0.1]), "float32") == "tensor([0.1000])"
    assert format_tensor(np.array([1, 2]), "float32") == "tensor([1., 2.])"


def test_unknown_dtype_rejected():
    with pytest.raises(ValueError):
        format_tensor(f32([1.0]), "complex64")


def test_summarized_4d_has_ellipsis_lines_and_blank_lines():
    text = format_tensor(f32(np.arange(8 * 3 * 7 * 7).reshape(8, 3, 7, 7)), "float32")
    assert text.startswith("tensor([[[[")
    # the summarized leading dimension: "...," set off by two blank lines
    assert "]]],\n\n\n        ...,\n\n\n        [[[" in text
    assert "\n          ...,\n" in text      # summarized rows of each matrix
    assert "  ..., " in text                # summarized columns


def test_set_printoptions_precision_and_threshold():
    printing.set_printoptions(precision=2)
    assert format_tensor(f32([1.12345]), "float32") == "tensor([1.12])"
    printing.set_printoptions(threshold=5)
    assert format_tensor(i64(np.arange(10)), "int64") == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    assert printing.get_printoptions()["precision"] == 2


def test_set_printoptions_edgeitems_and_linewidth():
    printing.set_printoptions(threshold=5, edgeitems=1)
    assert format_tensor(i64(np.arange(10)), "int64") == "tensor([0,  ..., 9])"
    printing.set_printoptions(threshold=1000, edgeitems=3, linewidth=20)
    assert format_tensor(i64(np.arange(6)), "int64") == \
        "tensor([0, 1, 2, 3,\n        4, 5])"


def test_set_printoptions_sci_mode():
    printing.set_printoptions(sci_mode=True)
    assert format_tensor(f32([1.0, 2.0]), "float32") == "tensor([1.0000e+00, 2.0000e+00])"
    printing.set_printoptions(sci_mode=False)
    assert format_tensor(f32([1e-5, 1.0]), "float32") == "tensor([0.0000, 1.0000])"
    # like torch, leaving sci_mode out goes back to automatic choice
    printing.set_printoptions(precision=4)
    assert format_tensor(f32([1e-5, 1.0]), "float32") == "tensor([1.0000e-05, 1.0000e+00])"


# ---------------------------------------------------------------------------
# Comparison against PyTorch itself
# ---------------------------------------------------------------------------

def _with_nonfinite(a):
    a = np.array(a, dtype=np.float32)
    flat = a.reshape(-1)
    flat[::5] = np.nan
    flat[1::7] = np.inf
    flat[2::11] = -np.inf
    flat[3::13] = 0.0
    return a


def _torch_cases():
    """~40 arrays: (id, values, requires_grad)."""
    rng = np.random.default_rng(1234)
    normal = lambda shape, scale=1.0: (rng.standard_normal(shape) * scale).astype(np.float32)
    cases = [
        ("0d_float", np.array(1.5, np.float32), False),
        ("0d_float64_sci", np.array(3.2e-9, np.float64), True),
        ("0d_int", np.array(-42, np.int64), False),
        ("0d_bool", np.array(False), False),
        ("0d_nan", np.array(np.nan, np.float32), False),
        ("0d_negative", np.array(-0.125, np.float32), True),
    ]
    for exp in (-8, -5, -3, 0, 2, 4, 7, 10):
        cases.append((f"1d_scale_1e{exp}", normal(7, 10.0 ** exp), False))
    cases += [
        ("1d_int_valued_neg", np.round(normal(12, 100)), False),
        ("1d_wrap_100", normal(100), True),
        ("1d_float64_wrap", rng.standard_normal(45), False),
        ("1d_exactly_threshold", normal(1000), False),
        ("1d_just_over_threshold", normal(1001), False),
        ("1d_int_5000", rng.integers(-10**6, 10**6, 5000), False),
        ("1d_int_huge", rng.integers(-2**62, 2**62, 9), False),
        ("1d_bool", rng.random(50) > 0.5, False),
        ("1d_bool_summarized", rng.random(2000) > 0.5, False),
        ("1d_nonfinite", _with_nonfinite(normal(30)), False),
        ("1d_nonfinite_int_valued", _with_nonfinite(np.round(normal(20, 10))), False),
        ("1d_only_nonfinite", np.array([np.nan, np.inf, -np.inf, 0.0], np.float32), False),
        ("2d_small", normal((3, 4)), False),
        ("2d_summarized", normal((40, 30), 1e3), False),
        ("2d_threshold_exact", normal((10, 100)), False),
        ("2d_tall", normal((1001, 1)), False),
        ("2d_wide", normal((1, 1500)), True),
        ("2d_wrapped_summarized_rows", normal((7, 200), 1e-6), False),
        ("2d_int", rng.integers(-99, 99, (5, 6)), False),
        ("2d_bool", rng.random((4, 3)) > 0.5, False),
        ("2d_mixed_scales_float64", rng.standard_normal((3, 3)) * 10.0 ** rng.integers(-6, 9, (3, 3)), True),
        ("3d_small", normal((2, 3, 4)), False),
        ("3d_summarized", normal((11, 10, 10)), False),
        ("3d_int_summarized", rng.integers(0, 50, (12, 12, 12)), False),
        ("3d_nonfinite", _with_nonfinite(normal((3, 2, 5), 1e9)), False),
        ("4d_small", normal((2, 2, 2, 2)), True),
        ("4d_summarized", normal((4, 5, 6, 7)), False),
        ("4d_ones", np.ones((1, 1, 1, 1), np.float32), False),
        ("empty_1d", np.zeros(0, np.float32), False),
        ("empty_2d_float64", np.zeros((0, 3)), True),
        ("empty_3d_int", np.zeros((2, 0, 4), np.int64), False),
        ("empty_bool", np.zeros(0, np.bool_), False),
    ]
    return cases


_TORCH_CASES = _torch_cases()


def _rewrap_suffixes(text):
    # "dtype=tapegrad.float64" is 3 characters longer than torch's
    # "dtype=torch.float64", so the two may break the trailing items onto a
    # new line at different places; compare them with line breaks removed.
    return re.sub(r",\n {7}(?=(size|dtype|requires_grad|grad_fn)=)", ", ", text)


@pytest.mark.parametrize("name,values,requires_grad", _TORCH_CASES,
                         ids=[c[0] for c in _TORCH_CASES])
def test_matches_torch(name, values, requires_grad):
    torch = pytest.importorskip("torch")
    t = torch.from_numpy(np.array(values, order="C"))  # keeps 0-d as 0-d
    suffixes = []
    if requires_grad:
        t = t.requires_grad_(True)
        if t.ndim > 0:  # produce a non-leaf so torch prints a grad_fn
            t = t * 1
            suffixes = [f"grad_fn=<{type(t.grad_fn).__name__}>"]
        else:
            suffixes = ["requires_grad=True"]
    expected = repr(t).replace("torch.", "tapegrad.")
    got = format_tensor(values, str(t.dtype).replace("torch.", ""), suffixes)
    if "dtype=" in expected:
        assert _rewrap_suffixes(got) == _rewrap_suffixes(expected)
    else:
        assert got == expected


@pytest.mark.parametrize("opts", [
    dict(precision=2), dict(precision=7), dict(threshold=5), dict(edgeitems=1, threshold=10),
    dict(edgeitems=0, threshold=10), dict(linewidth=40), dict(sci_mode=True), dict(sci_mode=False),
], ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_printoptions_match_torch(opts):
    torch = pytest.importorskip("torch")
    arrays = [c[1] for c in _TORCH_CASES if c[1].size <= 1500]
    old = torch._tensor_str.get_printoptions()
    torch.set_printoptions(**opts)
    printing.set_printoptions(**opts)
    try:
        for values in arrays:
            t = torch.from_numpy(np.array(values, order="C"))
            expected = repr(t).replace("torch.", "tapegrad.")
            got = format_tensor(values, str(t.dtype).replace("torch.", ""))
            assert _rewrap_suffixes(got) == _rewrap_suffixes(expected)
    finally:
        torch.set_printoptions(**old)
