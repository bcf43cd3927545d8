"""autograd.grad and autograd.backward with PyTorch's signatures."""
from typing import Any, List, Optional, Sequence, Tuple, Union

from .. import _C
from .._C import Tensor

# One tensor or a sequence of them (autograd.grad's outputs/inputs, backward's tensors).
Tensors = Union[Tensor, Sequence[Tensor]]


def _as_list(x: Union[Tensor, Sequence[Any], None]) -> Optional[List[Any]]:
    if x is None:
        return None
    return [x] if isinstance(x, Tensor) else list(x)


def grad(outputs: Tensors, inputs: Tensors, grad_outputs: Union[Tensor, Sequence[Optional[Tensor]], None] = None,
         retain_graph: Optional[bool] = None, create_graph: bool = False, allow_unused: bool = False,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> Tuple[Optional[Tensor], ...]:
    """Gradients of `outputs` with respect to `inputs`, returned (never accumulated in .grad)."""
    outs, ins = _as_list(outputs) or [], _as_list(inputs) or []
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    grads: List[Optional[Tensor]] = _as_list(grad_outputs) or [None] * len(outs)
    if len(grads) != len(outs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(grads)} "
                           f"grad_outputs and {len(outs)} outputs")
    result = _C._grad(outs, ins, grads, retain_graph, create_graph, allow_unused or materialize_grads)
    if materialize_grads:
        result = [g if g is not None else _C._full(tuple(i.shape), 0.0, i.dtype) for g, i in zip(result, ins)]
    return tuple(result)


def backward(tensors: Tensors, grad_tensors: Union[Tensor, Sequence[Optional[Tensor]], None] = None,
             retain_graph: Optional[bool] = None, create_graph: bool = False,
             inputs: Optional[Tensors] = None) -> None:
    """Runs backward from every tensor in `tensors` (with its gradient), accumulating into .grad."""
    roots = _as_list(tensors) or []
    grad_list: List[Optional[Tensor]] = _as_list(grad_tensors) or [None] * len(roots)
    keep = retain_graph if retain_graph is not None else create_graph
    for i, (t, g) in enumerate(zip(roots, grad_list)):
        t.backward(g, retain_graph=keep or i < len(roots) - 1, create_graph=create_graph, inputs=inputs)
