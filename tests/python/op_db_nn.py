"""Op table entries for tapegrad.nn.functional (joined into op_db.OPS).

Ops with integer arguments (class targets, embedding indices) close over fixed ones, so only
the floating inputs are passed in (and gradchecked)."""
import math

import numpy as np

from op_db_types import OpEntry, S  # noqa: F401


def F(tg):
    return tg.nn.functional


_erf = np.vectorize(math.erf, otypes=[np.float64])
_TARGET = [1, 0, 4, 1]          # classes for a (4, 5) input
_TARGET_ND = [[0, 2], [1, 1]]   # classes for a (2, 3, 2) input (class dim 1)
_INDICES = [[0, 2], [3, 2]]     # rows of a (4, 3) embedding table


def _np_log_softmax(a, axis):
    z = a - a.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _np_nll(logp, t, weight=None, ignore_index=-100, reduction="mean"):
    logp, t = np.moveaxis(logp, 1, -1).reshape(-1, logp.shape[1]), np.asarray(t).reshape(-1)
    w = np.ones(logp.shape[1]) if weight is None else np.asarray(weight)
    keep = t != ignore_index
    tt = np.where(keep, t, 0)
    per = -logp[np.arange(len(tt)), tt] * w[tt] * keep
    if reduction == "sum":
        return per.sum()
    return per.sum() / (w[tt] * keep).sum()


def _np_layer_norm(a, n, w=None, b=None, eps=1e-5):
    axes = tuple(range(a.ndim - n, a.ndim))
    y = (a - a.mean(axis=axes, keepdims=True)) / np.sqrt(a.var(axis=axes, keepdims=True) + eps)
    return y * (1 if w is None else w) + (0 if b is None else b)


def _np_softplus(a):
    return np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))


# reflect / replicate / circular padding of the last k dims, against np.pad's reflect/edge/wrap.
_PAD_CASES = {1: ((2, 1), (2, 3, 4)), 2: ((1, 2, 2, 0), (3, 3, 4)), 3: ((1, 1, 0, 1, 1, 0), (1, 2, 3, 3))}
_PAD_NODES = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0",
              "circular": "torch::autograd::CopySlices"}  # PyTorch composes circular from slice copies


def _index_pad_entry(mode, k):
    pads, shape = _PAD_CASES[k]
    widths = [(pads[2 * i], pads[2 * i + 1]) for i in reversed(range(k))]
    np_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    op = "circular_pad" if mode == "circular" else f"{'reflection' if mode == 'reflect' else 'replication'}_pad{k}d"
    return OpEntry(op, lambda tg, a: F(tg).pad(a, pads, mode=mode),
                   lambda np, a: np.pad(a, [(0, 0)] * (a.ndim - k) + widths, mode=np_mode),
                   _PAD_NODES[mode].format(k), [S(shape)])


ACT_SAMPLES = [S((2, 3)), S(()), S((3, 4), layouts=("t",)), S((6, 2), layouts=("s",)), S((0, 3))]
SOFTMAX_SAMPLES = [S((2, 3)), S((2, 3, 4)), S((4, 3), layouts=("t",)), S((3,))]

NN_OPS = [
    # ---- activations ----
    OpEntry("leaky_relu", lambda tg, a: F(tg).leaky_relu(a, 0.2), lambda np, a: np.where(a > 0, a, 0.2 * a),
            "LeakyReluBackward0", ACT_SAMPLES, away_from_zero=0.1),
    OpEntry("leaky_relu", lambda tg, a: F(tg).leaky_relu(a), lambda np, a: np.where(a > 0, a, 0.01 * a),
            "LeakyReluBackward0", [S((3, 2))], away_from_zero=0.1),
    OpEntry("gelu", lambda tg, a: F(tg).gelu(a), lambda np, a: 0.5 * a * (1 + _erf(a / np.sqrt(2))),
            "GeluBackward0", ACT_SAMPLES),
    OpEntry("gelu", lambda tg, a: F(tg).gelu(a, approximate="tanh"),
            lambda np, a: 0.5 * a * (1 + np.tanh(np.sqrt(2 / np.pi) * (a + 0.044715 * a ** 3))),
            "GeluBackward0", ACT_SAMPLES),
    OpEntry("silu", lambda tg, a: F(tg).silu(a), lambda np, a: a / (1 + np.exp(-a)), "SiluBackward0", ACT_SAMPLES),
    OpEntry("elu", lambda tg, a: F(tg).elu(a), lambda np, a: np.where(a > 0, a, np.expm1(a)), "EluBackward0",
            ACT_SAMPLES, away_from_zero=0.1),
    OpEntry("elu", lambda tg, a: F(tg).elu(a, alpha=0.5), lambda np, a: np.where(a > 0, a, 0.5 * np.expm1(a)),
            "EluBackward0", [S((2, 3))], away_from_zero=0.1),
    OpEntry("softplus", lambda tg, a: F(tg).softplus(a), lambda np, a: _np_softplus(a),
            "SoftplusBackward0", ACT_SAMPLES),
    OpEntry("softplus", lambda tg, a: F(tg).softplus(a, beta=2.0), lambda np, a: _np_softplus(2 * a) / 2,
            "SoftplusBackward0", [S((3, 4))]),
    # ---- softmax ----
    OpEntry("softmax", lambda tg, a: F(tg).softmax(a, dim=-1),
            lambda np, a: np.exp(_np_log_softmax(a, -1)), "SoftmaxBackward0", SOFTMAX_SAMPLES),
    OpEntry("softmax", lambda tg, a: F(tg).softmax(a, 0), lambda np, a: np.exp(_np_log_softmax(a, 0)),
            "SoftmaxBackward0", [S((3, 4))]),
    OpEntry("log_softmax", lambda tg, a: F(tg).log_softmax(a, dim=1), lambda np, a: _np_log_softmax(a, 1),
            "LogSoftmaxBackward0", [S((2, 3)), S((2, 3, 4)), S((4, 3), layouts=("t",))]),
    # ---- linear ----
    OpEntry("linear", lambda tg, x, w, b: F(tg).linear(x, w, b), lambda np, x, w, b: x @ w.T + b, "AddmmBackward0",
            [S((3, 4), (5, 4), (5,)), S((3, 4), (5, 4), (5,), layouts=("t", "t", "c"))]),
    # other ranks go through a 2-D addmm and a view back, as in PyTorch
    OpEntry("view", lambda tg, x, w, b: F(tg).linear(x, w, b), lambda np, x, w, b: x @ w.T + b,
            "ViewBackward0", [S((2, 3, 4), (5, 4), (5,)), S((4,), (5, 4), (5,))]),
    # ---- losses ----
    OpEntry("mse_loss", lambda tg, a, b: F(tg).mse_loss(a, b), lambda np, a, b: ((a - b) ** 2).mean(),
            "MseLossBackward0", [S((2, 3), (2, 3)), S((4,), (4,)), S((3, 2), (3, 2), layouts=("t", "c"))]),
    OpEntry("mse_loss", lambda tg, a, b: F(tg).mse_loss(a, b, reduction="sum"), lambda np, a, b: ((a - b) ** 2).sum(),
            "MseLossBackward0", [S((2, 3), (2, 3))]),
    OpEntry("mse_loss", lambda tg, a, b: F(tg).mse_loss(a, b, reduction="none"), lambda np, a, b: (a - b) ** 2,
            "MseLossBackward0", [S((2, 3), (2, 3))]),
    OpEntry("nll_loss", lambda tg, a: F(tg).nll_loss(a, tg.tensor(_TARGET)), lambda np, a: _np_nll(a, _TARGET),
            "NllLossBackward0", [S((4, 5)), S((4, 5), layouts=("t",))]),
    OpEntry("nll_loss", lambda tg, a: F(tg).nll_loss(a, tg.tensor([1, -100, 4, 1]), reduction="sum"),
            lambda np, a: _np_nll(a, [1, -100, 4, 1], reduction="sum"), "NllLossBackward0", [S((4, 5))]),
    OpEntry("nll_loss",
            lambda tg, a: F(tg).nll_loss(a, tg.tensor(_TARGET), weight=tg.tensor([1.0, 2.0, 0.5, 1.0, 3.0], dtype=a.dtype)),
            lambda np, a: _np_nll(a, _TARGET, weight=[1.0, 2.0, 0.5, 1.0, 3.0]), "NllLossBackward0", [S((4, 5))]),
    # (N, C, d...) input: PyTorch's 2-D loss, reached through views for ranks other than 4
    OpEntry("nll_loss2d", lambda tg, a: F(tg).cross_entropy(a, tg.tensor(_TARGET_ND)),
            lambda np, a: _np_nll(_np_log_softmax(a, 1), _TARGET_ND), "NllLoss2DBackward0", [S((2, 3, 2))]),
    OpEntry("nll_loss2d", lambda tg, a: F(tg).nll_loss(a, tg.tensor([[[0, 2], [1, -100]]]), reduction="sum"),
            lambda np, a: _np_nll(a, [[[0, 2], [1, -100]]], reduction="sum"), "NllLoss2DBackward0", [S((1, 3, 2, 2))]),
    OpEntry("view", lambda tg, a: F(tg).nll_loss(a, tg.tensor(_TARGET_ND), reduction="none"),
            lambda np, a: -np.take_along_axis(a, np.array(_TARGET_ND)[:, None], 1)[:, 0], "ViewBackward0",
            [S((2, 3, 2))]),
    OpEntry("nll_loss", lambda tg, a: F(tg).cross_entropy(a, tg.tensor(_TARGET)),
            lambda np, a: _np_nll(_np_log_softmax(a, 1), _TARGET), "NllLossBackward0", [S((4, 5))]),
    OpEntry("binary_cross_entropy", lambda tg, a, b: F(tg).binary_cross_entropy(a, b),
            lambda np, a, b: -(b * np.log(a) + (1 - b) * np.log(1 - a)).mean(), "BinaryCrossEntropyBackward0",
            [S((2, 3), (2, 3)), S((5,), (5,))], low=0.1, high=0.9),
    OpEntry("binary_cross_entropy", lambda tg, a, b: F(tg).binary_cross_entropy(a, b, reduction="none"),
            lambda np, a, b: -(b * np.log(a) + (1 - b) * np.log(1 - a)), "BinaryCrossEntropyBackward0",
            [S((2, 3), (2, 3))], low=0.1, high=0.9),
    OpEntry("binary_cross_entropy_with_logits", lambda tg, a, b: F(tg).binary_cross_entropy_with_logits(a, b),
            lambda np, a, b: ((1 - b) * a + _np_softplus(-a)).mean(), "BinaryCrossEntropyWithLogitsBackward0",
            [S((2, 3), (2, 3)), S((3, 2), (3, 2), layouts=("t", "c"))]),
    OpEntry("binary_cross_entropy_with_logits",
            lambda tg, a, b: F(tg).binary_cross_entropy_with_logits(
                a, b, reduction="sum", pos_weight=tg.tensor([2.0, 0.5, 1.5], dtype=a.dtype)),
            lambda np, a, b: ((1 - b) * a + (1 + (np.array([2.0, 0.5, 1.5]) - 1) * b) * _np_softplus(-a)).sum(),
            "BinaryCrossEntropyWithLogitsBackward0", [S((2, 3), (2, 3))]),
    # ---- layer_norm, embedding, pad ----
    OpEntry("layer_norm", lambda tg, a: F(tg).layer_norm(a, (4,)), lambda np, a: _np_layer_norm(a, 1),
            "NativeLayerNormBackward0", [S((2, 3, 4)), S((3, 4), layouts=("s",))]),
    OpEntry("layer_norm", lambda tg, a, w, b: F(tg).layer_norm(a, (3, 4), w, b),
            lambda np, a, w, b: _np_layer_norm(a, 2, w, b), "NativeLayerNormBackward0", [S((2, 3, 4), (3, 4), (3, 4))]),
    OpEntry("embedding", lambda tg, w: F(tg).embedding(tg.tensor(_INDICES), w), lambda np, w: w[np.array(_INDICES)],
            "EmbeddingBackward0", [S((4, 3)), S((4, 3), layouts=("t",))]),
    OpEntry("pad", lambda tg, a: F(tg).pad(a, (1, 2)), lambda np, a: np.pad(a, [(0, 0)] * (a.ndim - 1) + [(1, 2)]),
            "ConstantPadNdBackward0", [S((2, 3)), S((3,)), S((3, 4), layouts=("t",))]),
    OpEntry("pad", lambda tg, a: F(tg).pad(a, (1, -1, 0, 2), value=0.5),
            lambda np, a: np.pad(a[:, :, :-1], [(0, 0), (0, 2), (1, 0)], constant_values=0.5),
            "ConstantPadNdBackward0", [S((2, 3, 4))]),
    *[_index_pad_entry(mode, k) for mode in ("reflect", "replicate") for k in (1, 2, 3)],
    _index_pad_entry("circular", 1),
]
