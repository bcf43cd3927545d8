"""Integer and scalar correctness (issue 14): integer division never traps, int64 arithmetic
wraps as PyTorch's does, Python ints reach int64 kernels exactly (never through a double),
values a dtype cannot hold raise PyTorch's overflow error, number arguments promote as PyTorch
promotes them, arange counts in integers, and numpy data keeps its values.

The promotion table at the end runs every (op, tensor dtype, number) triple against PyTorch when
it is installed; everything above it needs no PyTorch (the expected values are written out, or
computed with Python's own unbounded integers)."""
import math
import warnings

import numpy as np
import pytest

import tapegrad as tg

MIN64, MAX64 = -2 ** 63, 2 ** 63 - 1
OVERFLOW_INT64 = "value cannot be converted to type int64_t without overflow"
OVERFLOW_FLOAT = "value cannot be converted to type float without overflow"


def wrap64(v):
    """v reduced to int64 as two's complement arithmetic does."""
    return (v + 2 ** 63) % 2 ** 64 - 2 ** 63


# ---- integer division: the class of INT64_MIN / -1 (SIGFPE on x86) and division by zero ----

DIVISIONS = {
    "//": lambda a, b: a // b,
    "%": lambda a, b: a % b,
    "floor_divide": lambda a, b: a.floor_divide(b),
    "remainder": lambda a, b: a.remainder(b),
    "tg.floor_divide": lambda a, b: tg.floor_divide(a, b),
    "tg.remainder": lambda a, b: tg.remainder(a, b),
    "rfloordiv": lambda a, b: a.__rfloordiv__(b) if not isinstance(b, tg.Tensor) else b // a,
}


def _py_floordiv(x, y):
    return wrap64(x // y)


def _py_mod(x, y):
    return x % y


@pytest.mark.parametrize("name", [n for n in DIVISIONS if n != "rfloordiv"])
@pytest.mark.parametrize("divisor", ["number", "tensor", "0-d tensor", "broadcast"])
def test_int64_min_divided_by_minus_one_does_not_trap(name, divisor):
    x = tg.tensor([MIN64, MIN64 + 1, -7, 7, MAX64])
    d = {"number": -1, "tensor": tg.full((5,), -1), "0-d tensor": tg.tensor(-1),
         "broadcast": tg.tensor([[-1], [-1]])}[divisor]
    out = DIVISIONS[name](x, d)
    mod = "%" in name or "remainder" in name
    expect = [(_py_mod if mod else _py_floordiv)(v, -1) for v in x.tolist()]
    rows = out.tolist() if divisor != "broadcast" else out.tolist()[0]
    assert rows == expect
    assert out.dtype == tg.int64


def test_int64_min_over_minus_one_in_a_big_tensor_and_as_dividend():
    # Through the parallel loop, and with the extreme on the divisor side too.
    x = tg.full((100_000,), MIN64)
    assert (x // -1).eq(MIN64).all().item()
    assert (x % -1).eq(0).all().item()
    assert (tg.tensor([-1, 5]) // tg.tensor([MIN64, MIN64])).tolist() == [0, -1]
    assert (tg.tensor([-1, 5]) % tg.tensor([MIN64, MIN64])).tolist() == [-1, 5 + MIN64]


@pytest.mark.parametrize("name", list(DIVISIONS))
@pytest.mark.parametrize("zero", [0, "tensor"])
def test_integer_division_by_zero_raises_torch_error_and_changes_nothing(name, zero):
    x = tg.tensor([5, MIN64, 0])
    before = x.tolist()
    z = 0 if zero == 0 else tg.tensor([1, 0, 2])
    with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
        out = DIVISIONS[name](x, z) if name != "rfloordiv" else tg.tensor([1, 0, 2]) // tg.tensor([0, 0, 0])
    assert x.tolist() == before
    out = x // tg.tensor([1, 1, 1])  # the next call works
    assert out.tolist() == before


def test_integer_division_by_float_zero_is_floating():
    assert (tg.tensor([5]) // 0.0).tolist() == [math.inf]
    assert math.isnan((tg.tensor([5]) % 0.0).item())


def test_bool_division_refused_with_torch_wording():
    b = tg.tensor([True, False])
    for fn in (lambda: b // b, lambda: b // True, lambda: b % b, lambda: b.remainder(True)):
        with pytest.raises((RuntimeError, NotImplementedError), match="not implemented for 'Bool'"):
            fn()
    assert (tg.tensor([MIN64]) // True).tolist() == [MIN64]
    assert (b // 2).tolist() == [0, 0]


# ---- int64 arithmetic wraps (two's complement), never undefined behaviour ----

@pytest.mark.parametrize("case", [
    ("add", lambda a: a + 1, lambda v: v + 1),
    ("sub", lambda a: a - 2, lambda v: v - 2),
    ("mul", lambda a: a * -1, lambda v: -v),
    ("mul big", lambda a: a * MAX64, lambda v: v * MAX64),
    ("neg", lambda a: -a, lambda v: -v),
    ("abs", lambda a: a.abs(), abs),
    ("pow", lambda a: a ** 3, lambda v: v ** 3),
    ("pow 63", lambda a: a ** 63, lambda v: v ** 63),
    ("rsub", lambda a: 1 - a, lambda v: 1 - v),
    ("add tensor", lambda a: a + a, lambda v: 2 * v),
], ids=lambda c: c[0])
def test_int64_arithmetic_wraps(case):
    _, fn, ref = case
    values = [MIN64, MIN64 + 1, -2 ** 53 - 1, -3, -1, 0, 1, 2, 2 ** 53 + 1, MAX64 - 1, MAX64]
    out = fn(tg.tensor(values))
    assert out.dtype == tg.int64
    assert out.tolist() == [wrap64(ref(v)) for v in values]


def test_int_pow_by_huge_exponents_is_exact():
    # The exponent reaches the kernel as an int64 (it used to become the double 2**63 first).
    x = tg.tensor([-1, 0, 1, 2, 3])
    assert (x ** MAX64).tolist() == [-1, 0, 1, 0, pow(3, MAX64, 2 ** 64) - 2 ** 64 * (pow(3, MAX64, 2 ** 64) >= 2 ** 63)]
    assert (x ** (2 ** 62)).tolist() == [1, 0, 1, 0, 1]
    assert (MAX64 ** tg.tensor([1, 0])).tolist() == [MAX64, 1]


# ---- Python ints reach int64 kernels exactly ----

EXACT = [MAX64, MIN64, 2 ** 53 + 1, -(2 ** 53) - 1, MAX64 - 1]


@pytest.mark.parametrize("v", EXACT)
def test_big_int_scalars_are_exact_everywhere(v):
    x = tg.tensor([0, 1, 2, 3])
    m = tg.tensor([True, False, True, False])
    assert x.clamp(max=v).tolist() == [min(i, v) for i in range(4)]
    assert x.clamp(min=v).tolist() == [max(i, v) for i in range(4)]
    assert x.clip(v, v).tolist() == [v] * 4
    assert tg.clamp(x, min=v).tolist() == [max(i, v) for i in range(4)]
    assert x.masked_fill(m, v).tolist() == [v, 1, v, 3]
    assert x.clone().masked_fill_(m, v).tolist() == [v, 1, v, 3]
    assert x.clone().fill_(v).tolist() == [v] * 4
    assert x.clone().fill_(tg.tensor(v)).tolist() == [v] * 4
    assert x.masked_fill(m, tg.tensor(v)).tolist() == [v, 1, v, 3]
    assert tg.full((2,), v).tolist() == [v] * 2
    assert tg.full((2,), v, dtype=tg.int64).tolist() == [v] * 2
    assert tg.full_like(x, v).tolist() == [v] * 4
    assert x.scatter(0, tg.tensor([1]), v).tolist() == [0, v, 2, 3]
    assert tg.where(m, x, v).tolist() == [0, v, 2, v]
    assert tg.where(m, v, 0).tolist() == [v, 0, v, 0]
    assert (x == v).tolist() == [i == v for i in range(4)]
    assert (x - v).tolist() == [wrap64(i - v) for i in range(4)]
    assert x.clone().add_(1, alpha=v).tolist() == [wrap64(i + v) for i in range(4)]
    assert x.clone().sub_(tg.ones(4, dtype=tg.int64), alpha=v).tolist() == [wrap64(i - v) for i in range(4)]


@pytest.mark.parametrize("fn", [
    lambda: tg.tensor([1, 2]).fill_(1e30),
    lambda: tg.tensor([1, 2]).fill_(math.nan),
    lambda: tg.tensor([1, 2]).fill_(-math.inf),
    lambda: tg.tensor([1, 2]).fill_(2.0 ** 63),
    lambda: tg.full_like(tg.tensor([1]), 1e30),
    lambda: tg.full_like(tg.tensor([1]), math.nan),
    lambda: tg.full((2,), math.inf, dtype=tg.int64),
    lambda: tg.tensor([1, 2]).masked_fill(tg.tensor([True, False]), math.inf),
    lambda: tg.tensor([1, 2]).masked_fill(tg.tensor([True, False]), tg.tensor(1e30)),
    lambda: tg.tensor([1, 2]).scatter(0, tg.tensor([0]), math.nan),
], ids=["fill_ 1e30", "fill_ nan", "fill_ -inf", "fill_ 2**63.", "full_like 1e30", "full_like nan", "full inf",
        "masked_fill inf", "masked_fill tensor 1e30", "scatter nan"])
def test_values_int64_cannot_hold_raise_torch_overflow_error(fn):
    with pytest.raises(RuntimeError, match=f"^{OVERFLOW_INT64}$"):
        fn()


@pytest.mark.parametrize("fn", [
    lambda: tg.ones(2).fill_(1e300),
    lambda: tg.full((2,), -1e39),
    lambda: tg.ones(2).masked_fill(tg.tensor([True, False]), 1e300),
    lambda: tg.ones(2).clamp(max=1e300),
    lambda: tg.ones(2).scatter(0, tg.tensor([0]), 1e300),
])
def test_values_float32_cannot_hold_raise_torch_overflow_error(fn):
    with pytest.raises(RuntimeError, match=f"^{OVERFLOW_FLOAT}$"):
        fn()


def test_failed_fill_leaves_tensor_and_version_unchanged():
    x = tg.tensor([1, 2])
    v = x._version
    for bad in (1e30, math.nan, math.inf):
        with pytest.raises(RuntimeError):
            x.fill_(bad)
        with pytest.raises(RuntimeError):
            x.masked_fill_(tg.tensor([True, True]), bad)
    assert x.tolist() == [1, 2] and x._version == v
    assert x.fill_(7).tolist() == [7, 7]


def test_values_that_fit_convert_as_torch_does():
    assert tg.ones(2).fill_(math.inf).tolist() == [math.inf] * 2
    assert math.isnan(tg.ones(1).fill_(math.nan).item())
    assert tg.tensor([True]).fill_(1e300).tolist() == [True]
    assert tg.full((1,), math.nan, dtype=tg.bool).tolist() == [True]
    assert tg.full((2,), 1.5, dtype=tg.int64).tolist() == [1, 1]
    assert tg.tensor([1, 2]).masked_fill(tg.tensor([True, False]), 1.5).tolist() == [1, 2]
    assert tg.full((2,), MAX64, dtype=tg.float32).tolist() == [2.0 ** 63] * 2
    assert tg.full((1,), 1e300, dtype=tg.float64).tolist() == [1e300]


def test_numpy_scalars_are_numbers():
    x = tg.tensor([0, 1, 2, 3])
    assert x.clamp(max=np.int64(MAX64)).tolist() == [0, 1, 2, 3]
    assert x.clone().fill_(np.int64(MAX64)).tolist() == [MAX64] * 4
    assert x.clamp(max=np.float32(1.5)).dtype == tg.float32
    assert tg.full((1,), np.bool_(True)).tolist() == [True]


def test_alpha_rules_follow_torch():
    with pytest.raises(RuntimeError, match="^For integral input tensors, argument alpha must not be a floating"):
        tg.tensor([1, 2]).add_(1, alpha=1.5)
    with pytest.raises(RuntimeError, match="^Boolean alpha only supported for Boolean results.$"):
        tg.tensor([1, 2]).add_(1, alpha=True)
    with pytest.raises(TypeError, match="argument 'alpha' must be Number, not str"):
        tg.ones(2).add_(1, alpha="a")
    assert tg.ones(2).add_(1, alpha=0.5).tolist() == [1.5, 1.5]
    assert tg.tensor([1.0]).add_(tg.tensor([2.0]), alpha=-1).tolist() == [-1.0]


# ---- number bounds promote (clamp(int, max=1.5) is floating) ----

def test_clamp_with_float_bound_promotes():
    assert tg.tensor([0, 1, 2, 3]).clamp(max=1.5).tolist() == [0.0, 1.0, 1.5, 1.5]
    assert tg.tensor([0, 1, 2, 3]).clamp(max=1.5).dtype == tg.float32
    assert tg.tensor([True, False]).clamp(max=0.5).tolist() == [0.5, 0.0]
    assert tg.tensor([True, False]).clamp(max=2).dtype == tg.int64
    assert tg.tensor([True, False]).clip(0.2, 0.7).tolist() == pytest.approx([0.7, 0.2])
    assert tg.clamp(tg.tensor(3), max=1.5).item() == 1.5
    assert all(math.isnan(v) for v in tg.tensor([1, 2]).clamp(min=math.nan).tolist())
    with pytest.raises(NotImplementedError, match="\"clamp_max_scalar_cpu\" not implemented for 'Bool'"):
        tg.tensor([True]).clamp(max=True)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type"):
        tg.tensor([1, 2]).clamp_(max=1.5)


def test_clamp_float_bound_keeps_gradient():
    x = tg.tensor([0.5, 2.0, 3.0], requires_grad=True)
    x.clamp(max=2 ** 62).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]


def test_lerp_refuses_integers_as_torch():
    a = tg.tensor([1, 2])
    with pytest.raises(NotImplementedError, match="\"lerp_kernel_scalar\" not implemented for 'Long'"):
        a.lerp(tg.tensor([3, 4]), 0.5)
    with pytest.raises(NotImplementedError, match="\"lerp_kernel_tensor\" not implemented for 'Long'"):
        a.lerp(tg.tensor([3, 4]), tg.tensor([1, 1]))
    assert tg.tensor([1.0, 2.0]).lerp(tg.tensor([3.0, 4.0]), True).tolist() == [3.0, 4.0]


# ---- arange counts in integers ----

@pytest.mark.parametrize("args", [
    (2 ** 62, 2 ** 62 + 3), (2 ** 53, 2 ** 53 + 5), (MIN64, MIN64 + 2), (MAX64 - 3, MAX64), (10, 0, -3),
    (0, 2 ** 62, 2 ** 61 + 1), (MAX64 - 1, MIN64, -(2 ** 62)), (-5, 6, 4),
])
def test_arange_with_int_bounds_is_exact(args):
    out = tg.arange(*args)
    assert out.dtype == tg.int64
    assert out.tolist() == list(range(*args))


def test_arange_of_tensors_and_bools():
    assert tg.arange(tg.tensor(3)).dtype == tg.int64
    assert tg.arange(tg.tensor(3)).tolist() == [0, 1, 2]
    assert tg.arange(tg.tensor(3.0)).dtype == tg.float32
    assert tg.arange(tg.tensor(1), tg.tensor(4)).tolist() == [1, 2, 3]
    assert tg.arange(tg.tensor(1), 5.5).tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert tg.arange(True).tolist() == [0]
    assert tg.arange(0, 5, 1.5).tolist() == [0.0, 1.5, 3.0, 4.5]
    assert tg.arange(0, 10, 3, dtype=tg.float64).tolist() == [0.0, 3.0, 6.0, 9.0]
    with pytest.raises(NotImplementedError, match="\"arange_cpu\" not implemented for 'Bool'"):
        tg.arange(5, dtype=tg.bool)
    with pytest.raises(RuntimeError, match="upper bound and lower bound inconsistent with step sign"):
        tg.arange(MAX64, MIN64)
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        tg.arange(0, 1, 0)


# ---- numpy data, dropout's p, as_tensor ----

def test_uint64_past_int64_is_refused_not_wrapped():
    with pytest.raises(RuntimeError, match="cannot be converted to type int64 without overflow"):
        tg.tensor(np.array([2 ** 64 - 1], np.uint64))
    with pytest.raises(RuntimeError, match="cannot be converted to type int64 without overflow"):
        tg.as_tensor(np.array([1, 2 ** 63], np.uint64))
    assert tg.tensor(np.array([MAX64, 0], np.uint64)).tolist() == [MAX64, 0]
    assert tg.tensor(np.array([], np.uint64)).tolist() == []
    assert tg.tensor(np.array([2 ** 32 - 1], np.uint32)).tolist() == [2 ** 32 - 1]


@pytest.mark.parametrize("training", [True, False])
def test_dropout_nan_probability_raises(training):
    with pytest.raises(RuntimeError, match="^dropout probability has to be between 0 and 1, but got nan$"):
        tg.nn.functional.dropout(tg.ones(3), p=math.nan, training=training)
    with pytest.raises(ValueError, match="but got 1.5$"):
        tg.nn.functional.dropout(tg.ones(3), p=1.5, training=training)


@pytest.mark.parametrize("np_dtype", [np.float32, np.float64, np.int64, np.bool_])
def test_as_tensor_shares_memory_with_an_ndarray_of_its_dtype(np_dtype):
    a = np.zeros(4, np_dtype)
    t = tg.as_tensor(a)
    a[1] = 1
    assert t.tolist()[1] == 1
    t[2] = 1
    assert a[2] == 1
    strided = np.zeros(8, np_dtype)[::2]
    s = tg.as_tensor(strided)
    strided[3] = 1
    assert s.tolist()[3] == 1
    same = tg.as_tensor(a, dtype=t.dtype)
    a[0] = 1
    assert same.tolist()[0] == 1


def test_as_tensor_copies_where_dtypes_differ_and_keeps_from_numpy_errors():
    a = np.zeros(3, np.float64)
    t = tg.as_tensor(a, dtype=tg.float32)
    a[0] = 5
    assert t.tolist()[0] == 0
    b = np.zeros(3, np.int32)  # no int32 in tapegrad: widened into a copy
    u = tg.as_tensor(b)
    b[0] = 5
    assert u.tolist()[0] == 0 and u.dtype == tg.int64
    with pytest.raises(ValueError, match="negative"):
        tg.as_tensor(np.arange(3.0)[::-1])
    with pytest.raises(ValueError, match="byte order"):
        tg.as_tensor(np.arange(3.0).astype(">f8"))
    ro = np.arange(3.0)
    ro.flags.writeable = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tg.as_tensor(ro)
    assert any("not writable" in str(w.message) for w in caught)


# ---- the promotion table, against PyTorch: every op that takes a number, every dtype pair ----

DTYPES = ["float32", "float64", "int64", "bool"]
NUMBERS = [True, False, 0, 2, -3, MAX64, MIN64, 2 ** 53 + 1, 1.5, -0.0, 1e30, math.inf, -math.inf, math.nan]
ZERO_DIM = [("bool", True), ("int64", 2), ("int64", MAX64), ("float32", 1.5), ("float64", -2.5)]


def _ops(L):
    """(name, fn(x, s)) for every op that takes a number or a 0-d tensor next to a tensor x."""
    m = L.tensor([True, False, True, False])
    return [
        ("clamp min", lambda x, s: x.clamp(min=s)), ("clamp max", lambda x, s: x.clamp(max=s)),
        ("clip both", lambda x, s: x.clip(s, s)), ("torch.clamp", lambda x, s: L.clamp(x, max=s)),
        ("where x s", lambda x, s: L.where(m, x, s)), ("where s x", lambda x, s: L.where(m, s, x)),
        ("masked_fill", lambda x, s: x.masked_fill(m, s)), ("masked_fill_", lambda x, s: x.clone().masked_fill_(m, s)),
        ("fill_", lambda x, s: x.clone().fill_(s)), ("full_like", lambda x, s: L.full_like(x, s)),
        ("lerp", lambda x, s: x.lerp(x.flip(0), s)),
        ("add", lambda x, s: x + s), ("radd", lambda x, s: s + x), ("sub", lambda x, s: x - s),
        ("rsub", lambda x, s: s - x), ("mul", lambda x, s: x * s), ("rmul", lambda x, s: s * x),
        ("div", lambda x, s: x / s), ("rdiv", lambda x, s: s / x), ("pow", lambda x, s: x ** s),
        ("rpow", lambda x, s: s ** x), ("floordiv", lambda x, s: x // s), ("mod", lambda x, s: x % s),
        ("eq", lambda x, s: x == s), ("lt", lambda x, s: x < s), ("ge", lambda x, s: x >= s),
        ("add_", lambda x, s: x.clone().add_(s)), ("mul_", lambda x, s: x.clone().mul_(s)),
        ("clamp_", lambda x, s: x.clone().clamp_(max=s)),
        ("scatter", lambda x, s: x.scatter(0, L.tensor([1]), s)),
        ("setitem", lambda x, s: _setitem(x, s)),
    ]


def _setitem(x, s):
    c = x.clone()
    c[1] = s
    return c


def _run(L, op, dtype, s):
    x = L.tensor([0, 1, 2, 3]).to(getattr(L, dtype))
    try:
        out = op(x, s)
    except Exception as e:  # noqa: BLE001 - compared against the oracle below
        return e
    return out


TABLE = [(name, dtype, s) for name in [n for n, _ in _ops(tg)] for dtype in DTYPES
         for s in NUMBERS + [("0-d", d, v) for d, v in ZERO_DIM]]


def test_promotion_table_matches_torch():
    torch = pytest.importorskip("torch")
    ours_ops, torch_ops = dict(_ops(tg)), dict(_ops(torch))
    mismatches = []
    for name, dtype, s in TABLE:
        if isinstance(s, tuple):
            s_ours, s_torch = tg.tensor(s[2], dtype=getattr(tg, s[1])), torch.tensor(s[2], dtype=getattr(torch, s[1]))
        else:
            s_ours = s_torch = s
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = _run(torch, torch_ops[name], dtype, s_torch)
            ours = _run(tg, ours_ops[name], dtype, s_ours)
        case = f"{name} {dtype} {s!r}"
        if isinstance(theirs, Exception):
            if not isinstance(ours, Exception) or type(ours).__name__ != type(theirs).__name__:
                mismatches.append(f"{case}: torch raised {type(theirs).__name__}({theirs}), ours gave {ours!r}")
            continue
        if isinstance(ours, Exception):
            mismatches.append(f"{case}: torch gave {theirs!r}, ours raised {type(ours).__name__}({ours})")
            continue
        if str(ours.dtype).split(".")[-1] != str(theirs.dtype).split(".")[-1]:
            mismatches.append(f"{case}: dtype {ours.dtype} vs torch {theirs.dtype}")
            continue
        a, b = np.asarray(ours.tolist()), np.asarray(theirs.tolist())
        if a.dtype.kind == "f" or b.dtype.kind == "f":
            ok = np.allclose(a.astype(float), b.astype(float), rtol=1e-6, atol=0, equal_nan=True)
        else:
            ok = a.tolist() == b.tolist()
        if not ok:
            mismatches.append(f"{case}: {ours.tolist()} vs torch {theirs.tolist()}")
    assert not mismatches, f"{len(mismatches)} of {len(TABLE)} differ:\n" + "\n".join(mismatches[:60])


def test_bool_number_in_subtraction_is_refused_for_floating_tensors_too():
    # The operator fast path used to turn True into 1.0 before Sub could see a bool.
    for fn in (lambda x: x - True, lambda x: False - x, lambda x: x.sub(True)):
        with pytest.raises(RuntimeError, match="^Subtraction, the `-` operator, with a bool tensor is not supported"):
            fn(tg.ones(2))


def test_assignment_of_a_number_is_checked_like_fill():
    x = tg.tensor([1, 2, 3])
    for key in (0, slice(0, 2), tg.tensor([True, False, True]), tg.tensor([0, 2])):
        with pytest.raises(RuntimeError, match=f"^{OVERFLOW_INT64}$"):
            x[key] = 1e30
        with pytest.raises(RuntimeError, match=f"^{OVERFLOW_INT64}$"):
            x[key] = math.nan
    assert x.tolist() == [1, 2, 3]
    x[0] = MAX64
    x[tg.tensor([False, True, False])] = MIN64
    assert x.tolist() == [MAX64, MIN64, 3]
    f = tg.ones(2)
    with pytest.raises(RuntimeError, match=f"^{OVERFLOW_FLOAT}$"):
        f[0] = 1e300
    with pytest.raises(RuntimeError, match=f"^{OVERFLOW_FLOAT}$"):
        f[tg.tensor([True, False])] = tg.tensor(3.5e38, dtype=tg.float64)


def test_where_stores_a_number_in_the_result_dtype():
    m = tg.tensor([True, False])
    assert tg.where(m, tg.tensor([1, 2]), MAX64).tolist() == [1, MAX64]
    assert tg.where(m, tg.tensor([1, 2]), 1.5).dtype == tg.float32
    with pytest.raises(RuntimeError, match=f"^{OVERFLOW_FLOAT}$"):
        tg.where(m, tg.ones(2), 1e300)
    with pytest.raises(RuntimeError, match=f"^{OVERFLOW_FLOAT}$"):
        tg.ones(2).where(m, 3.5e38)


def test_pow_and_lerp_follow_torch_at_the_edges():
    x = tg.tensor([-math.inf, -0.0, 4.0], dtype=tg.float64)
    out = (x ** 0.5).tolist()
    assert math.isnan(out[0]) and math.copysign(1, out[1]) == -1 and out[2] == 2.0
    assert (tg.tensor([-1.5]) ** (2 ** 53 - 1)).tolist() == [-math.inf]  # an odd exponent stays odd
    assert (tg.tensor([True, False]) ** True).tolist() == [True, False]
    assert (tg.tensor([True, False]) ** False).tolist() == [True, True]
    with pytest.raises(NotImplementedError, match="\"pow\" not implemented for 'Bool'"):
        tg.tensor([True]) ** tg.tensor([True])
    assert tg.ones(2).lerp(tg.zeros(2), tg.tensor(1)).tolist() == [0.0, 0.0]  # a 0-d weight promotes
    assert tg.tensor([1.0]).lerp(tg.tensor([3.0]), 1.0).tolist() == [3.0]
    with pytest.raises(RuntimeError, match=f"^{OVERFLOW_FLOAT}$"):
        tg.ones(2).lerp(tg.zeros(2), 1e300)


def test_float_floor_division_follows_python():
    x = tg.tensor([1.0, -1.0, 0.0, 7.0], dtype=tg.float64)
    assert (x // -math.inf).tolist() == [1.0 // -math.inf, -1.0 // -math.inf, 0.0 // -math.inf, 7.0 // -math.inf]
    assert (x // 0.1).tolist() == [1.0 // 0.1, -1.0 // 0.1, 0.0 // 0.1, 7.0 // 0.1]


def test_alpha_scales_in_the_result_dtype():
    assert tg.tensor([True, False]).add_(tg.tensor([True, True]), alpha=5).tolist() == [True, True]
    assert tg.ones(1, dtype=tg.float64).sub_(1, alpha=3.5e38).tolist() == [1 - 3.5e38]
    assert tg.tensor([1]).add_(1, alpha=tg.tensor(MAX64 - 1)).tolist() == [MAX64]
    with pytest.raises(RuntimeError, match=f"^{OVERFLOW_FLOAT}$"):
        tg.ones(1).add_(1, alpha=1e300)


def test_full_takes_a_0d_tensor_as_its_number():
    assert tg.full((2,), tg.tensor(MAX64)).tolist() == [MAX64] * 2
    assert tg.full((1,), tg.tensor(1.5)).dtype == tg.float32
    with pytest.raises(TypeError, match=r"^full_like\(\): argument 'fill_value' \(position 2\) must be Number, not Tensor$"):
        tg.full_like(tg.ones(2), tg.ones(2))


def test_constant_pad_value_is_exact_and_checked():
    F = tg.nn.functional
    assert F.pad(tg.tensor([1, 2]), (1, 1), value=MAX64).tolist() == [MAX64, 1, 2, MAX64]
    assert F.pad(tg.tensor([1, 2]), (1, 1), value=1.5).tolist() == [1, 1, 2, 1]
    with pytest.raises(RuntimeError, match=f"^{OVERFLOW_INT64}$"):
        F.pad(tg.tensor([1, 2]), (1, 1), value=1e30)
    with pytest.raises(RuntimeError, match=f"^{OVERFLOW_FLOAT}$"):
        F.pad(tg.ones(2), (1, 1), value=1e300)


def test_clamp_in_place_refuses_a_promoting_number_bound_with_torch_wording():
    with pytest.raises(RuntimeError, match="^result type Long can't be cast to the desired output type bool$"):
        tg.tensor([True]).clamp_(min=2)
    with pytest.raises(RuntimeError, match="^result type Float can't be cast to the desired output type long int$"):
        tg.tensor([1]).clip_(max=1.5)
    assert tg.tensor([1, 5]).clamp_(max=MAX64 - 1).tolist() == [1, 5]


@pytest.mark.parametrize("layout", ["contiguous", "columns", "rows", "strided", "big"])
def test_int64_sums_and_products_wrap(layout):
    # Undefined behaviour before (UBSan: signed integer overflow in reduce.cpp); PyTorch wraps.
    if layout == "contiguous":
        assert tg.tensor([MAX64, 1]).sum().item() == MIN64
    elif layout == "columns":
        assert tg.tensor([[MAX64, 2], [1, 3]]).sum(0).tolist() == [MIN64, 5]
    elif layout == "rows":
        assert tg.tensor([[MAX64, 1], [2, 3]]).sum(1).tolist() == [MIN64, 5]
    elif layout == "strided":
        assert tg.tensor([[MAX64, MAX64], [1, 1]]).t().sum(1).tolist() == [MIN64, MIN64]
    else:
        assert tg.full((100_000,), 2 ** 50).sum().item() == wrap64(100_000 * 2 ** 50)
    assert tg.tensor([2 ** 62, 4]).prod().item() == 0
    assert tg.tensor([[2 ** 62, 4], [3, 1]]).prod(1).tolist() == [0, 3]
