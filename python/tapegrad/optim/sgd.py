"""SGD with momentum, dampening, Nesterov and weight decay (PyTorch's update rule), one fused
native call per parameter."""
from typing import Any, Callable, Optional

from .. import _C, zeros_like
from .optimizer import Optimizer, ParamsT, required


class SGD(Optimizer):
    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: Optional[bool] = None, differentiable: bool = False, fused: Optional[bool] = None) -> None:
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize))

    def step(self, closure: Optional[Callable[[], float]] = None) -> Optional[float]:
        loss = self._closure(closure)
        sgd_step = _C._optim.sgd_step
        # The loop body runs once per parameter per step: the group's settings are read once,
        # and the common case (contiguous parameter, no momentum) is one native call.
        for group in self.param_groups:
            lr, momentum = float(group["lr"]), float(group["momentum"])
            dampening, weight_decay = float(group["dampening"]), float(group["weight_decay"])
            nesterov, maximize = bool(group["nesterov"]), bool(group["maximize"])
            for p, g in self._grads(group):
                buf: Any = None
                first = False
                if momentum != 0:  # as in PyTorch, a parameter has state only with momentum
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf, first = zeros_like(p), True
                        state["momentum_buffer"] = buf
                if p.is_contiguous():
                    sgd_step(p, g, buf, lr, momentum, dampening, weight_decay, nesterov, maximize, first)
                    continue
                with self._writable(p) as target:
                    sgd_step(target, g, buf, lr, momentum, dampening, weight_decay, nesterov, maximize, first)
        return loss
