"""Fuzzing issue 16's pointwise ops (hypothesis): int64 tensors holding extremes (int64's ends, 0,
+-1) through the bitwise ops, shifts (counts past the width and negative) and fmod, against
Python's int arithmetic wrapped to int64; and float tensors holding NaN, infinities, signed zeros
and huge values through the new unary and binary functions, against PyTorch where installed
(the same dtype and values, or the same exception type). Nothing may crash.

- test_integer_ops_match_python_ints: INT_EXAMPLES examples.
- test_float_ops_match_torch: FLOAT_EXAMPLES examples.
Example counts follow the profiles of test_fuzz.py (TAPEGRAD_FUZZ_PROFILE)."""
import math
import os

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import tapegrad as tg  # noqa: E402
from test_fuzz import PROFILE  # noqa: E402  (registers the profiles)

try:
    import torch
except ImportError:
    torch = None

MIN64, MAX64 = -2 ** 63, 2 ** 63 - 1
INT_EXAMPLES = {"ci": 1500, "sanitized": 300, "long": 30000}[PROFILE]
FLOAT_EXAMPLES = {"ci": 1000, "sanitized": 200, "long": 20000}[PROFILE]
if os.environ.get("TAPEGRAD_FUZZ_EXAMPLES"):
    INT_EXAMPLES = FLOAT_EXAMPLES = int(os.environ["TAPEGRAD_FUZZ_EXAMPLES"])
ERRORS = (RuntimeError, TypeError, ValueError, NotImplementedError)


def _wrap(v):
    return (v + 2 ** 63) % 2 ** 64 - 2 ** 63


def _lshift(x, s):
    return 0 if s < 0 or s >= 64 else _wrap(x << s)


def _rshift(x, s):
    return (-1 if x < 0 else 0) if s < 0 or s >= 64 else x >> s


def _fmod(x, y):
    if y == 0:
        raise RuntimeError("ZeroDivisionError")
    r = abs(x) % abs(y)
    return _wrap(-r if x < 0 else r)


INT_OPS = {
    "bitwise_and": (lambda a, b: tg.bitwise_and(a, b), lambda x, y: x & y),
    "bitwise_or": (lambda a, b: a | b, lambda x, y: x | y),
    "bitwise_xor": (lambda a, b: a ^ b, lambda x, y: x ^ y),
    "bitwise_left_shift": (lambda a, b: a << b, _lshift),
    "bitwise_right_shift": (lambda a, b: tg.bitwise_right_shift(a, b), _rshift),
    "fmod": (lambda a, b: tg.fmod(a, b), _fmod),
    "bitwise_not": (lambda a, b: ~a, lambda x, y: ~x),
}

_ints = st.one_of(st.sampled_from([MIN64, MIN64 + 1, MAX64, MAX64 - 1, 0, 1, -1, 2, -3, 63, 64]),
                  st.integers(MIN64, MAX64))
_shifts = st.integers(-70, 70)


@settings(settings.get_profile(PROFILE), max_examples=INT_EXAMPLES)
@given(op=st.sampled_from(sorted(INT_OPS)), data=st.data())
def test_integer_ops_match_python_ints(op, data):
    n = data.draw(st.integers(1, 5))
    xs = data.draw(st.lists(_ints, min_size=n, max_size=n))
    ys = data.draw(st.lists(_shifts if "shift" in op else _ints, min_size=n, max_size=n))
    ours, ref = INT_OPS[op]
    try:
        expected = [ref(x, y) for x, y in zip(xs, ys)]
    except RuntimeError as e:
        with pytest.raises(RuntimeError, match=str(e)):
            ours(tg.tensor(xs), tg.tensor(ys))
        return
    out = ours(tg.tensor(xs), tg.tensor(ys))
    assert out.dtype == tg.int64
    assert out.tolist() == expected


_floats = st.one_of(st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, 1.0, -1.0, 0.5, 1e300, -1e-300,
                                     3.5e38, 2.0 ** 63]),
                    st.floats(allow_nan=True, allow_infinity=True))
UNARY = ["erfc", "erfinv", "lgamma", "digamma", "sinh", "cosh", "asinh", "acosh", "atanh", "asin", "acos", "atan",
         "log10", "exp2", "sgn", "floor", "ceil", "round", "trunc", "frac", "deg2rad", "rad2deg", "logit",
         "nan_to_num"]
BINARY = ["copysign", "fmod", "xlogy", "logaddexp2", "isclose", "clamp_min", "clamp_max", "heaviside", "float_power"]


def _compare(theirs, ours):
    if isinstance(theirs, Exception):
        assert type(ours).__name__ == type(theirs).__name__, (theirs, ours)
        return
    assert not isinstance(ours, Exception), ours
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    a, b = np.asarray(theirs.tolist(), dtype=float), np.asarray(ours.tolist(), dtype=float)
    # float32 specials (erfinv, digamma, lgamma) may differ in the last bits of float math
    np.testing.assert_allclose(b, a, rtol=2e-5 if theirs.dtype == torch.float32 else 1e-8, atol=1e-300,
                               equal_nan=True)


def _call(lib, name, args):
    try:
        return getattr(lib, name)(*args)
    except ERRORS as e:
        return e


@settings(settings.get_profile(PROFILE), max_examples=FLOAT_EXAMPLES)
@given(name=st.sampled_from(UNARY + BINARY), dtype=st.sampled_from(["float32", "float64"]), data=st.data())
def test_float_ops_match_torch(name, dtype, data):
    n = data.draw(st.integers(1, 4))
    xs = data.draw(st.lists(_floats, min_size=n, max_size=n))
    ys = data.draw(st.lists(_floats, min_size=n, max_size=n))
    args = [tg.tensor(xs, dtype=getattr(tg, dtype))]
    if name in BINARY:
        args.append(tg.tensor(ys, dtype=getattr(tg, dtype)))
    ours = _call(tg, name, args)  # never a crash, with or without PyTorch
    if torch is None:
        return
    theirs = _call(torch, name, [torch.tensor(a.tolist(), dtype=getattr(torch, dtype)) for a in args])
    if name in ("digamma", "lgamma", "polygamma") and not isinstance(theirs, Exception):
        # PyTorch's values near the poles are its own approximations: finite there, compare loosely
        a = np.asarray(theirs.tolist(), dtype=float)
        b = np.asarray(ours.tolist(), dtype=float)
        near_pole = np.abs(np.asarray(xs)) > 1e15
        np.testing.assert_allclose(b[~near_pole], a[~near_pole], rtol=1e-4, equal_nan=True)
        return
    _compare(theirs, ours)
