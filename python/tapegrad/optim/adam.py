"""Adam and AdamW (PyTorch's update rules, amsgrad included), one fused native call per
parameter. AdamW differs only in decoupling the weight decay from the gradient."""
from typing import Callable, Optional, Tuple

from .. import _C, zeros_like
from .optimizer import Optimizer, ParamsT


class Adam(Optimizer):
    _decoupled = False

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: Optional[bool] = None, capturable: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize))

    def step(self, closure: Optional[Callable[[], float]] = None) -> Optional[float]:
        loss = self._closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p, g in self._grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = zeros_like(p)
                    state["exp_avg_sq"] = zeros_like(p)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = zeros_like(p)
                # The step count is a plain int here (PyTorch keeps a tensor); state_dict stores it as is.
                state["step"] = int(state["step"]) + 1
                with self._writable(p) as target:
                    _C._optim.adam_step(target, g, state["exp_avg"], state["exp_avg_sq"],
                                        state.get("max_exp_avg_sq"), state["step"], float(group["lr"]),
                                        float(beta1), float(beta2), float(group["eps"]),
                                        float(group["weight_decay"]), bool(group["maximize"]), self._decoupled)
        return loss


class AdamW(Adam):
    _decoupled = True

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: Optional[bool] = None, capturable: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
