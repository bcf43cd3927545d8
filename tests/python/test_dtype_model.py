"""dtype facts as torch 2.13 has them: finfo/iinfo, promote_types, can_cast and result_type over
every pair of tapegrad's dtypes (and Python numbers, 0-d and dimensioned tensors), is_floating_point,
dtype attributes."""
import itertools

import pytest

import tapegrad as tg

torch = pytest.importorskip("torch")

DTYPES = ["bool", "int64", "float32", "float64"]


def name(d):
    return repr(d).replace("torch.", "").replace("tapegrad.", "")


def outcome(fn, L):
    try:
        r = fn(L)
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return "ok", repr(r).replace("torch.", "tapegrad.")


def same(fn):
    got = outcome(fn, tg)
    assert got == outcome(fn, torch)
    return got


@pytest.mark.parametrize("a,b", list(itertools.product(DTYPES, DTYPES)))
def test_promote_types_and_can_cast_table(a, b):
    same(lambda L: L.promote_types(getattr(L, a), getattr(L, b)))
    same(lambda L: L.can_cast(getattr(L, a), getattr(L, b)))


def _operands(L):
    """Every kind of result_type operand: dimensioned and 0-d tensors of each dtype, numbers."""
    ops = {}
    for d in DTYPES:
        ops[f"{d}[2]"] = L.zeros(2, dtype=getattr(L, d))
        ops[f"{d}[]"] = L.zeros((), dtype=getattr(L, d))
    ops.update({"True": True, "3": 3, "1.5": 1.5})
    return ops


OPERANDS = list(_operands(tg))


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_result_type_table(default):
    mismatches = []
    for L in (tg, torch):
        L.set_default_dtype(getattr(L, default))
    try:
        for a, b in itertools.product(OPERANDS, OPERANDS):
            got = outcome(lambda L: L.result_type(_operands(L)[a], _operands(L)[b]), tg)
            want = outcome(lambda L: L.result_type(_operands(L)[a], _operands(L)[b]), torch)
            if got != want:
                mismatches.append((a, b, got, want))
    finally:
        for L in (tg, torch):
            L.set_default_dtype(L.float32)
    assert not mismatches


@pytest.mark.parametrize("a,b", list(itertools.product(OPERANDS, OPERANDS))[::7])
def test_result_type_is_what_add_computes_in(a, b):
    x, y = _operands(tg)[a], _operands(tg)[b]
    if isinstance(x, tg.Tensor) or isinstance(y, tg.Tensor):
        if x is True and y is True:
            return
        assert tg.result_type(x, y) == (x * y if isinstance(x, tg.Tensor) else y * x).dtype


CASES = {
    "finfo32": lambda L: (repr(L.finfo(L.float32)), L.finfo(L.float32).bits, L.finfo(L.float32).eps,
                          L.finfo(L.float32).max, L.finfo(L.float32).min, L.finfo(L.float32).tiny,
                          L.finfo(L.float32).smallest_normal, L.finfo(L.float32).resolution, L.finfo(L.float32).dtype),
    "finfo64": lambda L: (repr(L.finfo(L.float64)), L.finfo(L.float64).eps, L.finfo(L.float64).tiny),
    "finfo default": lambda L: repr(L.finfo()),
    "finfo eq": lambda L: (L.finfo(L.float32) == L.finfo(L.float32), L.finfo(L.float32) == L.finfo(L.float64)),
    "finfo int": lambda L: L.finfo(L.int64),
    "finfo bool": lambda L: L.finfo(L.bool),
    "finfo str": lambda L: L.finfo("float"),
    "iinfo64": lambda L: (repr(L.iinfo(L.int64)), L.iinfo(L.int64).bits, L.iinfo(L.int64).max,
                          L.iinfo(L.int64).min, L.iinfo(L.int64).dtype),
    "iinfo bool": lambda L: L.iinfo(L.bool),
    "iinfo float": lambda L: L.iinfo(L.float32),
    "is_floating_point": lambda L: (L.is_floating_point(L.zeros(1)), L.is_floating_point(L.zeros(1, dtype=L.int64)),
                                    L.zeros(1).is_floating_point(), L.is_floating_point(input=L.ones(1))),
    "is_floating_point number": lambda L: L.is_floating_point(1.0),
    "is_tensor": lambda L: (L.is_tensor(L.zeros(1)), L.is_tensor(1.0), L.is_tensor([1])),
    "is_complex": lambda L: L.is_complex(L.zeros(1)),
    "is_nonzero": lambda L: (L.is_nonzero(L.ones(1)), L.is_nonzero(L.zeros(())), L.is_nonzero(L.tensor([False]))),
    "is_nonzero many": lambda L: L.is_nonzero(L.ones(2)),
    "is_nonzero empty": lambda L: L.is_nonzero(L.ones(0)),
    "dtype attributes": lambda L: [(d.is_floating_point, d.is_signed, d.itemsize, d.is_complex)
                                   for d in (L.bool, L.int64, L.float32, L.float64)],
    "promote bad": lambda L: L.promote_types(L.int64, "a"),
    "can_cast bad": lambda L: L.can_cast(L.int64, "a"),
    "can_cast kw": lambda L: L.can_cast(from_=L.int64, to=L.bool),
    "promote kw": lambda L: L.promote_types(type1=L.int64, type2=L.bool),
    "result_type kw": lambda L: L.result_type(tensor=L.zeros(1), other=1),
    "result_type numbers": lambda L: (L.result_type(1, 1.0), L.result_type(True, 1), L.result_type(True, False)),
    "result_type str": lambda L: L.result_type("a", 1),
    "result_type tensor str": lambda L: L.result_type(L.zeros(1), "a"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_dtype_facts_as_torch(case):
    same(CASES[case])
