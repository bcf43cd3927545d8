"""PyTorch's legacy constructors and type strings: tapegrad.Tensor(data) / Tensor(*sizes) /
Tensor(size) / Tensor(other), FloatTensor & co. (classes that isinstance() checks by dtype),
Tensor.new / new_tensor / new_zeros / new_ones / new_full / new_empty, and Tensor.type().

Tensor.type() returns torch's own strings ('torch.FloatTensor'): programs compare
`x.type() == 'torch.FloatTensor'`, so the module name is torch's on purpose, and type() accepts
both 'torch.X' and 'tapegrad.X' spellings.

tapegrad.Tensor is the C++ class; construction goes through __new__ installed here (only the
call Tensor(...) runs it: tensors made by ops never do), so no other path pays for it."""
import builtins
import numbers
import warnings
from typing import Any, Dict, Optional, Tuple

import numpy as np

from . import _creation, _device
from ._C import Tensor, dtype as _dtype
from ._size import Size

# dtype -> legacy class name, and the C++ scalar name torch's TensorOptions error prints.
_NAMES = {_dtype.float32: "FloatTensor", _dtype.float64: "DoubleTensor", _dtype.int64: "LongTensor",
          _dtype.bool: "BoolTensor"}
_SCALAR = {_dtype.float32: "float", _dtype.float64: "double", _dtype.int64: "long int", _dtype.bool: "bool"}
_BY_NAME = {v: k for k, v in _NAMES.items()}

_OVERLOADS = (" * (*, torch.device device = None)\n * (torch.Storage storage)\n * (Tensor other)\n"
              " * (tuple of ints size, *, torch.device device = None)\n"
              " * (object data, *, torch.device device = None)\n")


def _invalid(args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> TypeError:
    def kind(v: Any) -> str:
        return "torch.dtype" if isinstance(v, _dtype) else "Tensor" if isinstance(v, Tensor) else type(v).__name__
    got = [kind(a) for a in args] + [f"{k}={kind(v)}" for k, v in kwargs.items()]
    return TypeError(f"new() received an invalid combination of arguments - got ({', '.join(got)}), "
                     f"but expected one of:\n{_OVERLOADS}")


def _is_size(v: Any) -> bool:
    return (isinstance(v, numbers.Integral) or hasattr(v, "__index__")) and not isinstance(
        v, (builtins.bool, Tensor, np.ndarray))


def _options_error(want: _dtype, got: _dtype) -> TypeError:
    def opts(d: _dtype) -> str:
        return (f"TensorOptions(dtype={_SCALAR[d]}, device=cpu, layout=Strided, requires_grad=false (default), "
                "pinned_memory=false (default), memory_format=(nullopt))")
    return TypeError(f"expected {opts(want)} (got {opts(got)})")


def legacy_new(dtype: Optional[_dtype], args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Tensor:
    """What torch.Tensor(...) (dtype None: the default dtype) and torch.FloatTensor(...) make."""
    kwargs = dict(kwargs)
    device = kwargs.pop("device", None)
    if "size" in kwargs and not args:
        args = tuple(kwargs.pop("size"))
    elif "data" in kwargs and not args:
        args = (kwargs.pop("data"),)
    if kwargs:
        raise _invalid(args, kwargs)
    if device is not None:
        kind = device.type if isinstance(device, _device.device) else _device.device(device).type
        if kind != "cpu":
            raise RuntimeError(f"legacy constructor expects device type: cpu but device type: {kind} was passed")
    target = dtype if dtype is not None else _creation._FLOAT
    if not args:
        return _creation.empty(0, dtype=target)
    if len(args) == 1 and isinstance(args[0], Tensor):
        other = args[0]
        if device is not None:
            raise RuntimeError("Legacy tensor constructor of the form torch.Tensor(tensor, device=device) is not "
                               "supported.  Use torch.tensor(...) or torch.as_tensor(...) instead.")
        if dtype is not None and other.dtype != dtype:
            raise _options_error(dtype, other.dtype)
        return other.view_as(other)  # an alias sharing other's memory, as torch's
    if len(args) == 1 and isinstance(args[0], Size):
        return _creation.empty(*args[0], dtype=target)
    if all(_is_size(a) for a in args):
        sizes = tuple(a.__index__() for a in args)
        for s in sizes:
            if s < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(sizes)}")
        return _creation.empty(*sizes, dtype=target)
    if len(args) == 1:
        data = args[0]
        if isinstance(data, str):
            raise TypeError("new(): invalid data type 'str'")
        if not isinstance(data, (list, tuple, range, np.ndarray)) or (isinstance(data, np.ndarray) and data.ndim == 0):
            what = ("numpy." if isinstance(data, np.generic) else "") + type(data).__name__
            raise TypeError(f"new(): data must be a sequence (got {what})")
        return _creation.tensor(data, dtype=target)
    if _is_size(args[0]):
        for pos, a in enumerate(args, 1):
            if not _is_size(a):
                raise TypeError(f"new(): argument 'size' failed to unpack the object at pos {pos} with error "
                                f"\"type must be tuple of ints,but got {type(a).__name__}\"")
    raise _invalid(args, {})


class _TensorType(type):
    """The metaclass of FloatTensor & co.: isinstance(x, FloatTensor) is a dtype check, as in torch."""
    dtype: _dtype

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __call__(cls, *args: Any, **kwargs: Any) -> Tensor:
        return legacy_new(cls.dtype, args, kwargs)

    def __repr__(cls) -> str:
        return f"<class 'tapegrad.{cls.__name__}'>"


def _tensor_type(d: _dtype) -> _TensorType:
    return _TensorType(_NAMES[d], (), {"dtype": d, "__module__": "tapegrad",
                                       "__doc__": f"Legacy constructor of {d.name} tensors: data or sizes."})


FloatTensor = _tensor_type(_dtype.float32)
DoubleTensor = _tensor_type(_dtype.float64)
LongTensor = _tensor_type(_dtype.int64)
BoolTensor = _tensor_type(_dtype.bool)
_CLASSES = {c.dtype: c for c in (FloatTensor, DoubleTensor, LongTensor, BoolTensor)}

_CUDA_TYPE_ERROR = (
    "Cannot initialize CUDA without ATen_cuda library. PyTorch splits its backend into two shared libraries: a "
    "CPU library and a CUDA library; this error has occurred because you are trying to use some CUDA "
    "functionality, but the CUDA library has not been loaded by the dynamic linker for some reason.  The CUDA "
    "library MUST be loaded, EVEN IF you don't directly use any symbols from the CUDA library! One common culprit "
    "is a lack of -Wl,--no-as-needed in your link arguments; many dynamic linkers will delete dynamic library "
    "dependencies if you don't depend on any of their symbols.  You can check if this has occurred by using ldd "
    "on your binary to see if there is a dependency on *_cuda.so library.")


def _type(self: Tensor, dtype: Any = None, non_blocking: "builtins.bool" = False) -> Any:
    """type(): 'torch.FloatTensor' (torch's own string); type(dtype / 'torch.DoubleTensor' /
    DoubleTensor): this tensor in that dtype (itself when it already is)."""
    if dtype is None:
        return "torch." + _NAMES[self.dtype]
    if isinstance(dtype, str):
        name = dtype
        for prefix in ("torch.", "tapegrad."):
            if name.startswith(prefix + "cuda."):
                raise RuntimeError(_CUDA_TYPE_ERROR)
            if name.startswith(prefix) and name[len(prefix):] in _BY_NAME:
                dtype = _BY_NAME[name[len(prefix):]]
                break
        else:
            raise ValueError(f"invalid type: '{name}'")
    elif isinstance(dtype, _TensorType):
        dtype = dtype.dtype
    elif not isinstance(dtype, _dtype):
        raise TypeError("dtype must be a type, str, or dtype object")
    return self if self.dtype == dtype else self.to(dtype)


def _sizes_of(size: Tuple[Any, ...], fname: str, by_keyword: Any = None) -> Tuple[int, ...]:
    if not size and by_keyword is not None:
        size = (by_keyword,)
    if not size:
        raise TypeError(f"{fname}() missing 1 required positional arguments: \"size\"")
    return _creation._sizes(size, fname)


def _new_tensor(self: Tensor, data: Any, dtype: Optional[_dtype] = None, device: Any = None,
                requires_grad: "builtins.bool" = False, layout: Any = None, pin_memory: "builtins.bool" = False) -> Tensor:
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
    return _creation.tensor(data, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)


def _new_zeros(self: Tensor, *sizes: Any, size: Any = None, dtype: Optional[_dtype] = None, device: Any = None,
               requires_grad: "builtins.bool" = False, layout: Any = None, pin_memory: "builtins.bool" = False) -> Tensor:
    return _creation.zeros(_sizes_of(sizes, "new_zeros", size), dtype=dtype or self.dtype, device=device,
                           requires_grad=requires_grad)


def _new_ones(self: Tensor, *sizes: Any, size: Any = None, dtype: Optional[_dtype] = None, device: Any = None,
              requires_grad: "builtins.bool" = False, layout: Any = None, pin_memory: "builtins.bool" = False) -> Tensor:
    return _creation.ones(_sizes_of(sizes, "new_ones", size), dtype=dtype or self.dtype, device=device,
                          requires_grad=requires_grad)


def _new_empty(self: Tensor, *sizes: Any, size: Any = None, dtype: Optional[_dtype] = None, device: Any = None,
               requires_grad: "builtins.bool" = False, layout: Any = None, pin_memory: "builtins.bool" = False) -> Tensor:
    return _creation.empty(_sizes_of(sizes, "new_empty", size), dtype=dtype or self.dtype, device=device,
                           requires_grad=requires_grad)


def _new_full(self: Tensor, size: Any, fill_value: Any, dtype: Optional[_dtype] = None, device: Any = None,
              requires_grad: "builtins.bool" = False, layout: Any = None, pin_memory: "builtins.bool" = False) -> Tensor:
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"new_full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    return _creation.full(size, fill_value, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)


def _given(**kwargs: Any) -> Dict[str, Any]:
    return {k: v for k, v in kwargs.items() if v is not None}


def _new(self: Tensor, *data_or_sizes: Any, device: Any = None, size: Any = None, data: Any = None,
         dtype: Any = None) -> Tensor:
    """x.new(...): the legacy constructor in x's dtype (dtype= is refused, as in torch)."""
    return legacy_new(self.dtype, data_or_sizes, _given(device=device, size=size, data=data, dtype=dtype))


_original_new = Tensor.__new__
_original_init = Tensor.__init__


def _tensor_new(cls: type, *data_or_sizes: Any, device: Any = None, size: Any = None, data: Any = None,
                dtype: Any = None) -> Tensor:
    if cls is not Tensor:  # a Python subclass keeps pybind11's own construction
        return _original_new(cls)
    return legacy_new(None, data_or_sizes, _given(device=device, size=size, data=data, dtype=dtype))


def _tensor_init(self: Any, *data_or_sizes: Any, device: Any = None, size: Any = None, data: Any = None,
                 dtype: Any = None) -> None:
    if type(self) is not Tensor:
        _original_init(self, *data_or_sizes, **_given(device=device, size=size, data=data, dtype=dtype))


def install() -> None:
    Tensor.__new__ = _tensor_new  # type: ignore[method-assign,assignment]
    Tensor.__init__ = _tensor_init  # type: ignore[method-assign]
    for name, fn in (("type", _type), ("new", _new), ("new_tensor", _new_tensor), ("new_zeros", _new_zeros),
                     ("new_ones", _new_ones), ("new_empty", _new_empty), ("new_full", _new_full)):
        setattr(Tensor, name, fn)
