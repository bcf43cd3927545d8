"""Creation functions with PyTorch's signatures: sizes as varargs or one sequence, keyword
`dtype=` and `requires_grad=`. Data comes in through numpy; the buffers are the core's."""
import builtins
import math
import numbers
from typing import Any, Callable, Optional, Sequence, Tuple, Union, cast
import warnings

import numpy as np

from . import _C, _device as _dv
from ._C import Tensor, dtype as _dtype

# The default float dtype; tapegrad.set_default_dtype rebinds it (and the core's, which Python
# floats in arithmetic and int -> float promotions read). Read at each call, as a global.
_FLOAT = _dtype.float32

# Sizes come as varargs, zeros(2, 3), or as one sequence, zeros((2, 3)) / zeros(x.shape).
SizeArg = Union[int, Sequence[int]]
Number = Union[builtins.float, int, builtins.bool]

_INT64_MIN, _INT64_MAX = -2 ** 63, 2 ** 63 - 1


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, builtins.bool) or (
        hasattr(v, "__index__") and not isinstance(v, (builtins.bool, float, Tensor, _dtype)))


def _sizes(size: Sequence[Any], fname: str) -> Tuple[int, ...]:
    """Sizes given as varargs or as one sequence, checked with PyTorch's argument errors."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    # The usual case, plain ints, without the checks below (each isinstance against
    # numbers.Integral costs more than the tensor the sizes are for).
    for s in size:
        if type(s) is not int or not _INT64_MIN <= s <= _INT64_MAX:
            break
    else:
        return tuple(size)
    if len(size) == 1 and not _is_int(size[0]):
        raise TypeError(f"{fname}(): argument 'size' (position 1) must be tuple of ints, not {type(size[0]).__name__}")
    for pos, s in enumerate(size, 1):
        if not _is_int(s):
            raise TypeError(f"{fname}(): argument 'size' failed to unpack the object at pos {pos} with error "
                            f"\"type must be tuple of ints,but got {type(s).__name__}\"")
        if not _INT64_MIN <= s.__index__() <= _INT64_MAX:
            raise TypeError(f"{fname}(): argument 'size' failed to unpack the object at pos {pos} with error "
                            "\"Overflow when unpacking long long\"")
    return tuple(s.__index__() for s in size)


def _finish(t: Tensor, requires_grad: bool) -> Tensor:
    if requires_grad:
        if not t.dtype.is_floating_point:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad_(True)
    return t


def _is_sequence(obj):
    return isinstance(obj, (list, tuple, range)) or (isinstance(obj, np.ndarray) and obj.ndim > 0)


def _infer_kind(obj):
    """PyTorch's scalar-type inference over nested data: "b", "i", "f" (or a dtype for tensors and
    arrays), raising its errors for what cannot be tensor data."""
    if isinstance(obj, builtins.bool):
        return "b"
    if isinstance(obj, numbers.Integral):
        return "i"
    if isinstance(obj, float):
        return "f"
    if isinstance(obj, (Tensor, np.ndarray, np.generic)):
        return "a"
    if isinstance(obj, str):
        raise TypeError("new(): invalid data type 'str'")
    if _is_sequence(obj):
        kinds = {_infer_kind(item) for item in obj}
        return "f" if "f" in kinds or "a" in kinds else "i" if "i" in kinds else "b" if kinds else "f"
    raise RuntimeError(f"Could not infer dtype of {type(obj).__name__}")


def _check_data(data, kind=None):
    """Raises PyTorch's error for nested data it refuses (numpy accepts some, or words them
    differently): sizes from the first element of every level, then the scalar types of all
    elements (unless a dtype gives the kind), then every element against those sizes.
    Returns (sizes, kind)."""
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    sizes, obj = [], data
    while _is_sequence(obj) or (sizes and isinstance(obj, str)):
        if isinstance(obj, str):  # a sequence of strs without end, unless empty
            if obj:
                raise ValueError("too many dimensions 'str'")
            sizes.append(0)
            break
        sizes.append(len(obj))
        if not len(obj):
            break
        obj = obj[0]
    if kind is None:
        kind = _infer_kind(data)
    if 0 in sizes:
        return sizes, kind  # PyTorch stores nothing, so checks nothing past the first elements

    def store(obj, dim):
        if dim == len(sizes):
            if isinstance(obj, numbers.Number) and not isinstance(obj, complex) or isinstance(obj, (Tensor, np.generic)):
                if kind == "i" and isinstance(obj, numbers.Integral) and not _INT64_MIN <= obj <= _INT64_MAX:
                    raise ValueError("Overflow when unpacking long long")
                if kind == "i" and isinstance(obj, float) and not (math.isfinite(obj) and abs(obj) < 2.0 ** 63):
                    raise RuntimeError("value cannot be converted to type int64 without overflow")
                return
            name = type(obj).__name__
            raise TypeError(f"must be real number, not {name}" if kind == "f"
                            else f"'{name}' object cannot be interpreted as an integer")
        if not (_is_sequence(obj) or isinstance(obj, str)):  # a str is a sequence of strs here
            raise TypeError("not a sequence")
        if len(obj) != sizes[dim]:
            raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(obj)})")
        for item in obj:
            store(item, dim + 1)

    store(data, 0)
    return sizes, kind


def _infer_dtype(arr: np.ndarray) -> _dtype:
    kind = arr.dtype.kind
    if kind == "b":
        return _dtype.bool
    if kind in "iu":
        return _dtype.int64
    if kind == "f":
        return _dtype.float64 if arr.dtype.itemsize == 8 else _dtype.float32
    raise TypeError(f"can't convert np.ndarray of type numpy.{arr.dtype.type.__name__}. "
                    "The only supported types are: float64, float32, int64, and bool.")


_KIND_OF = {_dtype.int64: "i", _dtype.bool: "b", _dtype.float32: "f", _dtype.float64: "f"}


def _from_numbers(data, dtype):
    """Nested Python numbers as an ndarray of a kind tapegrad has, or PyTorch's error. numpy
    converts the common case; what it refuses or keeps as objects goes through _check_data."""
    kind = _KIND_OF.get(dtype)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy's own complaints about ragged or odd data
            arr = np.asarray(data)
    except (ValueError, TypeError, OverflowError):
        arr = None
    if arr is not None and arr.dtype.kind in "bif":
        big = arr.dtype.kind == "f" and arr.size and not (np.isfinite(arr).all() and
                                                          (np.abs(arr) < 9.223372036854775807e18).all())
        if big and kind == "i":
            _check_data(data, kind)  # a Python int past int64 is its own error
            raise RuntimeError("value cannot be converted to type int64 without overflow")
        if big and kind is None:
            _check_data(data)  # numpy makes floats of ints past int64 (PyTorch refuses them)
        return arr
    sizes, kind = _check_data(data, kind)
    np_dtype = {"b": np.bool_, "i": np.int64}.get(kind, np.float64)
    if 0 in sizes:  # ragged past an empty first element: PyTorch makes an empty tensor
        return np.zeros(sizes, dtype=np_dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(data, dtype=np_dtype)


def tensor(data: Any, dtype: Optional[_dtype] = None, device: Any = None, requires_grad: builtins.bool = False,
           pin_memory: builtins.bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (nested lists, numbers, numpy arrays, tensors)."""
    if device is not None or not _dv._default_is_cpu:
        _dv.check(device, "tensor")
    if dtype is not None and not isinstance(dtype, _dtype):
        raise TypeError(f"tensor(): argument 'dtype' must be tapegrad.dtype, not {type(dtype).__name__}")
    if isinstance(data, Tensor):
        arr = data.detach().numpy()
        inferred = data.dtype
    elif isinstance(data, (np.ndarray, np.generic)):
        arr = np.asarray(data)
        inferred = _infer_dtype(arr)
    else:
        fast = _C._tensor_from_numbers(data, dtype)  # plain nested lists of numbers, without numpy
        if fast is not None:
            return _finish(fast, requires_grad)
        arr = _from_numbers(data, dtype)
        # Python floats become the default dtype (float32), as in PyTorch.
        inferred = _FLOAT if arr.dtype.kind == "f" else _infer_dtype(arr)
    return _finish(_C._from_array(arr, dtype if dtype is not None else inferred), requires_grad)


# numpy dtypes a tensor can share memory with: the array's own dtype, no conversion.
_SHAREABLE = {np.dtype(np.float32): _dtype.float32, np.dtype(np.float64): _dtype.float64,
              np.dtype(np.int64): _dtype.int64, np.dtype(np.bool_): _dtype.bool}


def as_tensor(data: Any, dtype: Optional[_dtype] = None, device: Any = None) -> Tensor:
    """`data` itself when it is a tensor of that dtype; an ndarray of a dtype tapegrad has
    shares its memory (as from_numpy does, with its errors and warning); else a copy."""
    if device is not None or not _dv._default_is_cpu:
        _dv.check(device, "as_tensor")
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype):
        return data
    if isinstance(data, np.ndarray):
        own = _SHAREABLE.get(data.dtype.newbyteorder("="))  # a foreign byte order: from_numpy's error
        if own is not None and (dtype is None or dtype == own):
            return _C.from_numpy(data)
    return tensor(data, dtype=dtype)


def zeros(*size: SizeArg, dtype: Optional[_dtype] = None, device: Any = None,
          requires_grad: builtins.bool = False) -> Tensor:
    if device is not None or not _dv._default_is_cpu:
        _dv.check(device, "zeros")
    dims = _sizes(size, "zeros")
    if dims and min(dims) < 0:
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    return _filled(dims, 0, dtype or _FLOAT, requires_grad)


def ones(*size: SizeArg, dtype: Optional[_dtype] = None, device: Any = None,
          requires_grad: builtins.bool = False) -> Tensor:
    if device is not None or not _dv._default_is_cpu:
        _dv.check(device, "ones")
    return _filled(_sizes(size, "ones"), 1, dtype or _FLOAT, requires_grad)


def _filled(size: Tuple[int, ...], value: Number, dtype: _dtype, requires_grad: builtins.bool,
            fname: str = "full") -> Tensor:
    """full() once its sizes are checked and its dtype is known (zeros and ones come straight here).
    The number goes to the core as it is: an int is never rounded through a float, and a value
    the dtype cannot hold (1e30 into int64) gets PyTorch's overflow error there."""
    if isinstance(value, Tensor):  # a 0-d tensor is a number to PyTorch's argument parser
        if value.dim() != 0:
            raise TypeError(f"{fname}(): argument 'fill_value' (position 2) must be Number, not Tensor")
        value = value.item()
    return _finish(_C._full(size, value, dtype), requires_grad)


def empty(*size: SizeArg, dtype: Optional[_dtype] = None, device: Any = None,
          requires_grad: builtins.bool = False) -> Tensor:
    if device is not None or not _dv._default_is_cpu:
        _dv.check(device, "empty")
    return _finish(_C._empty(_sizes(size, "empty"), dtype or _FLOAT), requires_grad)


def full(size: Sequence[int], fill_value: Number, dtype: Optional[_dtype] = None, device: Any = None,
         requires_grad: builtins.bool = False) -> Tensor:
    if device is not None or not _dv._default_is_cpu:
        _dv.check(device, "full")
    size = _sizes((size,) if isinstance(size, (tuple, list)) else size, "full")
    if isinstance(fill_value, Tensor) and fill_value.dim() == 0:
        fill_value = fill_value.item()  # its number decides the dtype, as in PyTorch
    if dtype is None:
        if isinstance(fill_value, builtins.bool):
            dtype = _dtype.bool
        elif isinstance(fill_value, numbers.Integral):
            dtype = _dtype.int64
        else:
            dtype = _FLOAT
    return _filled(tuple(size), fill_value, dtype, requires_grad)


def arange(start: Number, end: Optional[Number] = None, step: Number = 1, dtype: Optional[_dtype] = None,
           device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
    if device is not None or not _dv._default_is_cpu:
        _dv.check(device, "arange")
    if end is None:
        start, end = 0, start
    # 0-d tensors count as their numbers (arange(T.tensor(3)) is int64, as in PyTorch).
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if dtype is None:
        # isinstance(v, int) first: the ABC check alone costs more than the arange itself.
        ints = all(isinstance(v, int) or isinstance(v, numbers.Integral) for v in (start, end, step))
        dtype = _dtype.int64 if ints else _FLOAT
    # The numbers go as they are: int bounds count in int64 in the core, exactly.
    return _finish(_C._arange(start, end, step, dtype), requires_grad)


def rand(*size: SizeArg, generator: Optional[_C.Generator] = None, dtype: Optional[_dtype] = None,
          device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
    if device is not None or not _dv._default_is_cpu:
        _dv.check(device, "rand")
    if generator is not None and not isinstance(generator, _C.Generator):
        raise TypeError(f"rand(): argument 'generator' must be torch.Generator, not {type(generator).__name__}")
    return _finish(_C._rand(_sizes(size, "rand"), dtype or _FLOAT, generator), requires_grad)


def randn(*size: SizeArg, generator: Optional[_C.Generator] = None, dtype: Optional[_dtype] = None,
          device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
    if device is not None or not _dv._default_is_cpu:
        _dv.check(device, "randn")
    if generator is not None and not isinstance(generator, _C.Generator):
        raise TypeError(f"randn(): argument 'generator' must be torch.Generator, not {type(generator).__name__}")
    return _finish(_C._randn(_sizes(size, "randn"), dtype or _FLOAT, generator), requires_grad)


def linspace(start: Number, end: Number, steps: int, dtype: Optional[_dtype] = None, device: Any = None,
             requires_grad: builtins.bool = False) -> Tensor:
    """`steps` evenly spaced values from start to end, both included."""
    if device is not None or not _dv._default_is_cpu:
        _dv.check(device, "linspace")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    _C._empty((int(steps),), dtype or _FLOAT)  # a size that cannot be allocated fails here, with the byte count
    values = np.linspace(builtins.float(start), builtins.float(end), int(steps))
    return _finish(_C._from_array(values, dtype or _FLOAT), requires_grad)


def eye(n: int, m: Optional[int] = None, dtype: Optional[_dtype] = None, device: Any = None,
        requires_grad: builtins.bool = False) -> Tensor:
    if device is not None or not _dv._default_is_cpu:
        _dv.check(device, "eye")
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    _C._empty((n, n if m is None else m), dtype or _FLOAT)  # fails here, with the byte count, when too big
    return _finish(_C._from_array(np.eye(n, n if m is None else m), dtype or _FLOAT), requires_grad)


def randint(low: int, high: Union[int, Sequence[int], None] = None, size: Optional[Sequence[int]] = None,
            generator: Optional[_C.Generator] = None, dtype: Optional[_dtype] = None, device: Any = None,
            requires_grad: builtins.bool = False) -> Tensor:
    """Integers uniformly from [low, high), from the generator manual_seed seeds."""
    if device is not None or not _dv._default_is_cpu:
        _dv.check(device, "randint")
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, cast(Sequence[int], high)
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    size = _sizes((size,) if isinstance(size, (tuple, list)) else size, "randint")
    top = cast(int, high)
    if top <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={top}")
    if generator is not None and not isinstance(generator, _C.Generator):
        raise TypeError(f"randint(): argument 'generator' must be torch.Generator, not {type(generator).__name__}")
    u = _C._rand(tuple(size), _dtype.float64, generator).numpy()
    values = np.minimum(np.floor(low + u * (top - low)), top - 1).astype(np.int64)
    return _finish(_C._from_array(values, dtype or _dtype.int64), requires_grad)


# A tensor's shape needs no parsing or checking: the *_like functions go straight to the core.
def zeros_like(input: Tensor, dtype: Optional[_dtype] = None, device: Any = None,
        requires_grad: builtins.bool = False) -> Tensor:
    if device is not None:
        _dv.check(device, "zeros_like")
    return _filled(input.shape, 0, dtype or input.dtype, requires_grad)


def ones_like(input: Tensor, dtype: Optional[_dtype] = None, device: Any = None,
        requires_grad: builtins.bool = False) -> Tensor:
    if device is not None:
        _dv.check(device, "ones_like")
    return _filled(input.shape, 1, dtype or input.dtype, requires_grad)


def empty_like(input: Tensor, dtype: Optional[_dtype] = None, device: Any = None,
        requires_grad: builtins.bool = False) -> Tensor:
    if device is not None:
        _dv.check(device, "empty_like")
    return _finish(_C._empty(input.shape, dtype or input.dtype), requires_grad)


def full_like(input: Tensor, fill_value: Number, dtype: Optional[_dtype] = None, device: Any = None,
              requires_grad: builtins.bool = False) -> Tensor:
    if device is not None:
        _dv.check(device, "full_like")
    return _filled(input.shape, fill_value, dtype or input.dtype, requires_grad, "full_like")


def rand_like(input: Tensor, dtype: Optional[_dtype] = None, device: Any = None,
        requires_grad: builtins.bool = False, generator: Optional[_C.Generator] = None) -> Tensor:
    if device is not None:
        _dv.check(device, "rand_like")
    return rand(input.shape, generator=generator, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, dtype: Optional[_dtype] = None, device: Any = None,
        requires_grad: builtins.bool = False, generator: Optional[_C.Generator] = None) -> Tensor:
    if device is not None:
        _dv.check(device, "randn_like")
    return randn(input.shape, generator=generator, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input: Tensor, low: int = 0, high: Optional[int] = None, *, dtype: Optional[_dtype] = None,
                 device: Any = None, requires_grad: builtins.bool = False,
                 generator: Optional[_C.Generator] = None) -> Tensor:
    """Integers from [low, high) (randint_like(x, high) counts from 0) in input's shape and dtype."""
    if device is not None:
        _dv.check(device, "randint_like")
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, generator=generator, dtype=dtype or input.dtype,
                   requires_grad=requires_grad)
