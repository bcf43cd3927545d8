"""Tensor methods written in Python, installed on tapegrad._C.Tensor from one list.
Only things that are not hot paths live here (printing, numpy protocol, iteration)."""
import builtins
import sys
from typing import Any, Iterator, Optional, Sequence, Tuple, Union

import numpy as np

from . import _C, _device, _printing
from ._C import Tensor
from .serialization import _pickling

# What x[key] accepts (read in C++, csrc/bindings/index_key.cpp): an int, a slice, None,
# Ellipsis, a bool or int64 tensor, a list or numpy array of indices, or a tuple of those. The
# stubs of tapegrad._C name it as tapegrad._tensor.IndexKey for Tensor.__getitem__/__setitem__.
Index = Union[None, int, slice, "builtins.ellipsis", Tensor, Sequence[Any], np.ndarray]
IndexKey = Union[Index, Tuple[Index, ...]]


def _repr(self: Tensor) -> str:
    suffixes = []
    if self.grad_fn is not None:
        suffixes.append(f"grad_fn=<{self.grad_fn.name()}>")
    elif self.requires_grad:
        suffixes.append("requires_grad=True")
    values = self.detach().numpy()
    text = _printing.format_tensor(values, self.dtype.name, suffixes)
    # nn.Parameter(t) is a plain Tensor remembered in a registry (see nn/parameter.py); it
    # prints as torch.nn.Parameter does.
    parameter = sys.modules.get("tapegrad.nn.parameter")
    if parameter is not None and parameter.is_parameter(self):
        return "Parameter containing:\n" + text
    return text


def _array(self: Tensor, dtype: Any = None, copy: Optional[bool] = None) -> np.ndarray:
    arr = self.numpy()
    if dtype is not None and arr.dtype != dtype:
        return arr.astype(dtype)
    return np.array(arr, copy=True) if copy else arr


def _iter(self: Tensor) -> Iterator[Tensor]:
    if self.dim() == 0:
        raise TypeError("iteration over a 0-d tensor")
    return iter(self.unbind(0))


def _array_wrap(self: Tensor, array: np.ndarray, context: Any = None, return_scalar: bool = False) -> Tensor:
    """`tensor + ndarray` as PyTorch does it: Tensor's operator declines the array, numpy computes
    with the tensor's values (through __array__, so a tensor that requires grad raises), and the
    result comes back here to be made a tensor again. A 0-d result stays a tensor."""
    return _C.from_numpy(np.asarray(array, order="C"))  # (ascontiguousarray would make a 0-d result 1-d)


def _cpu(self: Tensor, memory_format: Any = None) -> Tensor:
    return self  # already there: torch returns the tensor itself


def _cuda(self: Tensor, device: Any = None, non_blocking: "builtins.bool" = False, memory_format: Any = None) -> Tensor:
    if isinstance(device, int) and not isinstance(device, builtins.bool):
        raise RuntimeError("Cannot access accelerator device when none is available.")
    raise AssertionError("Torch not compiled with CUDA enabled")


def _get_device(self: Tensor) -> int:
    return -1  # PyTorch's answer for a CPU tensor


def _device_of(self: Tensor) -> _device.device:
    return _device.CPU


def _true(self: Tensor) -> "builtins.bool":
    return True


def _false(self: Tensor) -> "builtins.bool":
    return False


def _format(self: Tensor, format_spec: str) -> str:
    """f'{loss:.4f}' and f'{t}' of a 0-d tensor format its number (item()), as torch's; other
    tensors print as str() with an empty spec and refuse any other spec."""
    if self.dim() == 0:
        return self.item().__format__(format_spec)
    if format_spec:
        raise TypeError("unsupported format string passed to Tensor.__format__")
    return str(self)


_METHODS = {
    "__format__": _format,
    # Every tensor lives on the CPU (see _device.py): the device attributes are constants.
    "device": property(_device_of),
    "is_cpu": property(_true),
    "is_cuda": property(_false),
    "is_mps": property(_false),
    "is_meta": property(_false),
    "is_xpu": property(_false),
    "is_sparse": property(_false),
    "is_quantized": property(_false),
    "cpu": _cpu,
    "cuda": _cuda,
    "get_device": _get_device,
    "__repr__": _repr,
    "__str__": _repr,
    "__array__": _array,
    "__array_priority__": 1000,  # numpy defers `ndarray + tensor` to Tensor.__radd__
    "__array_wrap__": _array_wrap,
    "__iter__": _iter,
    # pickle (every protocol) and copy.deepcopy keep dtype, requires_grad, views' shared
    # storage and Parameter-ness; see serialization/_pickling.py for why they must exist.
    "__reduce_ex__": _pickling.tensor_reduce_ex,
    "__reduce__": _pickling.tensor_reduce,
    "__deepcopy__": _pickling.tensor_deepcopy,
}

for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)
