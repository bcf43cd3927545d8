"""The op table's pointwise ops of issue 16 (unary_trig.cpp, unary_special.cpp, rounding.cpp,
binary_math.cpp, bitwise.cpp and the additions to unary.cpp / binary.cpp / where_clamp_lerp.cpp).
Appended to OPS at the end of op_db.py. References are numpy, or Python's math module applied
elementwise; erfinv, digamma and polygamma use mpmath (installed with sympy, torch's dependency)."""
import math

import numpy as np

from op_db_types import OpEntry, S

UNARY = [S((2, 3)), S(()), S((3, 4), layouts=("t",)), S((6, 2), layouts=("s",)), S((0, 3))]
BINARY = [S((2, 3), (2, 3)), S((2, 3), (3,)), S((2, 1, 3), (4, 1)), S((), (2, 2)),
          S((3, 2), (3, 2), layouts=("t", "c")), S((2, 3), (2, 3), layouts=("s", "c"))]
TERNARY = [S((2, 3), (2, 3), (2, 3)), S((2, 3), (3,), (2, 1)), S((), (2, 2), ()),
           S((3, 2), (3, 2), (3, 2), layouts=("t", "c", "s"))]


def _vec(f):
    """A float function of Python numbers, elementwise over an array, in the array's dtype."""
    return lambda a: np.vectorize(lambda v: f(float(v)), otypes=[a.dtype])(a)


def _mp(name, *lead):
    def f(v):
        import mpmath
        return float(getattr(mpmath, name)(*lead, v))
    return _vec(f)


def _logit(a, eps=None):
    z = a if eps is None else np.clip(a, eps, 1 - eps)
    return np.log(z / (1 - z))


def _round_half_even(a, decimals):
    s = a.dtype.type(10.0 ** abs(decimals))
    return np.round(a * s) / s if decimals > 0 else np.round(a / s) * s


POINTWISE_OPS = [
    # ---- unary.cpp ----
    OpEntry("log10", lambda tg, a: a.log10(), lambda np, a: np.log10(a), "Log10Backward0", UNARY, low=0.5),
    OpEntry("exp2", lambda tg, a: tg.exp2(a), lambda np, a: np.exp2(a), "Exp2Backward0", UNARY),
    # ---- unary_trig.cpp ----
    OpEntry("sinh", lambda tg, a: a.sinh(), lambda np, a: np.sinh(a), "SinhBackward0", UNARY),
    OpEntry("cosh", lambda tg, a: tg.cosh(a), lambda np, a: np.cosh(a), "CoshBackward0", UNARY),
    OpEntry("asin", lambda tg, a: a.asin(), lambda np, a: np.arcsin(a), "AsinBackward0", UNARY, low=-0.8, high=0.8),
    OpEntry("asin", lambda tg, a: tg.arcsin(a), lambda np, a: np.arcsin(a), "AsinBackward0", [S((3,))],
            low=-0.8, high=0.8),
    OpEntry("acos", lambda tg, a: a.acos(), lambda np, a: np.arccos(a), "AcosBackward0", UNARY, low=-0.8, high=0.8),
    OpEntry("atan", lambda tg, a: tg.atan(a), lambda np, a: np.arctan(a), "AtanBackward0", UNARY),
    OpEntry("asinh", lambda tg, a: a.asinh(), lambda np, a: np.arcsinh(a), "AsinhBackward0", UNARY),
    OpEntry("acosh", lambda tg, a: a.acosh(), lambda np, a: np.arccosh(a), "AcoshBackward0", UNARY, low=1.2, high=3.0),
    OpEntry("atanh", lambda tg, a: tg.arctanh(a), lambda np, a: np.arctanh(a), "AtanhBackward0", UNARY,
            low=-0.8, high=0.8),
    OpEntry("deg2rad", lambda tg, a: a.deg2rad(), lambda np, a: np.deg2rad(a), "Deg2RadBackward0", UNARY),
    OpEntry("rad2deg", lambda tg, a: tg.rad2deg(a), lambda np, a: np.rad2deg(a), "Rad2DegBackward0", UNARY),
    # ---- unary_special.cpp ----
    OpEntry("erfc", lambda tg, a: a.erfc(), lambda np, a: _vec(math.erfc)(a), "ErfcBackward0", UNARY),
    OpEntry("erfinv", lambda tg, a: tg.erfinv(a), lambda np, a: _mp("erfinv")(a), "ErfinvBackward0", UNARY,
            low=-0.9, high=0.9),
    OpEntry("lgamma", lambda tg, a: a.lgamma(), lambda np, a: _vec(math.lgamma)(a), "LgammaBackward0", UNARY,
            low=0.3, high=4.0),
    OpEntry("lgamma", lambda tg, a: tg.lgamma(a), lambda np, a: _vec(math.lgamma)(a), "LgammaBackward0", [S((2, 3))],
            low=-2.9, high=-2.1),  # between poles
    # PyTorch's polygamma (digamma's gradient) is good to ~1e-9 only: mpmath is the reference here.
    OpEntry("digamma", lambda tg, a: a.digamma(), lambda np, a: _mp("digamma")(a), "DigammaBackward0", UNARY,
            low=0.3, high=4.0, torch_rtol=1e-8),
    OpEntry("digamma", lambda tg, a: tg.digamma(a), lambda np, a: _mp("digamma")(a), "DigammaBackward0",
            [S((2, 3))], low=-1.9, high=-1.1, torch_rtol=1e-8),  # reflected
    OpEntry("polygamma", lambda tg, a: tg.polygamma(1, a), lambda np, a: _mp("polygamma", 1)(a),
            "PolygammaBackward0", UNARY, low=0.3, high=4.0, torch_rtol=1e-8),
    OpEntry("polygamma", lambda tg, a: a.polygamma(2), lambda np, a: _mp("polygamma", 2)(a),
            "PolygammaBackward0", [S((2, 3)), S((4, 3), layouts=("t",))], low=0.5, high=30.0, torch_rtol=1e-8),
    OpEntry("logit", lambda tg, a: a.logit(), lambda np, a: _logit(a), "LogitBackward0", UNARY, low=0.1, high=0.9),
    OpEntry("logit", lambda tg, a: tg.logit(a, eps=0.2), lambda np, a: _logit(a, 0.2), "LogitBackward0",
            [S((2, 3)), S((3, 2), layouts=("t",))], low=0.25, high=0.75),
    OpEntry("nan_to_num", lambda tg, a: tg.nan_to_num(tg.log(a), posinf=3.0),
            lambda np, a: np.nan_to_num(np.log(a), posinf=3.0), "NanToNumBackward0", UNARY, low=0.5),
    OpEntry("sgn", lambda tg, a: a.sgn(), lambda np, a: np.sign(a), "SgnBackward0", UNARY, away_from_zero=0.1),
    # ---- rounding.cpp: flat almost everywhere (samples keep clear of the integers' jumps) ----
    OpEntry("floor", lambda tg, a: a.floor(), lambda np, a: np.floor(a), "FloorBackward0", UNARY, low=0.1, high=0.9),
    OpEntry("ceil", lambda tg, a: tg.ceil(a), lambda np, a: np.ceil(a), "CeilBackward0", UNARY, low=1.1, high=1.9),
    OpEntry("trunc", lambda tg, a: a.trunc(), lambda np, a: np.trunc(a), "TruncBackward0", UNARY, low=-0.9, high=-0.1),
    OpEntry("trunc", lambda tg, a: tg.fix(a), lambda np, a: np.trunc(a), "TruncBackward0", [S((2, 3))],
            low=2.1, high=2.9),
    OpEntry("round", lambda tg, a: a.round(), lambda np, a: np.round(a), "RoundBackward0", UNARY, low=0.6, high=1.4),
    OpEntry("round_decimals", lambda tg, a: a.round(decimals=1), lambda np, a: _round_half_even(a, 1),
            "RoundBackward1", [S((2, 3)), S((3, 2), layouts=("t",))], low=0.51, high=0.54),
    OpEntry("round_decimals", lambda tg, a: tg.round(a, decimals=-1), lambda np, a: _round_half_even(a, -1),
            "RoundBackward1", [S((2, 3))], low=11.0, high=14.0),
    OpEntry("frac", lambda tg, a: a.frac(), lambda np, a: a - np.trunc(a), "FracBackward0", UNARY, low=-0.9, high=0.9,
            away_from_zero=0.1),
    # ---- binary_math.cpp ----
    OpEntry("copysign", lambda tg, a, b: a.copysign(b), lambda np, a, b: np.copysign(a, b), "CopysignBackward0",
            BINARY, away_from_zero=0.1),
    OpEntry("copysign_scalar", lambda tg, a: tg.copysign(a, -1.5), lambda np, a: np.copysign(a, -1.5),
            "CopysignBackward1", UNARY, away_from_zero=0.1),
    OpEntry("fmod", lambda tg, a, b: tg.fmod(a, b), lambda np, a, b: np.fmod(a, b), "FmodBackward1",
            [S((2, 3), (2, 3)), S((2, 3), (3,)), S((3, 2), (3, 2), layouts=("t", "s"))], low=0.55, high=0.95),
    OpEntry("fmod_scalar", lambda tg, a: a.fmod(0.75), lambda np, a: np.fmod(a, 0.75), "FmodBackward0", UNARY,
            low=0.1, high=0.7),
    OpEntry("xlogy", lambda tg, a, b: a.xlogy(b), lambda np, a, b: a * np.log(b), "XlogyBackward0", BINARY,
            low=0.5, high=2.0),
    OpEntry("xlogy_scalar_self", lambda tg, b: tg.xlogy(3, b), lambda np, b: 3 * np.log(b), "XlogyBackward1", UNARY,
            low=0.5, high=2.0),
    OpEntry("xlogy_scalar_other", lambda tg, a: tg.xlogy(a, 2.5), lambda np, a: a * np.log(2.5).astype(a.dtype),
            "XlogyBackward2", UNARY),
    OpEntry("logaddexp2", lambda tg, a, b: tg.logaddexp2(a, b), lambda np, a, b: np.logaddexp2(a, b),
            "Logaddexp2Backward0", BINARY),
    # ---- where_clamp_lerp.cpp ----
    OpEntry("addcmul", lambda tg, a, b, c: a.addcmul(b, c, value=0.5), lambda np, a, b, c: a + 0.5 * b * c,
            "AddcmulBackward0", TERNARY),
    OpEntry("addcmul", lambda tg, a, b, c: tg.addcmul(a, b, c), lambda np, a, b, c: a + b * c, "AddcmulBackward0",
            [S((2, 3), (2, 3), (2, 3))]),
    OpEntry("addcdiv", lambda tg, a, b, c: tg.addcdiv(a, b, c, value=-2), lambda np, a, b, c: a - 2 * b / c,
            "AddcdivBackward0", TERNARY, low=0.5, high=2.0),
    OpEntry("clamp_min", lambda tg, a: a.clamp_min(0.25), lambda np, a: np.maximum(a, 0.25), "ClampMinBackward0",
            UNARY, away_from_zero=0.1),
    OpEntry("clamp_max", lambda tg, a: tg.clamp_max(a, -0.25), lambda np, a: np.minimum(a, -0.25),
            "ClampMaxBackward0", UNARY, away_from_zero=0.1),
    # tensor bounds: samples keep x and the bound apart (|x| >= 0.5 against bounds within 0.4 of 0)
    OpEntry("clamp_min_tensor", lambda tg, a, b: tg.clamp_min(a, b * 0.2), lambda np, a, b: np.maximum(a, b * 0.2),
            "ClampMinBackward1", BINARY, away_from_zero=0.5),
    OpEntry("clamp_max_tensor", lambda tg, a, b: a.clamp_max(b * 0.2), lambda np, a, b: np.minimum(a, b * 0.2),
            "ClampMaxBackward1", BINARY, away_from_zero=0.5),
]
