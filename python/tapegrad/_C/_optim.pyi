"""
fused optimizer kernels behind tapegrad.optim
"""
from __future__ import annotations
import collections.abc
import tapegrad._C
import typing
__all__: list[str] = ['adam_step', 'adam_step_group', 'sgd_step', 'sgd_step_group', 'zero_grads']
def adam_step(param: tapegrad._C.Tensor, grad: tapegrad._C.Tensor, exp_avg: tapegrad._C.Tensor, exp_avg_sq: tapegrad._C.Tensor, max_exp_avg_sq: tapegrad._C.Tensor | None, step: typing.SupportsInt | typing.SupportsIndex, lr: typing.SupportsFloat | typing.SupportsIndex, beta1: typing.SupportsFloat | typing.SupportsIndex, beta2: typing.SupportsFloat | typing.SupportsIndex, eps: typing.SupportsFloat | typing.SupportsIndex, weight_decay: typing.SupportsFloat | typing.SupportsIndex, maximize: bool, decoupled: bool) -> None:
    ...
def adam_step_group(params: collections.abc.Sequence[tapegrad._C.Tensor], exp_avgs: collections.abc.Sequence[tapegrad._C.Tensor | None], exp_avg_sqs: collections.abc.Sequence[tapegrad._C.Tensor | None], max_exp_avg_sqs: collections.abc.Sequence[tapegrad._C.Tensor | None], steps: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex], lr: typing.SupportsFloat | typing.SupportsIndex, beta1: typing.SupportsFloat | typing.SupportsIndex, beta2: typing.SupportsFloat | typing.SupportsIndex, eps: typing.SupportsFloat | typing.SupportsIndex, weight_decay: typing.SupportsFloat | typing.SupportsIndex, maximize: bool, decoupled: bool) -> None:
    ...
def sgd_step(param: tapegrad._C.Tensor, grad: tapegrad._C.Tensor, momentum_buffer: tapegrad._C.Tensor | None, lr: typing.SupportsFloat | typing.SupportsIndex, momentum: typing.SupportsFloat | typing.SupportsIndex, dampening: typing.SupportsFloat | typing.SupportsIndex, weight_decay: typing.SupportsFloat | typing.SupportsIndex, nesterov: bool, maximize: bool, first_step: bool) -> None:
    ...
def sgd_step_group(params: collections.abc.Sequence[tapegrad._C.Tensor], momentum_buffers: collections.abc.Sequence[tapegrad._C.Tensor | None], first_steps: collections.abc.Sequence[bool], lr: typing.SupportsFloat | typing.SupportsIndex, momentum: typing.SupportsFloat | typing.SupportsIndex, dampening: typing.SupportsFloat | typing.SupportsIndex, weight_decay: typing.SupportsFloat | typing.SupportsIndex, nesterov: bool, maximize: bool) -> None:
    ...
def zero_grads(params: collections.abc.Sequence[tapegrad._C.Tensor], set_to_none: bool) -> None:
    """
    Drops (set_to_none) or zeroes in place, without recording, the .grad of each parameter.
    """
