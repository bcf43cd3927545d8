"""gradcheck: compares the gradients backward computes with central finite differences.

For f: inputs -> outputs, the analytical Jacobian comes from one backward pass per output
element (a one-hot grad_output); the numerical one from perturbing every input element by
+-eps in place (through a numpy view of the leaf's memory) and re-running f under no_grad.
"""
import warnings

import numpy as np

from .. import _C
from .grad_mode import no_grad


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn, inputs):
    return [o for o in _as_tuple(fn(*inputs)) if isinstance(o, _C.Tensor)]


def _numerical_jacobians(fn, inputs, eps):
    """jac[i][j] has shape (inputs[i].numel(), outputs[j].numel())."""
    with no_grad():
        outs = _outputs(fn, inputs)
    jacs = []
    for inp in inputs:
        if not (isinstance(inp, _C.Tensor) and inp.requires_grad):
            jacs.append(None)
            continue
        data = inp.detach().numpy()  # shares memory with the leaf
        per_out = [np.zeros((inp.numel(), o.numel())) for o in outs]
        for k, idx in enumerate(np.ndindex(*data.shape)):
            orig = data[idx].item()
            data[idx] = orig + eps
            with no_grad():
                plus = [o.detach().numpy().astype(np.float64).ravel() for o in _outputs(fn, inputs)]
            data[idx] = orig - eps
            with no_grad():
                minus = [o.detach().numpy().astype(np.float64).ravel() for o in _outputs(fn, inputs)]
            data[idx] = orig
            for j in range(len(outs)):
                per_out[j][k] = (plus[j] - minus[j]) / (2 * eps)
        jacs.append(per_out)
    return jacs


def _analytical_jacobians(fn, inputs):
    outs = _outputs(fn, inputs)
    diff_inputs = [i for i, t in enumerate(inputs) if isinstance(t, _C.Tensor) and t.requires_grad]
    jacs = [None if i not in diff_inputs else [np.zeros((inputs[i].numel(), o.numel())) for o in outs]
            for i in range(len(inputs))]
    for j, out in enumerate(outs):
        if not out.requires_grad:
            continue
        flat = np.zeros(out.numel(), dtype=out.detach().numpy().dtype)
        for k in range(out.numel()):
            for i in diff_inputs:
                inputs[i].grad = None
            flat[:] = 0
            flat[k] = 1
            grad_out = _C.from_numpy(flat.reshape(tuple(out.shape)).copy())
            out.backward(grad_out, retain_graph=True)
            for i in diff_inputs:
                g = inputs[i].grad
                if g is not None:
                    jacs[i][j][:, k] = g.numpy().astype(np.float64).ravel()
    for i in diff_inputs:
        inputs[i].grad = None
    return jacs


def gradcheck(fn, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """True when analytical and numerical Jacobians agree (|a - n| <= atol + rtol * |n|)."""
    inputs = _as_tuple(inputs)
    for i, t in enumerate(inputs):
        if isinstance(t, _C.Tensor) and t.requires_grad and t.dtype != _C.dtype.float64:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point. "
                          "This check will likely fail if all the inputs are not of double precision floating point.")
    numerical = _numerical_jacobians(fn, inputs, eps)
    analytical = _analytical_jacobians(fn, inputs)
    for i, (num, ana) in enumerate(zip(numerical, analytical)):
        if num is None:
            continue
        for j, (n, a) in enumerate(zip(num, ana)):
            if not np.allclose(a, n, rtol=rtol, atol=atol, equal_nan=False):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"Jacobian mismatch for output {j} with respect to input {i},\n"
                    f"numerical:{n}\nanalytical:{a}\n")
    return True
