"""tapegrad: a small C++ tensor engine with tape-based reverse-mode autograd, spoken to in
PyTorch's dialect (`import tapegrad as torch`).

The native core lives in tapegrad._C; this package adds the Python-side spelling: creation
functions with PyTorch's signatures, printing, the autograd namespace.
"""
import builtins

from . import _C
# Every public function of the native module: the ops its registry's schemas make (Note [Op
# schemas] in csrc/ops/schema.h) and the hand-bound ones; _C.__all__ lists them. Some shadow
# builtins (max, min, all, any, abs, sum, pow) as torch's do: this file says builtins.X.
from ._C import *  # noqa: F401,F403,A004
from ._C import Tensor, dtype
from . import return_types  # noqa: F401
from ._size import Size
from ._creation import (  # noqa: F401
    tensor, as_tensor, zeros, ones, empty, full, arange, rand, randn, linspace, eye, randint,
    zeros_like, ones_like, empty_like, full_like, rand_like, randn_like, randint_like,
)
from ._legacy_tensor import FloatTensor, DoubleTensor, LongTensor, BoolTensor  # noqa: F401
from . import _tensor  # noqa: F401  (installs Python-side Tensor methods)
from .functional import unique, unique_consecutive, nonzero  # noqa: F401  (and their Tensor methods)
from . import _legacy_tensor
_legacy_tensor.install()  # Tensor(data) / Tensor(*sizes), x.new_*, x.type()
from ._device import device, set_default_device, get_default_device  # noqa: F401
from ._dtypes import (  # noqa: F401
    set_default_dtype, get_default_dtype, finfo, iinfo, promote_types, can_cast, result_type,
    is_floating_point, is_complex, is_nonzero, get_float32_matmul_precision, set_float32_matmul_precision,
)
from . import accelerator, backends, cuda  # noqa: F401
from ._C import Generator  # noqa: F401
from ._random import (  # noqa: F401
    default_generator, manual_seed, seed, initial_seed, get_rng_state, set_rng_state,
    bernoulli, multinomial, normal, randperm, poisson,
)
from . import _random
_random.install()  # Tensor.uniform_ / normal_ / ... / bernoulli / multinomial
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
