"""SGD with momentum, dampening, Nesterov and weight decay (PyTorch's update rule), one native
call per parameter group."""
from typing import Callable, List, Optional

from .. import _C, Tensor, zeros_like
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
        # One native call per group: the per-parameter loop (skip those without a gradient,
        # make memory contiguous, update) runs in C++. Python only finds the momentum buffers.
        for group in self.param_groups:
            momentum = float(group["momentum"])
            params = group["params"]
            buffers: List[Optional[Tensor]] = []
            first_steps: List[bool] = []
            if momentum != 0:  # as in PyTorch, a parameter has state only with momentum
                for p in params:
                    buf, first = None, False
                    if p.grad is not None:
                        state = self.state[p]
                        buf = state.get("momentum_buffer")
                        if buf is None:
                            buf, first = zeros_like(p), True
                            state["momentum_buffer"] = buf
                    buffers.append(buf)
                    first_steps.append(first)
            _C._optim.sgd_step_group(params, buffers, first_steps, float(group["lr"]), momentum,
                                     float(group["dampening"]), float(group["weight_decay"]),
                                     bool(group["nesterov"]), bool(group["maximize"]))
        return loss
