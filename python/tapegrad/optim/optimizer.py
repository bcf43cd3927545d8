"""Optimizer: param_groups with per-group defaults, per-parameter state, zero_grad and
state_dict round trips. Subclasses implement step() with one native call per parameter group,
which skips parameters without a gradient and handles strided memory in C++."""
import copy
from collections import defaultdict
from typing import Any, Callable, DefaultDict, Dict, Iterable, List, Optional, Union

from .._C import Tensor
from ..nn.parameter import zero_grads

# What an optimizer takes: tensors, or dicts that each hold "params" (tensors) and options.
ParamsT = Union[Iterable[Tensor], Iterable[Dict[str, Any]]]


class _RequiredParameter:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    def __init__(self, params: ParamsT, defaults: Dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: DefaultDict[Tensor, Dict[str, Any]] = defaultdict(dict)
        self.param_groups: List[Dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got " + type(params).__name__)
        groups: List[Any] = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, param_group: Dict[str, Any]) -> None:
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        param_group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in param_group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + type(p).__name__)
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        zero_grads([p for g in self.param_groups for p in g["params"]], set_to_none)

    def step(self, closure: Optional[Callable[[], float]] = None) -> Optional[float]:
        raise NotImplementedError

    # ---- state dicts: parameters are named by their position across groups, as in PyTorch ----
    def state_dict(self) -> Dict[str, Any]:
        index: Dict[int, int] = {}
        groups: List[Dict[str, Any]] = []
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            ids = []
            for p in g["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            packed["params"] = ids
            groups.append(packed)
        state = {index[id(p)]: {k: (v.clone() if isinstance(v, Tensor) else v) for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        saved = state_dict["param_groups"]
        if len(saved) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for ours, theirs in zip(self.param_groups, saved):
            if len(ours["params"]) != len(theirs["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size "
                                 "of optimizer's group")
        params: Dict[int, Tensor] = {}
        for ours, theirs in zip(self.param_groups, saved):
            for p, i in zip(ours["params"], theirs["params"]):
                params[int(i)] = p
        self.state = defaultdict(dict)
        for i, s in state_dict["state"].items():
            p = params.get(int(i))
            if p is None:
                continue
            # Buffers take the parameter's dtype (a float64 model may load a float32 checkpoint).
            self.state[p] = {k: (v.to(p.dtype).clone() if isinstance(v, Tensor) and k != "step" else v)
                             for k, v in s.items()}
        for ours, theirs in zip(self.param_groups, saved):
            for k, v in theirs.items():
                if k != "params":
                    ours[k] = copy.deepcopy(v)

    def __repr__(self) -> str:
        s = type(self).__name__ + " ("
        for i, g in enumerate(self.param_groups):
            s += f"\nParameter Group {i}"
            for k in sorted(g):
                if k != "params":
                    s += f"\n    {k}: {g[k]}"
        return s + "\n)"

    def _closure(self, closure: Optional[Callable[[], float]]) -> Optional[float]:
        if closure is None:
            return None
        from ..autograd.grad_mode import enable_grad
        with enable_grad():
            return closure()
