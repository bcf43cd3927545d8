"""The default float dtype (set_default_dtype / get_default_dtype) and dtype facts (finfo,
iinfo, promote_types, ...) as PyTorch has them."""
import numbers
import warnings
from typing import Any

import numpy as np

from . import _C, _creation
from ._C import Tensor, dtype


def set_default_dtype(d: Any) -> None:
    """float32 or float64 only, as in torch: creation functions, tensor(1.5), Python floats in
    arithmetic with int tensors and int -> float promotions (exp of an int tensor) follow it."""
    if not isinstance(d, dtype):
        raise TypeError("invalid dtype object: only floating-point types are supported as the default type")
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _C._set_default_dtype(d)
    _creation._FLOAT = d


def get_default_dtype() -> dtype:
    return _C._get_default_dtype()


# ---- dtype facts ----

def _check_dtype(value: Any, fname: str, arg: str, pos: int) -> None:
    if not isinstance(value, dtype):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be torch.dtype, not {type(value).__name__}")


class finfo:
    """Machine limits of a floating dtype (the default dtype when none is given), as torch.finfo."""
    bits: int
    eps: float
    max: float
    min: float
    tiny: float
    smallest_normal: float
    resolution: float
    dtype: str

    def __init__(self, type: Any = None) -> None:  # noqa: A002  (torch's name)
        if type is None:
            type = get_default_dtype()
        _check_dtype(type, "finfo", "type", 1)
        if not type.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            "'torch.finfo'")
        info = np.finfo(np.float32 if type == dtype.float32 else np.float64)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = type.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __hash__(self) -> int:
        return hash(("finfo", self.dtype))

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype, as torch.iinfo (bool is refused, as there)."""
    bits: int
    max: int
    min: int
    dtype: str

    def __init__(self, type: Any) -> None:  # noqa: A002
        _check_dtype(type, "iinfo", "type", 1)
        if type == dtype.bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type.is_floating_point:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'")
        self.bits, self.max, self.min, self.dtype = 64, 2 ** 63 - 1, -2 ** 63, type.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __hash__(self) -> int:
        return hash(("iinfo", self.dtype))

    def __repr__(self) -> str:
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"


finfo.__module__ = iinfo.__module__ = "tapegrad"

# PyTorch's categories: bool < integer < floating; within one, the wider dtype wins.
_RANK = {dtype.bool: 0, dtype.int64: 1, dtype.float32: 2, dtype.float64: 3}


def _category(d: dtype) -> int:
    return 0 if d == dtype.bool else 2 if d.is_floating_point else 1


def promote_types(type1: Any, type2: Any) -> dtype:
    _check_dtype(type1, "promote_types", "type1", 1)
    _check_dtype(type2, "promote_types", "type2", 2)
    return type1 if _RANK[type1] >= _RANK[type2] else type2


def can_cast(from_: Any, to: Any) -> bool:
    """torch's rule: no floating -> integral or bool, no non-bool -> bool; the rest may cast."""
    _check_dtype(from_, "can_cast", "from_", 1)
    _check_dtype(to, "can_cast", "to", 2)
    return _category(from_) <= _category(to)


def _operand_dtype(x: Any) -> Any:
    """(slot, dtype) of a result_type operand: dimensioned tensor 0, 0-d tensor 1, number 2."""
    if isinstance(x, Tensor):
        return (0 if x.dim() else 1), x.dtype
    if isinstance(x, bool):
        return 2, dtype.bool
    if isinstance(x, numbers.Integral):
        return 2, dtype.int64
    if isinstance(x, numbers.Real):
        return 2, get_default_dtype()
    return None


def result_type(tensor: Any, other: Any) -> dtype:
    """The dtype an elementwise op of `tensor` and `other` computes in: dimensioned tensors decide,
    then 0-d tensors, then Python numbers, each only where it is of a higher category."""
    a, b = _operand_dtype(tensor), _operand_dtype(other)
    if a is None or b is None:
        kinds = ["Tensor" if isinstance(v, Tensor) else type(v).__name__ for v in (tensor, other)]
        ok = [v is not None for v in (a, b)]

        def mark(expect_tensor: tuple) -> str:
            # torch's marks: arguments match up to the first that does not; it and the rest are marked
            out, failed = [], False
            for k, o, v, want in zip(kinds, ok, (tensor, other), expect_tensor):
                failed = failed or not (o and isinstance(v, Tensor) == want)
                out.append(f"!{k}!" if failed else k)
            return ", ".join(out)
        raise TypeError(
            f"result_type() received an invalid combination of arguments - got ({', '.join(kinds)}), but expected "
            "one of:\n"
            f" * (Tensor tensor, Tensor other)\n      didn't match because some of the arguments have invalid types: "
            f"({mark((True, True))})\n"
            f" * (Number scalar, Tensor tensor)\n      didn't match because some of the arguments have invalid types: "
            f"({mark((False, True))})\n"
            f" * (Tensor tensor, Number other)\n      didn't match because some of the arguments have invalid types: "
            f"({mark((True, False))})\n"
            f" * (Number scalar1, Number scalar2)\n      didn't match because some of the arguments have invalid "
            f"types: ({mark((False, False))})\n")
    slots: list = [None, None, None]
    for slot, d in (a, b):
        slots[slot] = d if slots[slot] is None else promote_types(slots[slot], d)

    def combine(higher: Any, lower: Any) -> Any:  # `higher` wins unless `lower` is of a higher category
        if higher is None or lower is None:
            return lower if higher is None else higher
        return promote_types(higher, lower) if _category(lower) > _category(higher) else higher

    return combine(slots[0], combine(slots[1], slots[2]))


def is_floating_point(input: Any) -> bool:
    if not isinstance(input, Tensor):
        raise TypeError(f"is_floating_point(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return input.dtype.is_floating_point


def is_complex(input: Any) -> bool:
    if not isinstance(input, Tensor):
        raise TypeError(f"is_complex(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return False


def is_nonzero(input: Any) -> bool:
    if not isinstance(input, Tensor):
        raise TypeError(f"is_nonzero(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return bool(input)


# ---- float32 matmul precision ----
# tapegrad's float32 matmul always computes in full float32 (no TF32 or bfloat16 passes); the
# setting is kept so that programs that set it (torch.set_float32_matmul_precision('high')) run.
_matmul_precision = "highest"


def get_float32_matmul_precision() -> str:
    return _matmul_precision


def set_float32_matmul_precision(precision: str) -> None:
    global _matmul_precision
    if not isinstance(precision, str):
        raise RuntimeError(f"set_float32_matmul_precision expects a str, but got {type(precision).__name__}")
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _matmul_precision = precision
