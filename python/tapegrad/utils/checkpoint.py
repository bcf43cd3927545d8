"""torch.utils.checkpoint: trade compute for memory. checkpoint(fn, *args) runs fn without
recording a graph (so none of its intermediate results stay alive), and recomputes it, with
the graph, when backward reaches it; the recomputed graph's gradients then flow to fn's tensor
arguments and accumulate into the parameters fn uses (as .grad).

The random state is saved and restored around the recomputation (preserve_rng_state), so
dropout inside fn draws the same masks twice. Known difference from torch's use_reentrant=False:
parameters used inside fn get their gradients by accumulation during backward(), so
autograd.grad() through a checkpoint does not return gradients of those parameters.
"""
import warnings
from typing import Any, Callable, ContextManager, Tuple

from .. import _C
from .._C import Tensor
from ..autograd.function import Function
from ..autograd.functional_api import backward as _backward
from ..autograd.grad_mode import enable_grad, no_grad


def _rng_state() -> Any:
    getter = getattr(_C, "get_rng_state", None)
    return getter() if getter is not None else None


def _set_rng_state(state: Any) -> None:
    setter = getattr(_C, "set_rng_state", None)
    if state is not None and setter is not None:
        setter(state)


class _Checkpoint(Function):
    @staticmethod
    def forward(ctx: Any, run: Callable[..., Any], preserve_rng_state: bool, kwargs: dict, *args: Any) -> Any:
        ctx.run, ctx.kwargs = run, kwargs
        ctx.rng_state = _rng_state() if preserve_rng_state else None
        ctx.tensor_at = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.others = [None if isinstance(a, Tensor) else a for a in args]
        ctx.save_for_backward(*[args[i] for i in ctx.tensor_at])
        with no_grad():
            return run(*args, **kwargs)

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Tuple[Any, ...]:
        args = list(ctx.others)
        fresh = []
        for i, t in zip(ctx.tensor_at, ctx.saved_tensors):
            args[i] = t.detach().requires_grad_(t.requires_grad)
            fresh.append(args[i])
        current = _rng_state()
        _set_rng_state(ctx.rng_state)
        try:
            with enable_grad():
                outputs = ctx.run(*args, **ctx.kwargs)
        finally:
            _set_rng_state(current)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        if pairs:
            _backward([o for o, _ in pairs], [g for _, g in pairs])
        input_grads = [None] * len(args)
        for i, t in zip(ctx.tensor_at, fresh):
            input_grads[i] = t.grad if t.requires_grad else None
        return (None, None, None) + tuple(input_grads)


def checkpoint(function: Callable[..., Any], *args: Any, use_reentrant: Any = None,
               context_fn: Callable[[], Tuple[ContextManager, ContextManager]] = None,  # type: ignore[assignment]
               determinism_check: str = "default", debug: bool = False, preserve_rng_state: bool = True,
               **kwargs: Any) -> Any:
    """function(*args, **kwargs), with its intermediate results recomputed in backward instead
    of kept from forward."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in PyTorch "
            "2.9, calling checkpoint without use_reentrant will raise an exception. use_reentrant=False is "
            "recommended, but if you need to preserve the current default behavior, you can pass "
            "use_reentrant=True. Refer to docs for more details on the differences between the two variants.",
            stacklevel=2)
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got {determinism_check}")
    if context_fn is not None:
        raise ValueError("Passing context_fn is not supported by tapegrad's checkpoint")
    if use_reentrant and kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    return _Checkpoint.apply(function, preserve_rng_state, kwargs, *args)


def checkpoint_sequential(functions: Any, segments: int, input: Tensor, use_reentrant: Any = None,
                          **kwargs: Any) -> Tensor:
    """Runs a sequence of modules (or functions) in `segments` checkpointed chunks; the last
    chunk runs normally, as torch's."""
    funcs = list(functions.children()) if hasattr(functions, "children") else list(functions)
    size = max(len(funcs) // max(segments, 1), 1)

    def run_range(start: int, end: int) -> Callable[[Tensor], Tensor]:
        def run(x: Tensor) -> Tensor:
            for f in funcs[start:end]:
                x = f(x)
            return x
        return run

    end = 0
    for start in range(0, size * (segments - 1), size):
        end = start + size
        input = checkpoint(run_range(start, end), input, use_reentrant=use_reentrant, **kwargs)
    return run_range(end, len(funcs))(input)
