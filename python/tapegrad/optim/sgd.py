"""SGD with momentum, dampening, Nesterov and weight decay (PyTorch's update rule), one fused
native call per parameter."""
from .. import _C, zeros_like
from .optimizer import Optimizer, required


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None) -> None:
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

    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            for p, g in self._grads(group):
                state = self.state[p]
                buf, first = None, False
                if group["momentum"] != 0:
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf, first = zeros_like(p), True
                        state["momentum_buffer"] = buf
                with self._writable(p) as target:
                    _C._optim.sgd_step(target, g, buf, float(group["lr"]), float(group["momentum"]),
                                       float(group["dampening"]), float(group["weight_decay"]),
                                       bool(group["nesterov"]), bool(group["maximize"]), first)
        return loss
