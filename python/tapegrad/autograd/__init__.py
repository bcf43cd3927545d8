"""tapegrad.autograd: Variable (a Tensor, as in PyTorch >= 0.4), backward, grad mode."""
from .._C import Tensor
from .grad_mode import no_grad, enable_grad, set_grad_enabled  # noqa: F401
from .variable import Variable  # noqa: F401


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False):
    """Calls .backward() on each of `tensors` with its gradient (PyTorch's autograd.backward)."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
        grad_tensors = [grad_tensors]
    elif grad_tensors is None:
        grad_tensors = [None] * len(tensors)
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        keep = retain_graph if retain_graph is not None else create_graph
        t.backward(g, retain_graph=keep or i < len(tensors) - 1, create_graph=create_graph)
from .gradcheck import gradcheck, GradcheckError  # noqa: E402,F401
