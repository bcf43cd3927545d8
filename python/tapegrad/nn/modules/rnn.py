"""RNNCell and LSTMCell: one time step each, so a loop in Python unrolls a sequence of any
length and builds a graph exactly as deep as that sequence."""
import math
from typing import Any, Optional, Tuple

from ... import _creation
from ..._C import Tensor, dtype as _dtype
from .. import functional as F, init
from ..parameter import Parameter
from .module import Module


class _CellBase(Module):
    weight_ih: Parameter
    weight_hh: Parameter
    bias_ih: Optional[Parameter]
    bias_hh: Optional[Parameter]

    def __init__(self, input_size: int, hidden_size: int, bias: bool, gates: int, dtype: Optional[_dtype]) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_creation.empty(gates * hidden_size, input_size, dtype=dtype))
        self.weight_hh = Parameter(_creation.empty(gates * hidden_size, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(_creation.empty(gates * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(_creation.empty(gates * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # PyTorch draws every cell weight and bias from U(-1/sqrt(hidden), 1/sqrt(hidden)).
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def _gates(self, input: Tensor, hx: Tensor) -> Tensor:
        return F.linear(input, self.weight_ih, self.bias_ih) + F.linear(hx, self.weight_hh, self.bias_hh)

    def _batched(self, input: Tensor, name: str) -> Tuple[Tensor, bool]:
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        return (input, True) if input.dim() == 2 else (input.unsqueeze(0), False)

    def _zeros(self, input: Tensor) -> Tensor:
        return _creation.zeros(input.shape[0], self.hidden_size, dtype=input.dtype)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        nl = getattr(self, "nonlinearity", "tanh")
        if nl != "tanh":
            s += f", nonlinearity={nl}"
        return s


class RNNCell(_CellBase):
    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Optional[_dtype] = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self_nl = nonlinearity
        super().__init__(input_size, hidden_size, bias, 1, dtype)
        self.nonlinearity = self_nl

    def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tensor:
        input, batched = self._batched(input, "RNNCell")
        hx = self._zeros(input) if hx is None else (hx if batched else hx.unsqueeze(0))
        pre = self._gates(input, hx)
        h = F.tanh(pre) if self.nonlinearity == "tanh" else F.relu(pre)
        return h if batched else h.squeeze(0)


class LSTMCell(_CellBase):
    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Optional[_dtype] = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, dtype)

    def forward(self, input: Tensor, hx: Optional[Tuple[Tensor, Tensor]] = None) -> Tuple[Tensor, Tensor]:
        input, batched = self._batched(input, "LSTMCell")
        if hx is None:
            h, c = self._zeros(input), self._zeros(input)
        else:
            h, c = (hx[0], hx[1]) if batched else (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        # Gate order i, f, g, o, as in PyTorch's weight layout, so weights transfer between them.
        i, f, g, o = self._gates(input, h).chunk(4, 1)
        c = F.sigmoid(f) * c + F.sigmoid(i) * F.tanh(g)
        h = F.sigmoid(o) * F.tanh(c)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))
