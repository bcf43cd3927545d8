"""autograd.grad and autograd.backward with PyTorch's signatures."""
from .. import _C
from .._C import Tensor


def _as_list(x):
    if x is None:
        return None
    return [x] if isinstance(x, Tensor) else list(x)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False,
         is_grads_batched=False, materialize_grads=False):
    """Gradients of `outputs` with respect to `inputs`, returned (never accumulated in .grad)."""
    outputs, inputs = _as_list(outputs), _as_list(inputs)
    grad_outputs = _as_list(grad_outputs) or [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(grad_outputs)} "
                           f"grad_outputs and {len(outputs)} outputs")
    result = _C._grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused or materialize_grads)
    if materialize_grads:
        result = [g if g is not None else _C._full(tuple(i.shape), 0.0, i.dtype) for g, i in zip(result, inputs)]
    return tuple(result)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Runs backward from every tensor in `tensors` (with its gradient), accumulating into .grad."""
    tensors = _as_list(tensors)
    grad_tensors = _as_list(grad_tensors) or [None] * len(tensors)
    keep = retain_graph if retain_graph is not None else create_graph
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        t.backward(g, retain_graph=keep or i < len(tensors) - 1, create_graph=create_graph, inputs=inputs)
