"""gradcheck / gradgradcheck: compare the gradients backward computes with central finite
differences, as torch.autograd.gradcheck does.

Slow mode builds both Jacobians: the analytical one from one autograd.grad call per output
element (a one-hot grad_output), the numerical one by perturbing every input element by +-eps
in place (through a numpy view of the input's memory) and re-running fn under no_grad.
Fast mode (fast_mode=True) compares one random projection v^T J u per (input, output) pair
instead: one directional finite difference against one backward.
"""
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .. import _C
from .._C import Tensor
from .functional_api import grad as autograd_grad
from .grad_mode import enable_grad, no_grad


class GradcheckError(RuntimeError):
    pass


# The function under test takes the inputs as positional arguments and returns a tensor or a
# sequence of them (other outputs are ignored).
Fn = Callable[..., Any]
Inputs = Union[Tensor, Sequence[Any]]


def _as_tuple(x: Any) -> Tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn: Fn, inputs: Sequence[Any]) -> List[Tensor]:
    return [o for o in _as_tuple(fn(*inputs)) if isinstance(o, _C.Tensor)]


def _diff_inputs(inputs: Sequence[Any]) -> List[int]:
    return [i for i, t in enumerate(inputs) if isinstance(t, _C.Tensor) and t.requires_grad]


def _flat(t: Tensor) -> np.ndarray:
    return t.detach().numpy().astype(np.float64).ravel()


def _eval_flat(fn: Fn, inputs: Sequence[Any]) -> List[np.ndarray]:
    with no_grad():
        return [_flat(o) for o in _outputs(fn, inputs)]


def _perturbed(fn: Fn, inputs: Sequence[Any], data: np.ndarray, idx: Tuple[int, ...], delta: float) -> List[np.ndarray]:
    """Outputs of fn with element `idx` of `data` (a view of an input) shifted by delta."""
    orig = data[idx].item()
    data[idx] = orig + delta
    try:
        return _eval_flat(fn, inputs)
    finally:
        data[idx] = orig


def _numerical_jacobians(fn: Fn, inputs: Sequence[Any], eps: float) -> Dict[int, List[np.ndarray]]:
    """jac[i][j] has shape (inputs[i].numel(), outputs[j].numel())."""
    out_sizes = [o.size for o in _eval_flat(fn, inputs)]
    jacs: Dict[int, List[np.ndarray]] = {}
    for i in _diff_inputs(inputs):
        data = inputs[i].detach().numpy()  # shares memory with the input
        jacs[i] = [np.zeros((inputs[i].numel(), n)) for n in out_sizes]
        for row, idx in enumerate(np.ndindex(*data.shape)):
            plus = _perturbed(fn, inputs, data, idx, eps)
            minus = _perturbed(fn, inputs, data, idx, -eps)
            for j in range(len(out_sizes)):
                jacs[i][j][row] = (plus[j] - minus[j]) / (2 * eps)
    return jacs


def _vjp(outs: List[Tensor], inputs: Sequence[Any], diff: List[int], j: int, v_flat: np.ndarray) -> List[np.ndarray]:
    """Gradients of <v, outs[j]> with respect to the differentiable inputs, as flat arrays."""
    out = outs[j]
    v = _C.from_numpy(v_flat.astype(out.detach().numpy().dtype).reshape(tuple(out.shape)).copy())
    grads = autograd_grad([out], [inputs[i] for i in diff], [v], retain_graph=True, allow_unused=True)
    return [np.zeros(inputs[i].numel()) if g is None else _flat(g) for i, g in zip(diff, grads)]


def _analytical_jacobians(fn: Fn, inputs: Sequence[Any]) -> Dict[int, List[np.ndarray]]:
    outs = _outputs(fn, inputs)
    diff = _diff_inputs(inputs)
    jacs = {i: [np.zeros((inputs[i].numel(), o.numel())) for o in outs] for i in diff}
    for j, out in enumerate(outs):
        if not out.requires_grad:
            continue
        for k in range(out.numel()):
            v = np.zeros(out.numel())
            v[k] = 1
            for i, g in zip(diff, _vjp(outs, inputs, diff, j, v)):
                jacs[i][j][:, k] = g
    return jacs


def _fail(msg: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(msg)
    return False


def _check_dtypes(inputs: Sequence[Any]) -> None:
    for i, t in enumerate(inputs):
        if isinstance(t, _C.Tensor) and t.requires_grad and t.dtype != _C.dtype.float64:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point. "
                          "This check will likely fail if all the inputs are not of double precision floating point.")


def _fast_check(fn: Fn, inputs: Sequence[Any], eps: float, atol: float, rtol: float, raise_exception: bool) -> bool:
    rng = np.random.default_rng(0)
    outs = _outputs(fn, inputs)
    diff = _diff_inputs(inputs)
    for j, out in enumerate(outs):
        v = rng.standard_normal(out.numel())
        analytical = _vjp(outs, inputs, diff, j, v) if out.requires_grad else [np.zeros(inputs[i].numel()) for i in diff]
        for i, g in zip(diff, analytical):
            data = inputs[i].detach().numpy()
            u = rng.standard_normal(data.shape)
            orig = data.copy()
            data += eps * u
            plus = _eval_flat(fn, inputs)[j]
            data[...] = orig - eps * u
            minus = _eval_flat(fn, inputs)[j]
            data[...] = orig
            numerical = float(v @ (plus - minus) / (2 * eps))
            ana = float(g @ u.ravel())
            if not abs(ana - numerical) <= atol + rtol * abs(numerical):
                return _fail(f"Jacobian mismatch for output {j} with respect to input {i},\n"
                             f"numerical:{numerical}\nanalytical:{ana}\n(fast mode: v^T J u for random u, v)\n",
                             raise_exception)
    return True


def gradcheck(fn: Fn, inputs: Inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, fast_mode: bool = False) -> bool:
    """True when analytical and numerical derivatives agree (|a - n| <= atol + rtol * |n|)."""
    args = _as_tuple(inputs)
    if not _diff_inputs(args):
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of them have "
                         "requires_grad=True.")
    _check_dtypes(args)
    if fast_mode:
        return _fast_check(fn, args, eps, atol, rtol, raise_exception)
    numerical = _numerical_jacobians(fn, args, eps)
    analytical = _analytical_jacobians(fn, args)
    for i in numerical:
        for j, (n, a) in enumerate(zip(numerical[i], analytical[i])):
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                return _fail(f"Jacobian mismatch for output {j} with respect to input {i},\n"
                             f"numerical:{n}\nanalytical:{a}\n", raise_exception)
    return True


def gradgradcheck(fn: Fn, inputs: Inputs, grad_outputs: Optional[Inputs] = None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
                  fast_mode: bool = False) -> bool:
    """gradcheck of the gradient itself: checks second derivatives, with random (or given)
    grad_outputs that are themselves differentiated."""
    args = _as_tuple(inputs)
    outs = _outputs(fn, args)
    if grad_outputs is None:
        rng = np.random.default_rng(1)
        vs: List[Any] = [_C.from_numpy(rng.standard_normal(tuple(o.shape)).astype(o.detach().numpy().dtype))
                         .requires_grad_(True) for o in outs]
    else:
        vs = list(_as_tuple(grad_outputs))
    diff = _diff_inputs(args)
    n_in = len(args)

    def first_derivative(*xs_and_vs: Any) -> Tuple[Tensor, ...]:
        xs, gs = xs_and_vs[:n_in], xs_and_vs[n_in:]
        with enable_grad():  # gradcheck evaluates under no_grad; the first derivative needs a graph
            ys = _outputs(fn, xs)
            grads = autograd_grad(ys, [xs[i] for i in diff], list(gs), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, tuple(args) + tuple(vs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, fast_mode=fast_mode)
