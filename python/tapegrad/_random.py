"""Random sampling with PyTorch's names and errors: manual_seed / seed / initial_seed /
get_rng_state / set_rng_state, bernoulli, multinomial, normal, randperm, poisson and the
in-place Tensor samplers (uniform_, normal_, exponential_, random_, bernoulli_, geometric_,
cauchy_, log_normal_), each taking generator=.

Every number comes from a tapegrad.Generator (C++, kernels/generator.h; the default one when
generator is None): uniform and normal draws directly, and the integer and Poisson samplers
from a numpy Generator seeded by one draw of it, so a seed reproduces everything. The streams are
not torch's: the same seed gives other numbers than in PyTorch.

Generator states are int64 tensors of byte values (tapegrad has no uint8 dtype): what
get_state returns, set_state takes back, and refuses anything else."""
import builtins
import math
import numbers
from typing import Any, Optional, Sequence, Union

import numpy as np

from . import _C, _creation
from ._C import Generator, Tensor, dtype as _dtype
from .autograd.grad_mode import no_grad

default_generator: Generator = _C.default_generator


def manual_seed(seed: int) -> Generator:
    """Seeds the default generator; returns it (as torch, which takes int(seed): 1.5 seeds 1)."""
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    """Seeds the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    default_generator.set_state(new_state)


def _gen(generator: Any, fname: str) -> Optional[Generator]:
    if generator is None or isinstance(generator, Generator):
        return generator
    raise TypeError(f"{fname}(): argument 'generator' must be torch.Generator, not {type(generator).__name__}")


def _uniform(shape: Sequence[int], generator: Optional[Generator]) -> np.ndarray:
    """Uniform [0, 1) float64 draws of the generator, as an ndarray."""
    return _C._rand(tuple(shape), _dtype.float64, generator).numpy()


def _normal(shape: Sequence[int], generator: Optional[Generator]) -> np.ndarray:
    return _C._randn(tuple(shape), _dtype.float64, generator).numpy()


def _numpy_rng(generator: Optional[Generator]) -> np.random.Generator:
    """A numpy generator seeded by two draws of ours (for integer and Poisson sampling)."""
    u = _uniform((2,), generator)
    return np.random.default_rng([int(u[0] * 2 ** 53), int(u[1] * 2 ** 53)])


_LEGACY = {_dtype.float32: "Float", _dtype.float64: "Double", _dtype.int64: "Long", _dtype.bool: "Bool"}


def _floating_only(t: Tensor, kernel: str) -> None:
    if not t.dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_LEGACY[t.dtype]}'")


def _check_tensor(x: Any, fname: str, arg: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position 1) must be Tensor, not {type(x).__name__}")
    return x


def _result(values: np.ndarray, like: Tensor, out: Optional[Tensor] = None) -> Tensor:
    t = _C._from_array(np.ascontiguousarray(values), like.dtype)
    return t if out is None else _copy_out(out, t)


# ---- functions ----

def bernoulli(input: Tensor, p: Optional[float] = None, *, generator: Optional[Generator] = None,
              out: Optional[Tensor] = None) -> Tensor:
    """Each element 1 with probability input[i] (or p), else 0, in input's dtype. The result does
    not require grad (torch's has a zero-gradient BernoulliBackward0)."""
    x = _check_tensor(input, "bernoulli")
    gen = _gen(generator, "bernoulli")
    u = _uniform(x.shape, gen)
    if p is not None:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        return _result((u < p).astype(np.float64), x, out)
    _floating_only(x, "bernoulli_tensor_cpu_p_")
    probs = x.detach().numpy().astype(np.float64)
    if not ((probs >= 0) & (probs <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be "
                           "improved?  If so, please report an enhancement request to PyTorch.)")
    return _result((u < probs).astype(np.float64), x, out)


def multinomial(input: Tensor, num_samples: int, replacement: builtins.bool = False, *,
                generator: Optional[Generator] = None, out: Optional[Tensor] = None) -> Tensor:
    """num_samples category indices per row of a 1-d or 2-d tensor of (unnormalised) weights."""
    x = _check_tensor(input, "multinomial")
    gen = _gen(generator, "multinomial")
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {_LEGACY[x.dtype]}")
    if x.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n = x.shape[-1]
    if not replacement and num_samples > n:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    w = x.detach().numpy().astype(np.float64).reshape(-1, n)
    if not (np.isfinite(w).all() and (w >= 0).all()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = w.sum(axis=1)
    if (totals <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rows = w.shape[0]
    if replacement:
        cdf = np.cumsum(w, axis=1) / totals[:, None]
        u = _uniform((rows, num_samples), gen)
        picks = np.stack([np.minimum(np.searchsorted(cdf[r], u[r], side="right"), n - 1) for r in range(rows)])
        # a zero-weight category is never picked, even where rounding leaves the cdf flat
        for r in range(rows):
            bad = w[r, picks[r]] == 0
            if bad.any():
                picks[r, bad] = np.searchsorted(cdf[r], u[r, bad], side="left")
    else:
        # Efraimidis-Spirakis: the k smallest Exp(1)/w keys are a weighted sample without
        # replacement; zero weights get +inf keys and come last (as torch picks them).
        e = -np.log1p(-_uniform((rows, n), gen))
        with np.errstate(divide="ignore"):
            keys = np.where(w > 0, e / np.where(w > 0, w, 1), np.inf)
        picks = np.argsort(keys, axis=1, kind="stable")[:, :num_samples]
    picks = picks.reshape((num_samples,) if x.dim() == 1 else (rows, num_samples)).astype(np.int64)
    t = _C._from_array(picks, _dtype.int64)
    return t if out is None else _copy_out(out, t)


_NORMAL_OVERLOADS = (
    " * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, Tensor out = None, "
    "torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, "
    "bool requires_grad = False)\n")


def normal(mean: Union[Tensor, float], std: Union[Tensor, float] = 1.0, size: Optional[Sequence[int]] = None, *,
           generator: Optional[Generator] = None, out: Optional[Tensor] = None, dtype: Optional[_dtype] = None,
           layout: Any = None, device: Any = None, pin_memory: builtins.bool = False,
           requires_grad: builtins.bool = False) -> Tensor:
    """normal(mean, std) with tensors or numbers (broadcast), or normal(mean, std, size). With
    tensor arguments it is mean + std * eps: differentiable in both, as torch's."""
    gen = _gen(generator, "normal")
    if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        if size is None:
            got = ", ".join(type(v).__name__ for v in (mean, std))
            raise TypeError(f"normal() received an invalid combination of arguments - got ({got}), but expected one "
                            f"of:\n{_NORMAL_OVERLOADS}")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        t = _creation.randn(tuple(size), dtype=dtype, device=device, generator=gen)
        with no_grad():
            t = t * std + mean if (std != 1 or mean != 0) else t
        return _creation._finish(t, requires_grad) if out is None else _copy_out(out, t)
    for v in (mean, std):
        if isinstance(v, Tensor):
            _floating_only(v, "normal_kernel_cpu")
    if not isinstance(std, Tensor) and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    if isinstance(std, Tensor) and std.numel() and (std.detach().numpy() < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    with no_grad():  # the result's shape and dtype, with torch's error for shapes that do not broadcast
        like = (mean.detach() if isinstance(mean, Tensor) else mean) + (std.detach() if isinstance(std, Tensor) else std)
    assert isinstance(like, Tensor)
    eps = _C._from_array(_normal(like.shape, gen), like.dtype)
    t = mean + std * eps
    return t if out is None else _copy_out(out, t)


def _copy_out(out: Tensor, t: Tensor) -> Tensor:
    with no_grad():
        out.copy_(t)
    return out


def randperm(n: int, *, generator: Optional[Generator] = None, out: Optional[Tensor] = None,
             dtype: Optional[_dtype] = None, layout: Any = None, device: Any = None,
             pin_memory: builtins.bool = False, requires_grad: builtins.bool = False) -> Tensor:
    """A random permutation of 0..n-1 (int64 unless dtype says otherwise)."""
    gen = _gen(generator, "randperm")
    if not isinstance(n, numbers.Integral) or isinstance(n, builtins.bool):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    _creation.empty(n, dtype=dtype or _dtype.int64, device=device)  # torch's error for a negative n
    perm = _numpy_rng(gen).permutation(n)
    t = _creation._finish(_C._from_array(perm.astype(np.int64), dtype or _dtype.int64), requires_grad)
    return t if out is None else _copy_out(out, t)


def poisson(input: Tensor, generator: Optional[Generator] = None) -> Tensor:
    """Poisson draws with input's rates, in input's dtype."""
    x = _check_tensor(input, "poisson")
    gen = _gen(generator, "poisson")
    _floating_only(x, "poisson_cpu")
    rates = x.detach().numpy().astype(np.float64)
    if not (rates >= 0).all():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    return _result(_numpy_rng(gen).poisson(rates).astype(np.float64), x)


# ---- Tensor methods ----

def _fill(self: Tensor, values: np.ndarray) -> Tensor:
    """Writes the draws into self in place (its dtype, any layout): copy_ bumps the version and
    refuses a leaf that requires grad while grad mode is on, as torch's samplers do."""
    self.copy_(_C._from_array(np.ascontiguousarray(values, dtype=np.float64), _dtype.float64))
    return self


def _uniform_(self: Tensor, from_: "builtins.float" = 0, to: "builtins.float" = 1, *,
        generator: Optional[Generator] = None) -> Tensor:
    gen = _gen(generator, "uniform_")
    _floating_only(self, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={from_:g} > to={to:g}")
    return _fill(self, from_ + (to - from_) * _uniform(self.shape, gen))


def _normal_(self: Tensor, mean: "builtins.float" = 0, std: "builtins.float" = 1, *,
        generator: Optional[Generator] = None) -> Tensor:
    gen = _gen(generator, "normal_")
    _floating_only(self, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    return _fill(self, mean + std * _normal(self.shape, gen))


def _exponential_(self: Tensor, lambd: "builtins.float" = 1, *,
        generator: Optional[Generator] = None) -> Tensor:
    gen = _gen(generator, "exponential_")
    _floating_only(self, "exponential_cpu")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    return _fill(self, -np.log1p(-_uniform(self.shape, gen)) / lambd)


def _cauchy_(self: Tensor, median: "builtins.float" = 0, sigma: "builtins.float" = 1, *,
        generator: Optional[Generator] = None) -> Tensor:
    gen = _gen(generator, "cauchy_")
    _floating_only(self, "cauchy_cpu")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    return _fill(self, median + sigma * np.tan(math.pi * (_uniform(self.shape, gen) - 0.5)))


def _log_normal_(self: Tensor, mean: "builtins.float" = 1, std: "builtins.float" = 2, *,
        generator: Optional[Generator] = None) -> Tensor:
    gen = _gen(generator, "log_normal_")
    _floating_only(self, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    return _fill(self, np.exp(mean + std * _normal(self.shape, gen)))


def _geometric_(self: Tensor, p: "builtins.float", *,
        generator: Optional[Generator] = None) -> Tensor:
    gen = _gen(generator, "geometric_")
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    u = _uniform(self.shape, gen)
    return _fill(self, np.maximum(np.ceil(np.log1p(-u) / math.log1p(-p)), 1))


def _bernoulli_(self: Tensor, p: "builtins.float | Tensor" = 0.5, *,
        generator: Optional[Generator] = None) -> Tensor:
    gen = _gen(generator, "bernoulli_")
    u = _uniform(self.shape, gen)
    if isinstance(p, Tensor):
        probs = np.broadcast_to(p.detach().numpy().astype(np.float64), self.shape)
        if not ((probs >= 0) & (probs <= 1)).all():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message "
                               "be improved?  If so, please report an enhancement request to PyTorch.)")
        return _fill(self, (u < probs).astype(np.float64))
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
    return _fill(self, (u < p).astype(np.float64))


# random_(): the integers a dtype holds exactly, from 0 (torch's ranges).
_RANDOM_TOP = {_dtype.float32: 2 ** 24 + 1, _dtype.float64: 2 ** 53 + 1, _dtype.int64: 2 ** 63 - 1, _dtype.bool: 2}


def _random_(self: Tensor, from_: int = 0, to: "int | None" = None, *,
             generator: Optional[Generator] = None) -> Tensor:
    """random_(): integers over the dtype's exact range; random_(to): [0, to); random_(from, to)."""
    gen = _gen(generator, "random_")
    if to is None and from_ != 0:
        from_, to = 0, from_
    top = _RANDOM_TOP[self.dtype] if to is None else to
    if from_ >= top:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={top}")
    values = _numpy_rng(gen).integers(from_, top, size=tuple(self.shape), dtype=np.int64)
    t = _C._from_array(values, _dtype.int64)
    self.copy_(t)
    return self


def _bernoulli_method(self: Tensor, p: "builtins.float | None" = None, *,
        generator: Optional[Generator] = None) -> Tensor:
    return bernoulli(self, p, generator=generator)


def _multinomial_method(self: Tensor, num_samples: int, replacement: "builtins.bool" = False, *,
                        generator: Optional[Generator] = None) -> Tensor:
    return multinomial(self, num_samples, replacement, generator=generator)


_METHODS = {
    "uniform_": _uniform_, "normal_": _normal_, "exponential_": _exponential_, "cauchy_": _cauchy_,
    "log_normal_": _log_normal_, "geometric_": _geometric_, "bernoulli_": _bernoulli_, "random_": _random_,
    "bernoulli": _bernoulli_method, "multinomial": _multinomial_method,
}


def _rebuild_generator(state: Tensor) -> Generator:
    return Generator().set_state(state)


def _reduce_generator(self: Generator) -> Any:
    """pickle and copy.deepcopy keep a generator's seed and position (as torch's)."""
    return _rebuild_generator, (self.get_state(),)


def _reduce_generator_ex(self: Generator, protocol: Any) -> Any:
    return _reduce_generator(self)


def install() -> None:
    for name, fn in _METHODS.items():
        setattr(Tensor, name, fn)
    Generator.__reduce__ = _reduce_generator  # type: ignore[method-assign]
    Generator.__reduce_ex__ = _reduce_generator_ex  # type: ignore[method-assign]
