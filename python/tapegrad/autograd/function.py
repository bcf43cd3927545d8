"""Custom differentiable ops written in Python, as torch.autograd.Function:

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    Exp.apply(x)   # grad_fn prints as <ExpBackward object at 0x...>

Saved tensors are handed to the C++ node (version-checked, freed after backward); ctx keeps
only a weak reference to that node, so nothing here forms a reference cycle through C++.
"""
import functools
from typing import Any, Callable, List, Optional, Sequence, Tuple, Type

from .. import _C
from .._C import Tensor
from .grad_mode import no_grad


class FunctionCtx:
    """The `ctx` of a custom Function: saves tensors for backward and says which inputs need
    gradients. forward may also store any other attribute on it for backward to read."""

    needs_input_grad: Tuple[bool, ...]

    def __init__(self) -> None:
        self._to_save: Tuple[Optional[Tensor], ...] = ()
        self._node: Optional[_C._NodeRef] = None  # once the node exists
        self._non_differentiable: Tuple[Tensor, ...] = ()
        self._materialize_grads = True
        self.needs_input_grad = ()

    def save_for_backward(self, *tensors: Optional[Tensor]) -> None:
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{tensors.index(t)} is of type {type(t).__name__}")
        self._to_save = tensors

    @property
    def saved_tensors(self) -> Tuple[Tensor, ...]:
        if self._node is None:  # still inside forward
            return tuple(self._to_save)  # type: ignore[arg-type]  # None only where None was saved
        return tuple(self._node.saved_tensors())

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize_grads = bool(value)


class Function:
    """Subclass with static forward(ctx, *args) and backward(ctx, *grads); call Cls.apply.

    forward and backward take whatever the subclass says (they are typed `*args: Any` so that
    any signature overrides them), and apply passes its arguments on to forward."""

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            result = cls.forward(ctx, *args)
        is_tuple = isinstance(result, tuple)
        outputs = result if is_tuple else (result,)
        if not (_C.is_grad_enabled() and any(ctx.needs_input_grad)):
            return result
        tensor_positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        out_tensors = [o for o in outputs if isinstance(o, Tensor)]
        shapes = [(tuple(o.shape), o.dtype) for o in out_tensors]
        differentiable = [not any(o is n for n in ctx._non_differentiable) for o in out_tensors]
        out_positions = [i for i, o in enumerate(outputs) if isinstance(o, Tensor)]
        backward = _make_backward(cls, ctx, len(args), tensor_positions, shapes, out_positions, len(outputs))
        node_ref, wired = _C._make_function_node(
            cls.__name__ + "Backward", backward, [args[i] for i in tensor_positions], out_tensors,
            list(ctx._to_save), differentiable)
        ctx._node, ctx._to_save = node_ref, ()
        wired = iter(wired)
        outputs = tuple(next(wired) if isinstance(o, Tensor) else o for o in outputs)
        return outputs if is_tuple else outputs[0]


def _make_backward(cls: "Type[Function]", ctx: FunctionCtx, n_args: int, tensor_positions: List[int],
                   shapes: Sequence[Tuple[Tuple[int, ...], _C.dtype]], out_positions: List[int],
                   n_outputs: int) -> Callable[[Tuple[Optional[Tensor], ...]], Any]:
    """The callable the C++ node runs: materialises missing grads, calls cls.backward, checks the
    count, and keeps the gradients of the tensor arguments (one per edge)."""
    name = cls.__name__ + "Backward"
    tensor_set = frozenset(tensor_positions)

    def backward(grads: Tuple[Optional[Tensor], ...]) -> Tuple[Any, ...]:
        if ctx._materialize_grads:
            grads = tuple(g if g is not None else _C._full(shape, 0.0, dtype)
                          for g, (shape, dtype) in zip(grads, shapes))
        if n_outputs != len(grads):  # forward also returned non-tensors: their gradients are None
            full: List[Optional[Tensor]] = [None] * n_outputs
            for pos, g in zip(out_positions, grads):
                full[pos] = g
            grads = tuple(full)
        result = cls.backward(ctx, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        if len(result) > n_args and all(r is None for r in result[n_args:]):
            result = result[:n_args]  # PyTorch accepts extra trailing Nones
        if len(result) != n_args:
            raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                               f"(expected {n_args}, got {len(result)})")
        for i, r in enumerate(result):
            if r is not None and i not in tensor_set:
                raise RuntimeError(f"function {name} returned a gradient different than None at position {i + 1}, "
                                   "but the corresponding forward input was not a Variable")
        return tuple(result[i] for i in tensor_positions)

    return backward


class _DelayedError(Function):
    """Stands after the results of a once_differentiable backward run under create_graph: its
    own backward (a second differentiation) raises."""

    @staticmethod
    def forward(ctx: Any, t: Tensor) -> Tensor:
        return t.clone()

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        raise RuntimeError("trying to differentiate twice a function that was marked with @once_differentiable")


def once_differentiable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a custom Function's backward as differentiable once only: it runs without recording,
    and with create_graph=True its results refuse a second backward with torch's message for it.
    (torch leaves them without history when no incoming gradient requires grad, and a second
    backward then fails on that; tapegrad says why in every case.)"""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with no_grad():
            outputs = fn(ctx, *args)
        if not _C.is_grad_enabled():  # backward without create_graph
            return outputs
        is_tuple = isinstance(outputs, tuple)
        wrapped = tuple(_DelayedError.apply(o.detach().requires_grad_(o.is_floating_point()))
                        if isinstance(o, Tensor) else o
                        for o in (outputs if is_tuple else (outputs,)))
        return wrapped if is_tuple else wrapped[0]

    return wrapper
