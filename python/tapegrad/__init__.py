"""tapegrad: a small C++ tensor engine with tape-based reverse-mode autograd, spoken to in
PyTorch's dialect (`import tapegrad as torch`).

The native core lives in tapegrad._C; this package adds the Python-side spelling: creation
functions with PyTorch's signatures, printing, the autograd namespace.
"""
import builtins

from . import _C
from ._C import Tensor, dtype, from_numpy, manual_seed, is_grad_enabled
from ._C import set_num_threads, get_num_threads  # noqa: F401  (intra-op threads)
from ._C import (  # noqa: F401  (re-exported ops)
    add, sub, subtract, mul, multiply, div, divide, true_divide, pow, neg, negative, exp, log,
    sqrt, tanh, sigmoid, relu, abs, sign, reciprocal, clone, where,
    eq, ne, lt, le, gt, ge,
    sum, mean, norm, matmul, mm, bmm, mv, dot,
    transpose, swapaxes, t, unsqueeze, squeeze, reshape, permute,
)
from ._C import (  # noqa: F401,A004  (math and reductions; max/min/all/any shadow builtins as torch's do)
    floor_divide, remainder, log1p, expm1, log2, sin, cos, tan, rsqrt, square, clamp, clip,
    maximum, minimum, lerp, logical_and, logical_or, logical_not, isnan, isinf, isfinite,
    prod, max, min, amax, amin, argmax, argmin, var, std, logsumexp, all, any,
)
from ._C import (  # noqa: F401  (shape and indexing)
    select, narrow, flatten, unflatten, cat, concat, concatenate, stack, split, chunk, unbind, flip,
    gather, scatter, scatter_add, index_select, masked_fill,
)
from . import return_types  # noqa: F401
from ._size import Size
from ._creation import (  # noqa: F401
    tensor, as_tensor, zeros, ones, empty, full, arange, rand, randn, linspace, eye, randint,
    zeros_like, ones_like, empty_like, full_like, rand_like, randn_like,
    FloatTensor, DoubleTensor, LongTensor, BoolTensor,
)
from . import _tensor  # noqa: F401  (installs Python-side Tensor methods)
from .autograd.grad_mode import no_grad, enable_grad, set_grad_enabled, inference_mode  # noqa: F401
from . import autograd  # noqa: F401



def _dtype_repr(self: dtype) -> str:
    return "tapegrad." + self.name  # as torch.float32 prints "torch.float32"


dtype.__repr__ = dtype.__str__ = _dtype_repr  # type: ignore[method-assign]

float32 = dtype.float32
float = dtype.float32  # noqa: A001  (PyTorch's alias)
float64 = dtype.float64
double = dtype.float64
int64 = dtype.int64
long = dtype.int64
bool = dtype.bool  # noqa: A001

__version__ = "0.1.0"


def is_tensor(obj: object) -> "builtins.bool":
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()
from . import nn  # noqa: E402,F401
from . import optim, utils  # noqa: E402,F401
from .serialization import save, load  # noqa: E402,F401
from . import memory  # noqa: E402,F401  (the caching allocator)

# Last: `a + b` now calls the C++ operator directly (see csrc/bindings/tensor_operators.cpp).
_C._install_operator_slots()
