"""tapegrad.nn.functional: PyTorch's functional API (signatures, defaults, keyword names).

The ops themselves live in C++ (tapegrad._C._nn, csrc/ops/nn_*.cpp); this module only spells
them: reduction strings, legacy size_average/reduce, None-able weights, implicit dims. Ops that
PyTorch composes in Python (linear for N-d input, l1_loss, cross_entropy, dropout) are composed
here the same way, so their grad_fn names match.
"""
import operator
import warnings
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

import tapegrad as _tg
from tapegrad import _C
from tapegrad._C import Tensor

_nn = _C._nn

_REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}

__all__ = [
    "relu", "leaky_relu", "gelu", "silu", "elu", "softplus", "sigmoid", "tanh", "softmax",
    "log_softmax", "dropout", "linear", "mse_loss", "l1_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "layer_norm", "embedding",
    "one_hot", "pad",
]


def _reduction(size_average: Optional[bool], reduce: Optional[bool], reduction: str) -> int:
    """PyTorch's rule: the legacy flags, when given, override `reduction`."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if (size_average and reduce) else "sum" if reduce else "none"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _REDUCTIONS[reduction]


_LEGACY = {"float32": "Float", "float64": "Double", "int64": "Long", "bool": "Bool"}


def _legacy(t: Tensor) -> str:
    """PyTorch's legacy scalar type name of t's dtype ("Float"), as its messages spell it."""
    return _LEGACY[str(t.dtype).split(".")[-1]]


def _inplace(input: Tensor, out: Tensor) -> Tensor:
    """`inplace=True` for ops without an in-place kernel: write the result into `input`
    (recorded as a copy, so the node is CopyBackwards rather than PyTorch's XBackward1)."""
    input.copy_(out)
    return input


# ---- activations ----

def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return input.relu_() if inplace else _tg.relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    out = _nn.leaky_relu(input, float(negative_slope))
    return _inplace(input, out) if inplace else out


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh.")
    return _nn.gelu(input, approximate == "tanh")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    out = _nn.silu(input)
    return _inplace(input, out) if inplace else out


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    out = _nn.elu(input, float(alpha))
    return _inplace(input, out) if inplace else out


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return _nn.softplus(input, float(beta), float(threshold))


def sigmoid(input: Tensor) -> Tensor:
    return _tg.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    return _tg.tanh(input)


def _softmax_dim(ndim: int) -> int:
    # PyTorch's legacy choice when dim is not given (with the same deprecation warning).
    warnings.warn("Implicit dimension choice for softmax has been deprecated. "
                  "Change the call to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3, dtype: Optional[_C.dtype] = None) -> Tensor:
    if dim is None:
        dim = _softmax_dim(input.dim())
    if dtype is not None:
        input = input.to(dtype)
    return _nn.softmax(input, dim)


def log_softmax(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3,
                dtype: Optional[_C.dtype] = None) -> Tensor:
    if dim is None:
        dim = _softmax_dim(input.dim())
    if dtype is not None:
        input = input.to(dtype)
    return _nn.log_softmax(input, dim)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p != p:  # NaN passes both comparisons above; PyTorch's native check refuses it
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    # input * (keep mask / (1 - p)): the mask is a constant, so the node is MulBackward0.
    out = input * _nn.dropout_mask(input, float(p))
    return _inplace(input, out) if inplace else out


# ---- linear ----

def linear(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    # PyTorch's checks and the 2-D / n-D dispatch run in C++ (csrc/ops/nn_layers.cpp): every
    # layer of every model comes through here.
    return _nn.linear(input, weight, bias)


# ---- losses ----

def _check_same_size(input: Tensor, target: Tensor) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"Using a target size ({_size(target)}) that is different to the input size "
            f"({_size(input)}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", stacklevel=3)


def _size(t: Tensor) -> str:
    return f"torch.Size({list(t.shape)})"


def _broadcast_pair(input: Tensor, target: Tensor) -> Tuple[Tensor, Tensor]:
    """PyTorch's losses broadcast both sides first (then a 0-d side promotes like any other)."""
    if tuple(input.shape) == tuple(target.shape):
        return input, target
    try:
        shape = np.broadcast_shapes(tuple(input.shape), tuple(target.shape))
    except ValueError:
        return input, target  # the op raises PyTorch's size mismatch
    return input.expand(shape), target.expand(shape)


def mse_loss(input: Tensor, target: Tensor, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
             reduction: str = "mean", weight: Optional[Tensor] = None) -> Tensor:
    r = _reduction(size_average, reduce, reduction)
    _check_same_size(input, target)
    input, target = _broadcast_pair(input, target)
    if weight is not None:
        loss = weight * (input - target) ** 2
        return loss if r == 0 else loss.mean() if r == 1 else loss.sum()
    return _nn.mse_loss(input, target, r)


def l1_loss(input: Tensor, target: Tensor, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
            reduction: str = "mean", weight: Optional[Tensor] = None) -> Tensor:
    r = _reduction(size_average, reduce, reduction)
    _check_same_size(input, target)
    input, target = _broadcast_pair(input, target)
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return loss if r == 0 else loss.mean() if r == 1 else loss.sum()


def nll_loss(input: Tensor, target: Tensor, weight: Optional[Tensor] = None, size_average: Optional[bool] = None,
             ignore_index: int = -100, reduce: Optional[bool] = None, reduction: str = "mean") -> Tensor:
    r = _reduction(size_average, reduce, reduction)
    return _nn.nll(input, target, weight, int(ignore_index), r)


def cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                  size_average: Optional[bool] = None, ignore_index: int = -100, reduce: Optional[bool] = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    r = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    probabilities = target.dtype != _tg.int64 and tuple(target.shape) == tuple(input.shape)
    if not probabilities and label_smoothing == 0.0:  # the usual case, in one native call
        return _nn.cross_entropy(input, target, weight, int(ignore_index), r)
    class_dim = 0 if input.dim() == 1 else 1
    logp = log_softmax(input, class_dim)
    if probabilities:
        return _cross_entropy_probs(logp, target, weight, r, label_smoothing, class_dim)
    nll = _nn.nll(logp, target, weight, int(ignore_index), r)
    return _label_smoothed(nll, logp, target, weight, ignore_index, r, label_smoothing, class_dim)


def _class_view(weight: Tensor, logp: Tensor, class_dim: int) -> Tensor:
    """weight (C,) shaped to broadcast along logp's class dim."""
    return weight.view(*([-1] + [1] * (logp.dim() - class_dim - 1)))


def _cross_entropy_probs(logp: Tensor, target: Tensor, weight: Optional[Tensor], r: int, eps: float,
                         class_dim: int) -> Tensor:
    n_classes = logp.shape[class_dim]
    if eps > 0:
        target = target * (1 - eps) + eps / n_classes
    prod = logp * target
    if weight is not None:
        prod = prod * _class_view(weight, logp, class_dim)
    loss = -prod.sum(class_dim)
    if r == 0:
        return loss
    if r == 2:
        return loss.sum()
    batch = logp.numel() // n_classes
    return loss.sum() / batch


def _label_smoothed(nll: Tensor, logp: Tensor, target: Tensor, weight: Optional[Tensor], ignore_index: int, r: int,
                    eps: float, class_dim: int) -> Tensor:
    n_classes = logp.shape[class_dim]
    w = logp if weight is None else logp * _class_view(weight, logp, class_dim)
    smooth = -w.sum(class_dim)
    keep = (target != ignore_index)
    smooth = _tg.where(keep, smooth, _tg.zeros_like(smooth))
    if r == 2:
        smooth = smooth.sum()
    elif r == 1:
        denom = keep.sum() if weight is None else _weight_total(weight, target, keep)
        smooth = smooth.sum() / denom
    return nll * (1 - eps) + smooth * (eps / n_classes)


def _weight_total(weight: Tensor, target: Tensor, keep: Tensor) -> Tensor:
    # sum of weight[target] over kept targets, via one_hot (no gather op needed)
    t = _tg.where(keep, target, _tg.zeros_like(target))
    oh = one_hot(t, weight.shape[0]).to(weight.dtype)
    return ((oh * weight).sum(-1) * keep.to(weight.dtype)).sum()


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                         size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                         reduction: str = "mean") -> Tensor:
    r = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({_size(target)}) that is different to the input size ({_size(input)}) "
                         "is deprecated. Please ensure they have the same size.")
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {_legacy(target)} but expected {_legacy(input)}")
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        weight = weight.expand(*input.shape)
    return _nn.binary_cross_entropy(input, target, weight, r)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                                     size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                                     reduction: str = "mean", pos_weight: Optional[Tensor] = None) -> Tensor:
    r = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({_size(target)}) must be the same as input size ({_size(input)})")
    if pos_weight is not None and pos_weight.dim() > 0:
        try:
            shape = np.broadcast_shapes(tuple(input.shape), tuple(pos_weight.shape))
        except ValueError:
            shape = None  # the op raises PyTorch's size mismatch
        if shape is not None and shape != tuple(input.shape):
            # PyTorch scales a result of input's shape in place by the broadcast pos_weight.
            raise RuntimeError(f"output with shape {list(input.shape)} doesn't match the broadcast shape {list(shape)}")
    if target.dtype.is_floating_point:
        # PyTorch computes into a tensor of target's dtype ((1 - target).mul_(input) ...).
        def _as_target_dtype(t: Optional[Tensor]) -> Optional[Tensor]:
            if t is None or t.dtype == target.dtype or not t.dtype.is_floating_point:
                return t
            return t.to(target.dtype)
        input = input.to(target.dtype) if input.dtype.is_floating_point else input
        weight, pos_weight = _as_target_dtype(weight), _as_target_dtype(pos_weight)
    return _nn.binary_cross_entropy_with_logits(input, target, weight, pos_weight, r)


# ---- normalisation, embedding, one_hot, pad ----

def layer_norm(input: Tensor, normalized_shape: Union[int, Sequence[int]], weight: Optional[Tensor] = None,
               bias: Optional[Tensor] = None, eps: float = 1e-5) -> Tensor:
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    n = len(normalized_shape)
    if n == 0 or tuple(input.shape[input.dim() - n:]) != normalized_shape or n > input.dim():
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in normalized_shape)}], but got input of size"
            f"{_size(input)[len('torch.Size('):-1]}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got "
                               f"{name} of shape {list(t.shape)} and normalized_shape = "
                               f"{list(normalized_shape)}")
    # PyTorch's CPU dtype checks: a first parameter of another dtype means "mixed" (only
    # float32 parameters with a reduced-precision input are allowed); else each must match.
    params = [t for t in (weight, bias) if t is not None]
    if params and params[0].dtype != input.dtype:
        if any(t.dtype != _tg.float32 for t in params):
            raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
    for t in params:
        if t.dtype != input.dtype:
            raise RuntimeError(f"expected scalar type {_legacy(input)} but found {_legacy(t)}")
    return _nn.layer_norm(input, n, weight, bias, float(eps))


def embedding(input: Tensor, weight: Tensor, padding_idx: Optional[int] = None, max_norm: Optional[float] = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < weight.size(0), "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -weight.size(0), "Padding_idx must be within num_embeddings"
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if weight.dim() == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if weight.dim() == 2 and weight.shape[0] == 0 and input.numel() > 0:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: max_norm, scale_grad_by_freq and sparse are not supported")
    return _nn.embedding(weight, input, padding_idx)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    return _nn.one_hot(tensor, int(num_classes))


_PAD_MODES = {"reflect": 0, "replicate": 1, "circular": 2}


def _int_tuple(values: Sequence[int], fname: str, arg: str, position: int) -> List[int]:
    """A tuple-of-ints argument as PyTorch's parser takes it: ints, bools or objects with __index__ (not
    floats), with its TypeError otherwise."""
    where = f"{fname}(): argument '{arg}' (position {position}) must be tuple of ints"
    if not isinstance(values, (tuple, list)):
        raise TypeError(f"{where}, not {type(values).__name__}")
    out = []
    for pos, v in enumerate(values):
        if isinstance(v, float) or not hasattr(type(v), "__index__"):
            if pos == 0:
                raise TypeError(f"{where}, but found element of type {type(v).__name__} at pos 0")
            raise TypeError(f"{fname}(): argument '{arg}' failed to unpack the object at pos {pos + 1} with error "
                            f"\"type must be tuple of ints,but got {type(v).__name__}\"")
        out.append(operator.index(v))
    return out


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: Optional[float] = None) -> Tensor:
    pad = _int_tuple(pad, "pad", "pad", 2)
    if mode == "constant":
        return _nn.constant_pad(input, pad, 0.0 if value is None else value)  # an int stays exact
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise ValueError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if len(pad) > 2 * input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.dim()}")
    # PyTorch's rule: k padded dims need k + 1 (unbatched) or k + 2 (batched) input dims.
    if not (1 <= k <= 3 and input.dim() in (k + 1, k + 2)):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    non_batch = tuple(input.shape)[1:] if input.dim() == k + 2 else tuple(input.shape)
    if mode != "circular" and 0 in non_batch:
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {list(input.shape)}")
    return _nn.index_pad(input, pad, _PAD_MODES[mode])
