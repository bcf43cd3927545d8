"""The types of the op table (see op_db.py)."""
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np


@dataclass
class Sample:
    shapes: Sequence[tuple]
    # How each input is laid out: "c" contiguous, "t" a transposed view, "s" a slice with step 2.
    layouts: Sequence[str] = ()
    low: float = -2.0
    high: float = 2.0


@dataclass
class OpEntry:
    op: str
    fn: Callable
    ref: Callable
    node: str
    samples: Sequence = field(default_factory=list)
    low: float = -2.0     # input range (positive-only ops set low > 0)
    high: float = 2.0
    grad: bool = True     # false for ops whose gradient is zero or undefined everywhere sampled
    away_from_zero: float = 0.0  # keep |x| above this (kinks at 0)
    gradgrad: bool = True  # has a second derivative worth checking (gradgradcheck)
    no_derivative: bool = False  # backward raises NotImplementedError, as torch's (unique)
    torch_node: str = ""  # torch's grad_fn name where a composed op ends differently (quantile)
    gc_eps: float = 1e-6  # gradcheck step and tolerance (PyTorch's defaults)
    gc_atol: float = 1e-5
    torch_rtol: float = 1e-10  # vs PyTorch (test_vs_torch.py); looser where PyTorch's formula is less exact


def S(*shapes, layouts=()):
    return Sample(shapes=shapes, layouts=layouts)
