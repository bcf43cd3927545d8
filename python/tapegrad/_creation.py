"""Creation functions with PyTorch's signatures: sizes as varargs or one sequence, keyword
`dtype=` and `requires_grad=`. Data comes in through numpy; the buffers are the core's."""
import builtins
import numbers
from typing import Any, Callable, Optional, Sequence, Tuple, Union, cast

import numpy as np

from . import _C
from ._C import Tensor, dtype as _dtype

_FLOAT = _dtype.float32

# Sizes come as varargs, zeros(2, 3), or as one sequence, zeros((2, 3)) / zeros(x.shape).
SizeArg = Union[int, Sequence[int]]
Number = Union[builtins.float, int, builtins.bool]


def _sizes(size: Tuple[SizeArg, ...], fname: str) -> Tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return cast(Tuple[int, ...], size)  # ints (the _C call checks)


def _finish(t: Tensor, requires_grad: bool) -> Tensor:
    if requires_grad:
        if not t.dtype.is_floating_point:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad_(True)
    return t


def _check_nested(data: Any, dim: int = 0) -> None:
    """Raises PyTorch's errors for data numpy would accept or reject differently."""
    if data is None:
        raise RuntimeError("Could not infer dtype of NoneType")
    if isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    if isinstance(data, (list, tuple)):
        lengths = None
        for item in data:
            if isinstance(item, (list, tuple)):
                if lengths is None:
                    lengths = len(item)
                elif len(item) != lengths:
                    raise ValueError(f"expected sequence of length {lengths} at dim {dim + 1} (got {len(item)})")
            _check_nested(item, dim + 1)


def _infer_dtype(arr: np.ndarray) -> _dtype:
    kind = arr.dtype.kind
    if kind == "b":
        return _dtype.bool
    if kind in "iu":
        return _dtype.int64
    if kind == "f":
        return _dtype.float64 if arr.dtype.itemsize == 8 else _dtype.float32
    raise TypeError(f"can't convert np.ndarray of type numpy.{arr.dtype.name}. "
                    "The only supported types are: float64, float32, int64, and bool.")


def tensor(data: Any, dtype: Optional[_dtype] = None, requires_grad: builtins.bool = False,
           device: Any = None) -> Tensor:
    """A new tensor holding a copy of `data` (nested lists, numbers, numpy arrays, tensors)."""
    if isinstance(data, Tensor):
        arr = data.detach().numpy()
        inferred = data.dtype
    elif isinstance(data, np.ndarray):
        arr = data
        inferred = _infer_dtype(arr)
    else:
        _check_nested(data)
        arr = np.asarray(data)
        if arr.dtype.kind == "O":
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        # Python floats become the default dtype (float32), as in PyTorch.
        inferred = _FLOAT if arr.dtype.kind == "f" else _infer_dtype(arr)
    return _finish(_C._from_array(arr, dtype if dtype is not None else inferred), requires_grad)


def as_tensor(data: Any, dtype: Optional[_dtype] = None) -> Tensor:
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype):
        return data
    return tensor(data, dtype=dtype)


def zeros(*size: SizeArg, dtype: Optional[_dtype] = None, requires_grad: builtins.bool = False) -> Tensor:
    return full(_sizes(size, "zeros"), 0, dtype=dtype or _FLOAT, requires_grad=requires_grad)


def ones(*size: SizeArg, dtype: Optional[_dtype] = None, requires_grad: builtins.bool = False) -> Tensor:
    return full(_sizes(size, "ones"), 1, dtype=dtype or _FLOAT, requires_grad=requires_grad)


def empty(*size: SizeArg, dtype: Optional[_dtype] = None, requires_grad: builtins.bool = False) -> Tensor:
    return _finish(_C._empty(_sizes(size, "empty"), dtype or _FLOAT), requires_grad)


def full(size: Sequence[int], fill_value: Number, dtype: Optional[_dtype] = None,
         requires_grad: builtins.bool = False) -> Tensor:
    if dtype is None:
        if isinstance(fill_value, builtins.bool):
            dtype = _dtype.bool
        elif isinstance(fill_value, numbers.Integral):
            dtype = _dtype.int64
        else:
            dtype = _FLOAT
    if dtype == _dtype.int64 and isinstance(fill_value, numbers.Integral):
        return _finish(_C._full_int(tuple(size), int(fill_value)), requires_grad)
    return _finish(_C._full(tuple(size), builtins.float(fill_value), dtype), requires_grad)


def arange(start: Number, end: Optional[Number] = None, step: Number = 1, dtype: Optional[_dtype] = None,
           requires_grad: builtins.bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    if dtype is None:
        ints = all(isinstance(v, numbers.Integral) for v in (start, end, step))
        dtype = _dtype.int64 if ints else _FLOAT
    return _finish(_C._arange(builtins.float(start), builtins.float(end), builtins.float(step), dtype), requires_grad)


def rand(*size: SizeArg, dtype: Optional[_dtype] = None, requires_grad: builtins.bool = False) -> Tensor:
    return _finish(_C._rand(_sizes(size, "rand"), dtype or _FLOAT), requires_grad)


def randn(*size: SizeArg, dtype: Optional[_dtype] = None, requires_grad: builtins.bool = False) -> Tensor:
    return _finish(_C._randn(_sizes(size, "randn"), dtype or _FLOAT), requires_grad)


def linspace(start: Number, end: Number, steps: int, dtype: Optional[_dtype] = None,
             requires_grad: builtins.bool = False) -> Tensor:
    """`steps` evenly spaced values from start to end, both included."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    values = np.linspace(builtins.float(start), builtins.float(end), int(steps))
    return _finish(_C._from_array(values, dtype or _FLOAT), requires_grad)


def eye(n: int, m: Optional[int] = None, dtype: Optional[_dtype] = None,
        requires_grad: builtins.bool = False) -> Tensor:
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n if n < 0 else m}")
    return _finish(_C._from_array(np.eye(n, n if m is None else m), dtype or _FLOAT), requires_grad)


def randint(low: int, high: Union[int, Sequence[int], None] = None, size: Optional[Sequence[int]] = None,
            dtype: Optional[_dtype] = None, requires_grad: builtins.bool = False) -> Tensor:
    """Integers uniformly from [low, high), from the generator manual_seed seeds."""
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, cast(Sequence[int], high)
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    top = cast(int, high)
    if top <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={top}")
    u = _C._rand(tuple(size), _dtype.float64).numpy()
    values = np.minimum(np.floor(low + u * (top - low)), top - 1).astype(np.int64)
    return _finish(_C._from_array(values, dtype or _dtype.int64), requires_grad)


def zeros_like(input: Tensor, dtype: Optional[_dtype] = None, requires_grad: builtins.bool = False) -> Tensor:
    return zeros(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def ones_like(input: Tensor, dtype: Optional[_dtype] = None, requires_grad: builtins.bool = False) -> Tensor:
    return ones(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def empty_like(input: Tensor, dtype: Optional[_dtype] = None, requires_grad: builtins.bool = False) -> Tensor:
    return empty(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: Number, dtype: Optional[_dtype] = None,
              requires_grad: builtins.bool = False) -> Tensor:
    return full(input.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)


def rand_like(input: Tensor, dtype: Optional[_dtype] = None, requires_grad: builtins.bool = False) -> Tensor:
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, dtype: Optional[_dtype] = None, requires_grad: builtins.bool = False) -> Tensor:
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def _legacy(dtype_: _dtype, name: str) -> Callable[..., Tensor]:
    def make(*data_or_size: Any) -> Tensor:
        """Legacy constructor: Tensor(list_of_data) copies data, Tensor(2, 3) makes an
        uninitialised tensor of that size (as torch.FloatTensor does)."""
        args = data_or_size
        if len(args) == 1 and not isinstance(args[0], numbers.Integral):
            return tensor(args[0], dtype=dtype_)
        if not all(isinstance(a, numbers.Integral) for a in args):
            raise TypeError(f"{name}(): arguments must be a sequence of data or integer sizes")
        return empty(*args, dtype=dtype_)

    make.__name__ = name
    return make


FloatTensor = _legacy(_dtype.float32, "FloatTensor")
DoubleTensor = _legacy(_dtype.float64, "DoubleTensor")
LongTensor = _legacy(_dtype.int64, "LongTensor")
BoolTensor = _legacy(_dtype.bool, "BoolTensor")
