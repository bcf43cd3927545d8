"""Adam and AdamW (PyTorch's update rules, amsgrad included), one fused native call per
parameter group. AdamW differs only in decoupling the weight decay from the gradient."""
from typing import Callable, List, Optional, Tuple

from .. import _C, Tensor, zeros_like
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
        # One native call per group, as SGD: the per-parameter loop (skip those without a
        # gradient, make memory contiguous, update) runs in C++. Python only keeps the state.
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            params = group["params"]
            exp_avgs: List[Optional[Tensor]] = []
            exp_avg_sqs: List[Optional[Tensor]] = []
            maxes: List[Optional[Tensor]] = []
            steps: List[int] = []
            for p in params:
                m = v = vmax = None
                step = 0
                if p.grad is not None:
                    state = self.state[p]
                    if not state:
                        state["step"] = 0
                        state["exp_avg"] = zeros_like(p)
                        state["exp_avg_sq"] = zeros_like(p)
                        if group["amsgrad"]:
                            state["max_exp_avg_sq"] = zeros_like(p)
                    # The step count is a plain int here (PyTorch keeps a tensor); state_dict stores it as is.
                    step = state["step"] = int(state["step"]) + 1
                    m, v, vmax = state["exp_avg"], state["exp_avg_sq"], state.get("max_exp_avg_sq")
                exp_avgs.append(m)
                exp_avg_sqs.append(v)
                maxes.append(vmax)
                steps.append(step)
            _C._optim.adam_step_group(params, exp_avgs, exp_avg_sqs, maxes, steps, float(group["lr"]), float(beta1),
                                      float(beta2), float(group["eps"]), float(group["weight_decay"]),
                                      bool(group["maximize"]), self._decoupled)
        return loss


class AdamW(Adam):
    _decoupled = True

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: Optional[bool] = None, capturable: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
