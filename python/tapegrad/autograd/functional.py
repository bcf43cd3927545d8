"""torch.autograd.functional: Jacobians, Hessians and their products with vectors, for a
function of tensors, built on autograd.grad (reverse mode; forward-mode products use the
double-backward trick, so they cost two reverse passes).

Conventions, as torch's: `inputs` is a tensor or a tuple of tensors and results follow the same
form; results are detached unless create_graph=True; an output that does not depend on an input
gives zeros (strict=False) or an error (strict=True).
"""
from typing import Any, Callable, Optional, Sequence, Tuple, Union

from .. import _C
from .._C import Tensor
from .functional_api import grad as _grad
from .grad_mode import enable_grad

Inputs = Union[Tensor, Sequence[Tensor]]


def _as_tuple(x: Any, arg_name: str, fn_name: str) -> Tuple[bool, Tuple[Tensor, ...]]:
    """(was a tuple, the tensors as a tuple); TypeError naming the argument otherwise."""
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            where = f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors but the"
            raise TypeError(f"{where} value at index {i} has type {type(t)}." if is_tuple else
                            f"{where} given {arg_name} has type {type(t)}.")
    return is_tuple, items


def _prepare(inputs: Tuple[Tensor, ...], create_graph: bool, need_graph: bool) -> Tuple[Tensor, ...]:
    """Fresh inputs for the function: with create_graph a differentiable alias (so results stay
    connected to the caller's graph), else detached leaves that require grad."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(t.detach().requires_grad_(need_graph))
    return tuple(out)


def _finish(values: Tuple[Any, ...], create_graph: bool) -> Tuple[Any, ...]:
    if create_graph:
        return values
    return tuple(v.detach() if isinstance(v, Tensor) else v for v in values)


def _unpack(values: Tuple[Any, ...], was_tuple: bool) -> Any:
    return values if was_tuple else values[0]


def _grads(outputs: Tuple[Tensor, ...], inputs: Tuple[Tensor, ...], grad_outputs: Tuple[Optional[Tensor], ...],
           create_graph: bool, strict: bool, what: str = "The output") -> Tuple[Tensor, ...]:
    """autograd.grad that keeps the graph, with zeros (or, strict, an error) for unused inputs."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if pairs:
        found = _grad([o for o, _ in pairs], inputs, [g for _, g in pairs], retain_graph=True,
                      create_graph=create_graph, allow_unused=True)
    else:
        found = (None,) * len(inputs)
    result = []
    for i, (g, x) in enumerate(zip(found, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(f"{what} of the user-provided function is independent of input {i}. "
                                   "This is not allowed in strict mode.")
            g = _C._full(tuple(x.shape), 0.0, x.dtype)
        result.append(g)
    return tuple(result)


def _check_v(v: Any, like: Tuple[Tensor, ...], fn_name: str, of: str) -> Tuple[Tensor, ...]:
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            whose = ("the user-provided function returns" if of == "output" else
                     "the input to the user-provided function is")
            raise RuntimeError(f"The vector v can only be None if {whose} a single Tensor with a single element.")
        return (_C._full(tuple(like[0].shape), 1.0, like[0].dtype),)
    _, vs = _as_tuple(v, "v", fn_name)
    if len(vs) != len(like):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(like)} but got {len(vs)}.")
    for i, (a, b) in enumerate(zip(vs, like)):
        if tuple(a.shape) != tuple(b.shape):
            raise RuntimeError(f"Entry {i} in v has invalid size: should be {tuple(b.shape)} but got "
                               f"{tuple(a.shape)}.")
    return vs


def _call(func: Callable[..., Any], inputs: Tuple[Tensor, ...], fn_name: str) -> Tuple[bool, Tuple[Tensor, ...]]:
    return _as_tuple(func(*inputs), "outputs of the user-provided function", fn_name)


def vjp(func: Callable[..., Any], inputs: Inputs, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> Tuple[Any, Any]:
    """(func(inputs), v^T J): the vector-Jacobian product at inputs."""
    with enable_grad():
        in_tuple, xs = _as_tuple(inputs, "inputs", "vjp")
        xs = _prepare(xs, create_graph, True)
        out_tuple, outs = _call(func, xs, "vjp")
        vs = _check_v(v, outs, "vjp", "output")
        result = _grads(outs, xs, vs, create_graph, strict)
    return _unpack(_finish(outs, create_graph), out_tuple), _unpack(_finish(result, create_graph), in_tuple)


def jvp(func: Callable[..., Any], inputs: Inputs, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> Tuple[Any, Any]:
    """(func(inputs), J v): the Jacobian-vector product, by differentiating u -> u^T J (linear
    in u) with respect to u."""
    with enable_grad():
        in_tuple, xs = _as_tuple(inputs, "inputs", "jvp")
        xs = _prepare(xs, create_graph, True)
        vs = _check_v(v, xs, "jvp", "input")
        out_tuple, outs = _call(func, xs, "jvp")
        dummies = tuple(_C._full(tuple(o.shape), 0.0, o.dtype).requires_grad_(True) for o in outs)
        vjps = _grads(outs, xs, dummies, True, strict)
        result = _grads(vjps, dummies, vs, create_graph, strict, what="The backward")
    return _unpack(_finish(outs, create_graph), out_tuple), _unpack(_finish(result, create_graph), out_tuple)


def _check_strategy(strategy: str, vectorize: bool, name: str) -> None:
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError(f'Expected {name} to be either "forward-mode" or "reverse-mode". Hint: if your '
                         'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                         'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode" and not vectorize:
        raise NotImplementedError("torch.autograd.functional.jacobian: `strategy=\"forward-mode\"` is only "
                                  "implemented together with `vectorize=True`.")


def jacobian(func: Callable[..., Any], inputs: Inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """d func(inputs) / d inputs, one row of reverse-mode gradients per output element: shape
    output.shape + input.shape, nested as ((per input) per output) for tuples."""
    _check_strategy(strategy, vectorize, "strategy")
    with enable_grad():
        in_tuple, xs = _as_tuple(inputs, "inputs", "jacobian")
        xs = _prepare(xs, create_graph, True)
        out_tuple, outs = _call(func, xs, "jacobian")
        per_output = []
        for k, out in enumerate(outs):
            flat = out.reshape(-1)
            rows: list = [[] for _ in xs]
            for j in range(flat.numel()):
                one = _C._full((flat.numel(),), 0.0, out.dtype)
                one[j] = 1.0
                gs = _grads((flat,), xs, (one,), create_graph, strict, what=f"Output {k}")
                for i, g in enumerate(gs):
                    rows[i].append(g)
            blocks = []
            for i, x in enumerate(xs):
                shape = tuple(out.shape) + tuple(x.shape)
                block = (_C.stack(rows[i], 0) if rows[i] else _C._full((0,) + tuple(x.shape), 0.0, x.dtype))
                blocks.append(block.reshape(shape))
            per_output.append(_unpack(_finish(tuple(blocks), create_graph), in_tuple))
    return _unpack(tuple(per_output), out_tuple)


def hessian(func: Callable[..., Any], inputs: Inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The matrix of second derivatives of a scalar function: input.shape + input.shape, nested
    ((per input) per input) for tuples."""
    _check_strategy(outer_jacobian_strategy, vectorize, "outer_jacobian_strategy")
    in_tuple, xs = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*args: Tensor) -> Tuple[Tensor, ...]:
        out_tuple, outs = _call(func, args, "hessian")
        if out_tuple or outs[0].numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single "
                               "element")
        return _grads((outs[0].reshape(()),), args, (None,), True, strict)

    result = jacobian(gradient, xs, create_graph=create_graph, strict=strict)
    return result if in_tuple else result[0][0]


def vhp(func: Callable[..., Any], inputs: Inputs, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> Tuple[Any, Any]:
    """(func(inputs), v^T H) of a scalar function."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func: Callable[..., Any], inputs: Inputs, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> Tuple[Any, Any]:
    """(func(inputs), H v) of a scalar function (H is symmetric, so it equals v^T H)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func: Callable[..., Any], inputs: Inputs, v: Any, create_graph: bool, strict: bool,
                     name: str) -> Tuple[Any, Any]:
    with enable_grad():
        in_tuple, xs = _as_tuple(inputs, "inputs", name)
        xs = _prepare(xs, create_graph, True)
        vs = _check_v(v, xs, name, "input")
        out_tuple, outs = _call(func, xs, name)
        if out_tuple or outs[0].numel() != 1:
            raise RuntimeError(f"The function given in {name} should return a single element Tensor")
        first = _grads((outs[0].reshape(()),), xs, (None,), True, strict)
        result = _grads(first, xs, vs, create_graph, strict, what="The backward")
    return _finish(outs, create_graph)[0], _unpack(_finish(result, create_graph), in_tuple)
