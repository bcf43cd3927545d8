"""The op table: every differentiable op of tapegrad, with sample inputs and a numpy reference.

How to add an op: register its struct in csrc/ops (name + PyTorch node name), then add one
OpEntry here with
  - `op`: the registry name (tapegrad._C._registered_ops() lists them; the coverage test fails
    until every registered op has an entry),
  - `fn(tg, *tensors)`: how a user calls it (method, function or operator),
  - `ref(np, *arrays)`: the same computation in numpy,
  - `node`: the grad_fn name PyTorch gives the result,
  - `samples`: lists of input shapes (or Sample objects for non-contiguous / special inputs).
Samples avoid kinks and ties (abs at 0, relu at 0, ...) so that finite differences are valid.
test_ops.py runs every entry: forward vs numpy in float32 and float64, the grad_fn name, and a
float64 central-difference gradcheck of every input.
"""
import math

import numpy as np

from op_db_types import OpEntry, S, Sample  # noqa: F401


BINARY_SAMPLES = [
    S((2, 3), (2, 3)),
    S((2, 3), (3,)),              # broadcasting
    S((2, 1, 3), (4, 1)),         # broadcasting both ways
    S((), (2, 2)),                # 0-d
    S((), ()),
    S((3, 2), (3, 2), layouts=("t", "c")),   # non-contiguous
    S((2, 3), (2, 3), layouts=("s", "c")),   # stepped slice
]
UNARY_SAMPLES = [S((2, 3)), S(()), S((3, 4), layouts=("t",)), S((6, 2), layouts=("s",)), S((0, 3))]
DIM_SAMPLES = [S((2, 3, 4)), S((3,)), S((4, 3), layouts=("t",)), S((6, 2), layouts=("s",))]
REDUCE_SAMPLES = [S((2, 3, 4)), S((3,)), S(()), S((4, 3), layouts=("t",))]


def _np_erf(a):
    return np.vectorize(math.erf, otypes=[a.dtype])(a)


def _np_sum_dims(a, dims, keepdim):
    return np.sum(a, axis=dims, keepdims=keepdim)


def _put(a, key, value):
    """c = a copy of a; c[key] = value; works for tapegrad, torch and numpy alike."""
    c = a.clone() if hasattr(a, "clone") else a.copy()
    c[key] = value
    return c


_GATHER_IDX = [[0, 0], [2, 1]]
_SCATTER_IDX = [[0], [2]]


def _np_scatter_add(a, idx, src):
    c = a.copy()
    idx = np.asarray(idx)
    rows = np.arange(idx.shape[0])[:, None].repeat(idx.shape[1], 1)
    np.add.at(c, (rows, idx), src[:, :idx.shape[1]])
    return c


def _np_scatter(a, idx, src):
    c = a.copy()
    idx = np.asarray(idx)
    rows = np.arange(idx.shape[0])[:, None].repeat(idx.shape[1], 1)
    c[rows, idx] = src if np.ndim(src) == 0 else src[:, :idx.shape[1]]
    return c


OPS = [
    # ---- binary arithmetic ----
    OpEntry("add", lambda tg, a, b: a + b, lambda np, a, b: a + b, "AddBackward0", BINARY_SAMPLES),
    OpEntry("sub", lambda tg, a, b: a - b, lambda np, a, b: a - b, "SubBackward0", BINARY_SAMPLES),
    OpEntry("mul", lambda tg, a, b: a * b, lambda np, a, b: a * b, "MulBackward0", BINARY_SAMPLES),
    OpEntry("div", lambda tg, a, b: a / b, lambda np, a, b: a / b, "DivBackward0", BINARY_SAMPLES,
            low=0.5, high=2.0),
    OpEntry("pow", lambda tg, a, b: a ** b, lambda np, a, b: a ** b, "PowBackward1", BINARY_SAMPLES,
            low=0.5, high=2.0),
    OpEntry("pow_scalar", lambda tg, a: a ** 3, lambda np, a: a ** 3, "PowBackward0", UNARY_SAMPLES),
    OpEntry("pow_scalar_base", lambda tg, a: 2.5 ** a, lambda np, a: 2.5 ** a, "PowBackward2", UNARY_SAMPLES),
    OpEntry("rsub", lambda tg, a: 2 - a, lambda np, a: 2 - a, "RsubBackward1", UNARY_SAMPLES),
    # ---- unary ----
    OpEntry("neg", lambda tg, a: -a, lambda np, a: -a, "NegBackward0", UNARY_SAMPLES),
    OpEntry("exp", lambda tg, a: a.exp(), lambda np, a: np.exp(a), "ExpBackward0", UNARY_SAMPLES),
    OpEntry("log", lambda tg, a: tg.log(a), lambda np, a: np.log(a), "LogBackward0", UNARY_SAMPLES,
            low=0.2, high=3.0),
    OpEntry("sqrt", lambda tg, a: a.sqrt(), lambda np, a: np.sqrt(a), "SqrtBackward0", UNARY_SAMPLES,
            low=0.2, high=3.0),
    OpEntry("tanh", lambda tg, a: a.tanh(), lambda np, a: np.tanh(a), "TanhBackward0", UNARY_SAMPLES),
    OpEntry("sigmoid", lambda tg, a: tg.sigmoid(a), lambda np, a: 1 / (1 + np.exp(-a)), "SigmoidBackward0",
            UNARY_SAMPLES),
    OpEntry("relu", lambda tg, a: a.relu(), lambda np, a: np.maximum(a, 0), "ReluBackward0", UNARY_SAMPLES,
            away_from_zero=0.1),
    OpEntry("abs", lambda tg, a: abs(a), lambda np, a: np.abs(a), "AbsBackward0", UNARY_SAMPLES,
            away_from_zero=0.1),
    OpEntry("sign", lambda tg, a: a.sign(), lambda np, a: np.sign(a), "SignBackward0", UNARY_SAMPLES,
            away_from_zero=0.1),
    OpEntry("reciprocal", lambda tg, a: a.reciprocal(), lambda np, a: 1 / a, "ReciprocalBackward0",
            UNARY_SAMPLES, away_from_zero=0.3),
    OpEntry("where", lambda tg, a, b: tg.where(a > 0, a, b), lambda np, a, b: np.where(a > 0, a, b),
            "WhereBackward0", BINARY_SAMPLES, away_from_zero=0.1),
    # ---- reductions ----
    OpEntry("sum", lambda tg, a: a.sum(), lambda np, a: np.sum(a), "SumBackward0", REDUCE_SAMPLES + [S((0, 3))]),
    OpEntry("sum_dim", lambda tg, a: a.sum(-1), lambda np, a: np.sum(a, axis=-1), "SumBackward1", REDUCE_SAMPLES),
    OpEntry("sum_dim", lambda tg, a: a.sum((0, -1), keepdim=True),
            lambda np, a: np.sum(a, axis=(0, -1) if a.ndim > 1 else 0, keepdims=True), "SumBackward1",
            [S((2, 3, 4)), S((4, 3), layouts=("t",))]),
    OpEntry("mean", lambda tg, a: a.mean(), lambda np, a: np.mean(a), "MeanBackward0", REDUCE_SAMPLES),
    OpEntry("mean_dim", lambda tg, a: a.mean(dim=0, keepdim=True), lambda np, a: np.mean(a, axis=0, keepdims=True),
            "MeanBackward1", [S((2, 3, 4)), S((3,)), S((4, 3), layouts=("t",))]),
    OpEntry("norm", lambda tg, a: a.norm(), lambda np, a: np.sqrt(np.sum(a * a)), "LinalgVectorNormBackward0",
            REDUCE_SAMPLES, away_from_zero=0.1),
    OpEntry("norm", lambda tg, a: a.norm(p=3, dim=1), lambda np, a: np.sum(np.abs(a) ** 3, axis=1) ** (1 / 3),
            "LinalgVectorNormBackward0", [S((2, 3, 4)), S((4, 3), layouts=("t",))], away_from_zero=0.1),
    OpEntry("norm", lambda tg, a: a.norm(p=1, dim=-1, keepdim=True),
            lambda np, a: np.sum(np.abs(a), axis=-1, keepdims=True), "LinalgVectorNormBackward0",
            [S((2, 3)), S((5,))], away_from_zero=0.1),
    # ---- linear algebra ----
    OpEntry("mm", lambda tg, a, b: a.mm(b), lambda np, a, b: a @ b, "MmBackward0",
            [S((2, 3), (3, 4)), S((2, 3), (3, 4), layouts=("t", "c")), S((2, 3), (3, 4), layouts=("c", "t")),
             S((2, 3), (3, 2), layouts=("s", "c")), S((2, 0), (0, 3))]),
    OpEntry("mm", lambda tg, a, b: a @ b, lambda np, a, b: a @ b, "MmBackward0", [S((5, 4), (4, 3))]),
    OpEntry("bmm", lambda tg, a, b: tg.bmm(a, b), lambda np, a, b: a @ b, "BmmBackward0",
            [S((2, 3, 4), (2, 4, 5))]),
    OpEntry("mv", lambda tg, a, b: a @ b, lambda np, a, b: a @ b, "MvBackward0",
            [S((3, 4), (4,)), S((3, 4), (4,), layouts=("t", "c"))]),
    OpEntry("dot", lambda tg, a, b: a @ b, lambda np, a, b: a @ b, "DotBackward0", [S((4,), (4,))]),
    OpEntry("squeeze_dims", lambda tg, a, b: a @ b, lambda np, a, b: a @ b, "SqueezeBackward4",
            [S((3,), (3, 4))]),
    OpEntry("unsafe_view", lambda tg, a, b: a @ b, lambda np, a, b: a @ b, "UnsafeViewBackward0",
            [S((2, 3, 4), (2, 4, 5)), S((2, 2, 3, 4), (4, 5)), S((4,), (2, 4, 3)), S((2, 3, 4), (4,))]),
    # ---- shape and layout ----
    OpEntry("view", lambda tg, a: a.view(-1), lambda np, a: a.reshape(-1), "ViewBackward0",
            [S((2, 3)), S(()), S((2, 3, 4))]),
    OpEntry("view", lambda tg, a: a.reshape(3, 2), lambda np, a: a.reshape(3, 2), "ViewBackward0", [S((2, 3))]),
    OpEntry("clone", lambda tg, a: a.clone(), lambda np, a: a.copy(), "CloneBackward0", UNARY_SAMPLES),
    OpEntry("transpose", lambda tg, a: a.transpose(0, -1), lambda np, a: np.swapaxes(a, 0, -1),
            "TransposeBackward0", [S((2, 3)), S((2, 3, 4)), S((3, 4), layouts=("t",))]),
    OpEntry("t", lambda tg, a: a.t(), lambda np, a: a.T, "TBackward0", [S((2, 3)), S((3,)), S(())]),
    OpEntry("permute", lambda tg, a: a.permute(2, 0, 1), lambda np, a: np.transpose(a, (2, 0, 1)),
            "PermuteBackward0", [S((2, 3, 4))]),
    OpEntry("permute", lambda tg, a: a.T, lambda np, a: a.T, "PermuteBackward0", [S((2, 3)), S((2, 3, 4))]),
    OpEntry("unsqueeze", lambda tg, a: a.unsqueeze(1), lambda np, a: np.expand_dims(a, 1), "UnsqueezeBackward0",
            [S((2, 3)), S((3,)), S((3, 4), layouts=("t",))]),
    OpEntry("squeeze", lambda tg, a: a.squeeze(), lambda np, a: np.squeeze(a), "SqueezeBackward0",
            [S((2, 1, 3)), S((1, 1)), S((3,))]),
    OpEntry("squeeze_dim", lambda tg, a: a.squeeze(1), lambda np, a: np.squeeze(a, 1) if a.shape[1] == 1 else a,
            "SqueezeBackward1", [S((2, 1, 3)), S((2, 3))]),
    OpEntry("expand", lambda tg, a: a.expand(2, 3, 4), lambda np, a: np.broadcast_to(a, (2, 3, 4)),
            "ExpandBackward0", [S((3, 1)), S((4,)), S(()), S((1, 3, 4))]),
    # float64 -> float32 and back: a float32 step needs a coarser finite-difference step.
    OpEntry("to", lambda tg, a: a.float() if a.dtype == tg.float64 else a.double(),
            lambda np, a: a.astype(np.float32 if a.dtype == np.float64 else np.float64), "ToCopyBackward0",
            [S((2, 3))], gc_eps=1e-3, gc_atol=1e-3),
    # ---- more math (binary.cpp, unary.cpp, where_clamp_lerp.cpp) ----
    OpEntry("remainder", lambda tg, a, b: a % b, lambda np, a, b: np.remainder(a, b), "RemainderBackward1",
            BINARY_SAMPLES, low=0.5, high=2.0),
    OpEntry("remainder_scalar", lambda tg, a: a % 1.5, lambda np, a: np.remainder(a, 1.5), "RemainderBackward0",
            UNARY_SAMPLES),
    OpEntry("log1p", lambda tg, a: a.log1p(), lambda np, a: np.log1p(a), "Log1PBackward0", UNARY_SAMPLES,
            low=-0.5, high=2.0),
    OpEntry("expm1", lambda tg, a: tg.expm1(a), lambda np, a: np.expm1(a), "Expm1Backward0", UNARY_SAMPLES),
    OpEntry("log2", lambda tg, a: a.log2(), lambda np, a: np.log2(a), "Log2Backward0", UNARY_SAMPLES,
            low=0.2, high=3.0),
    OpEntry("sin", lambda tg, a: a.sin(), lambda np, a: np.sin(a), "SinBackward0", UNARY_SAMPLES),
    OpEntry("cos", lambda tg, a: tg.cos(a), lambda np, a: np.cos(a), "CosBackward0", UNARY_SAMPLES),
    OpEntry("tan", lambda tg, a: a.tan(), lambda np, a: np.tan(a), "TanBackward0", UNARY_SAMPLES, low=-1.0, high=1.0),
    OpEntry("rsqrt", lambda tg, a: a.rsqrt(), lambda np, a: 1 / np.sqrt(a), "RsqrtBackward0", UNARY_SAMPLES,
            low=0.2, high=3.0),
    OpEntry("pow_scalar", lambda tg, a: a.square(), lambda np, a: a * a, "PowBackward0", UNARY_SAMPLES),
    OpEntry("clamp", lambda tg, a: a.clamp(-0.5, 0.5), lambda np, a: np.clip(a, -0.5, 0.5), "ClampBackward1",
            UNARY_SAMPLES),
    OpEntry("clamp", lambda tg, a: tg.clamp(a, min=0.3), lambda np, a: np.maximum(a, 0.3), "ClampBackward1",
            UNARY_SAMPLES),
    OpEntry("clamp_tensor", lambda tg, a, lo, hi: a.clamp(lo, hi), lambda np, a, lo, hi: np.minimum(np.maximum(a, lo), hi),
            "ClampBackward0", [S((2, 3), (2, 3), (2, 3)), S((2, 3), (3,), ()), S((3, 2), (3, 2), (3, 2), layouts="tcs")]),
    OpEntry("clamp_tensor", lambda tg, a, lo: tg.clamp(a, min=lo), lambda np, a, lo: np.maximum(a, lo), "ClampBackward0",
            BINARY_SAMPLES),
    OpEntry("atan2", lambda tg, a, b: tg.atan2(a, b), lambda np, a, b: np.arctan2(a, b), "Atan2Backward0",
            BINARY_SAMPLES, low=0.5, high=2.0),  # away from the branch cut at (0, x < 0)
    OpEntry("hypot", lambda tg, a, b: a.hypot(b), lambda np, a, b: np.hypot(a, b), "HypotBackward0",
            BINARY_SAMPLES, low=0.5, high=2.0),  # away from the kink at (0, 0)
    OpEntry("logaddexp", lambda tg, a, b: tg.logaddexp(a, b), lambda np, a, b: np.logaddexp(a, b),
            "LogaddexpBackward0", BINARY_SAMPLES),
    OpEntry("erf", lambda tg, a: a.erf(), lambda np, a: _np_erf(a), "ErfBackward0", UNARY_SAMPLES),
    OpEntry("cumsum", lambda tg, a: a.cumsum(-1), lambda np, a: np.cumsum(a, axis=-1), "CumsumBackward0",
            DIM_SAMPLES + [S((2, 0))]),
    OpEntry("cumsum", lambda tg, a: tg.cumsum(a, 0, dtype=tg.float64), lambda np, a: np.cumsum(a, axis=0, dtype=np.float64),
            "CumsumBackward0", [S((3, 2))]),
    OpEntry("maximum", lambda tg, a, b: tg.maximum(a, b), lambda np, a, b: np.maximum(a, b), "MaximumBackward0",
            BINARY_SAMPLES),
    OpEntry("minimum", lambda tg, a, b: a.minimum(b), lambda np, a, b: np.minimum(a, b), "MinimumBackward0",
            BINARY_SAMPLES),
    OpEntry("lerp", lambda tg, a, b: tg.lerp(a, b, 0.3), lambda np, a, b: a + 0.3 * (b - a), "LerpBackward0",
            BINARY_SAMPLES),
    OpEntry("lerp_tensor", lambda tg, a, b, w: a.lerp(b, w), lambda np, a, b, w: a + w * (b - a), "LerpBackward1",
            [S((2, 3), (2, 3), (2, 3)), S((2, 3), (3,), (2, 1)), S((), (), ()), S((3, 2), (3, 2), (3, 2), layouts="tct")]),
    # ---- extrema and statistics (extrema.cpp, statistics.cpp); random samples have no ties ----
    OpEntry("max", lambda tg, a: a.max(), lambda np, a: np.max(a), "MaxBackward1", REDUCE_SAMPLES),
    OpEntry("min", lambda tg, a: tg.min(a), lambda np, a: np.min(a), "MinBackward1", REDUCE_SAMPLES),
    OpEntry("amax", lambda tg, a: a.amax(-1), lambda np, a: np.amax(a, axis=-1), "AmaxBackward0", DIM_SAMPLES),
    OpEntry("amax", lambda tg, a: tg.amax(a, (0, -1), keepdim=True),
            lambda np, a: np.amax(a, axis=(0, -1), keepdims=True), "AmaxBackward0", [S((2, 3, 4)), S((4, 3), layouts="t")]),
    OpEntry("amin", lambda tg, a: a.amin(0), lambda np, a: np.amin(a, axis=0), "AminBackward0",
            DIM_SAMPLES + [S((2, 0))]),
    OpEntry("max_dim", lambda tg, a: a.max(-1).values, lambda np, a: np.max(a, axis=-1), "MaxBackward0", DIM_SAMPLES),
    OpEntry("max_dim", lambda tg, a: tg.max(a, 0, keepdim=True)[0], lambda np, a: np.max(a, axis=0, keepdims=True),
            "MaxBackward0", DIM_SAMPLES + [S(())]),
    OpEntry("min_dim", lambda tg, a: a.min(dim=1).values, lambda np, a: np.min(a, axis=1), "MinBackward0",
            [S((2, 3, 4)), S((4, 3), layouts="t"), S((3, 2), layouts="s")]),
    OpEntry("prod", lambda tg, a: a.prod(), lambda np, a: np.prod(a), "ProdBackward0", REDUCE_SAMPLES + [S((0, 3))]),
    OpEntry("prod_dim", lambda tg, a: a.prod(-1, keepdim=True), lambda np, a: np.prod(a, axis=-1, keepdims=True),
            "ProdBackward1", DIM_SAMPLES),
    OpEntry("var", lambda tg, a: a.var(), lambda np, a: np.var(a, ddof=1), "VarBackward0", DIM_SAMPLES),
    OpEntry("var", lambda tg, a: a.var(-1, correction=0, keepdim=True), lambda np, a: np.var(a, axis=-1, keepdims=True),
            "VarBackward0", DIM_SAMPLES),
    OpEntry("std", lambda tg, a: tg.std(a, dim=0), lambda np, a: np.std(a, axis=0, ddof=1), "StdBackward0",
            DIM_SAMPLES),
    OpEntry("std", lambda tg, a: a.std((0, 1), unbiased=False, keepdim=True),
            lambda np, a: np.std(a, axis=(0, 1), keepdims=True), "StdBackward0", [S((2, 3, 4)), S((4, 3), layouts="t")]),
    OpEntry("logsumexp", lambda tg, a: a.logsumexp(-1), lambda np, a: np.log(np.sum(np.exp(a), axis=-1)),
            "LogsumexpBackward0", DIM_SAMPLES + [S((2, 0))]),
    OpEntry("logsumexp", lambda tg, a: tg.logsumexp(a, (0, 1), keepdim=True),
            lambda np, a: np.log(np.sum(np.exp(a), axis=(0, 1), keepdims=True)), "LogsumexpBackward0", [S((2, 3, 4))]),
    # ---- the out-of-place forms of fill_, zero_, copy_ (inplace.cpp) ----
    OpEntry("fill", lambda tg, a: a.clone().fill_(2.5), lambda np, a: np.full_like(a, 2.5), "FillBackward2",
            UNARY_SAMPLES),
    OpEntry("zero", lambda tg, a: a.clone().zero_(), lambda np, a: np.zeros_like(a), "ZeroBackward0", UNARY_SAMPLES),
    OpEntry("copy", lambda tg, a, b: a.clone().copy_(b), lambda np, a, b: np.broadcast_to(b, a.shape) + 0 * a,
            "torch::autograd::CopyBackwards", [S((2, 3), (2, 3)), S((2, 3), (3,)), S((2, 2), ()),
                                               S((3, 2), (3, 2), layouts="ts")]),
    # ---- slicing and indexing (slice.cpp, index.cpp) ----
    OpEntry("slice", lambda tg, a: a[:, 1::2], lambda np, a: a[:, 1::2], "SliceBackward0",
            [S((3, 4)), S((4, 3), layouts="t"), S((6, 2), layouts="s"), S((0, 3))]),
    OpEntry("slice", lambda tg, a: a[-2:], lambda np, a: a[-2:], "SliceBackward0", [S((3,)), S((2, 3)), S((1, 2))]),
    OpEntry("slice", lambda tg, a: a.narrow(-1, 1, 2), lambda np, a: a[..., 1:3], "SliceBackward0",
            [S((2, 3)), S((4, 3), layouts="t")]),
    OpEntry("split", lambda tg, a: tg.split(a, 2, 0)[1], lambda np, a: a[2:4], "SplitBackward0",
            [S((5, 2)), S((4, 3), layouts="t")]),
    OpEntry("split", lambda tg, a: a.chunk(2, 1)[0], lambda np, a: a[:, :2], "SplitBackward0", [S((2, 3)), S((0, 3))]),
    OpEntry("split_with_sizes", lambda tg, a: a.split([1, 3], -1)[1], lambda np, a: a[..., 1:], "SplitWithSizesBackward0",
            [S((2, 4)), S((3, 4), layouts="s")]),
    OpEntry("unbind", lambda tg, a: a.unbind(1)[2], lambda np, a: a[:, 2], "UnbindBackward0", [S((2, 3)), S((4, 3), layouts="t")]),
    OpEntry("select", lambda tg, a: a[1], lambda np, a: a[1], "SelectBackward0",
            [S((2, 3)), S((3,)), S((4, 3), layouts="t"), S((6, 2), layouts="s")]),
    OpEntry("select", lambda tg, a: a[..., -1], lambda np, a: a[..., -1], "SelectBackward0", [S((2, 3, 4))]),
    OpEntry("select", lambda tg, a: a.select(1, 0), lambda np, a: a[:, 0], "SelectBackward0", [S((2, 3))]),
    OpEntry("slice", lambda tg, a: a[None, 0, ..., 1:], lambda np, a: a[None, 0, ..., 1:], "SliceBackward0",
            [S((2, 3))]),
    OpEntry("slice_put", lambda tg, a, b: _put(a, (slice(None), 1), b), lambda np, a, b: _put(a, (slice(None), 1), b),
            "torch::autograd::CopySlices", [S((3, 4), (3,)), S((3, 4), ()), S((4, 3), (4,), layouts="tc")]),
    OpEntry("slice_put", lambda tg, a, b: _put(a, (slice(0, 3, 2), Ellipsis), b),
            lambda np, a, b: _put(a, (slice(0, 3, 2), Ellipsis), b), "torch::autograd::CopySlices",
            [S((3, 2), (2, 2)), S((3, 2), (1, 2))]),
    OpEntry("index", lambda tg, a: a[tg.tensor([2, 0, 2])], lambda np, a: a[[2, 0, 2]], "IndexBackward0",
            [S((3, 2)), S((3,)), S((3, 4), layouts="t")]),
    OpEntry("index", lambda tg, a: a[:, [1, 0]], lambda np, a: a[:, [1, 0]], "IndexBackward0", [S((2, 3)), S((2, 2, 2))]),
    OpEntry("index", lambda tg, a: a[a > 0], lambda np, a: a[a > 0], "IndexBackward0", [S((3, 4)), S((4, 3), layouts="t")],
            away_from_zero=0.1),
    OpEntry("index", lambda tg, a: a[tg.tensor([0, 1]), :, tg.tensor([1, 0])],
            lambda np, a: a[[0, 1], :, [1, 0]], "IndexBackward0", [S((2, 3, 2))]),
    OpEntry("index_put", lambda tg, a, b: _put(a, tg.tensor([2, 0]), b),
            lambda np, a, b: _put(a, [2, 0], b), "IndexPutBackward0", [S((3, 4), (4,)), S((3, 2), (2, 2))]),
    # ---- gather / scatter / index_select / masked_fill (gather_scatter.cpp) ----
    OpEntry("gather", lambda tg, a: a.gather(1, tg.tensor(_GATHER_IDX)),
            lambda np, a: np.take_along_axis(a, np.array(_GATHER_IDX), 1), "GatherBackward0",
            [S((2, 3)), S((2, 3), layouts="t")]),
    OpEntry("scatter_add", lambda tg, a, b: a.scatter_add(1, tg.tensor(_GATHER_IDX), b),
            lambda np, a, b: _np_scatter_add(a, _GATHER_IDX, b), "ScatterAddBackward0", [S((2, 3), (2, 2))]),
    OpEntry("scatter", lambda tg, a, b: tg.scatter(a, 1, tg.tensor(_SCATTER_IDX), b),
            lambda np, a, b: _np_scatter(a, _SCATTER_IDX, b), "ScatterBackward0", [S((2, 3), (2, 1))]),
    OpEntry("scatter_value", lambda tg, a: a.scatter(1, tg.tensor(_SCATTER_IDX), 2.5),
            lambda np, a: _np_scatter(a, _SCATTER_IDX, 2.5), "ScatterBackward1", [S((2, 3)), S((2, 3), layouts="t")]),
    OpEntry("index_select", lambda tg, a: a.index_select(0, tg.tensor([1, 0, 1])), lambda np, a: a[[1, 0, 1]],
            "IndexSelectBackward0", [S((2, 3)), S((4, 3), layouts="t"), S((2,))]),
    OpEntry("index_select", lambda tg, a: tg.index_select(a, -1, tg.tensor([2])), lambda np, a: a[..., [2]],
            "IndexSelectBackward0", [S((2, 3)), S((0, 3))]),
    OpEntry("masked_fill", lambda tg, a: a.masked_fill(a > 0, 1.5), lambda np, a: np.where(a > 0, 1.5, a),
            "MaskedFillBackward0", UNARY_SAMPLES, away_from_zero=0.1),
    # ---- joining and reordering (join.cpp) ----
    OpEntry("cat", lambda tg, a, b: tg.cat([a, b], 1), lambda np, a, b: np.concatenate([a, b], 1), "CatBackward0",
            [S((2, 3), (2, 2)), S((3, 2), (3, 2), layouts="ts"), S((2, 0), (2, 1))]),
    OpEntry("cat", lambda tg, a, b: tg.cat((a, b)), lambda np, a, b: np.concatenate([a, b]), "CatBackward0",
            [S((2, 3), (1, 3)), S((3,), (2,)), S((0, 3), (2, 3))]),
    OpEntry("stack", lambda tg, a, b: tg.stack([a, b], -1), lambda np, a, b: np.stack([a, b], -1), "StackBackward0",
            [S((2, 3), (2, 3)), S((), ()), S((3, 2), (3, 2), layouts="tc")]),
    OpEntry("repeat", lambda tg, a: a.repeat(2, 1, 3), lambda np, a: np.tile(a, (2, 1, 3)), "RepeatBackward0",
            [S((2, 3)), S((3,)), S(()), S((3, 2), layouts="t")]),
    OpEntry("flip", lambda tg, a: a.flip(0), lambda np, a: np.flip(a, 0), "FlipBackward0", [S((2, 3)), S((3,))]),
    OpEntry("flip", lambda tg, a: tg.flip(a, (0, -1)), lambda np, a: np.flip(a, (0, -1)), "FlipBackward0",
            [S((2, 3, 4)), S((4, 3), layouts="t"), S((6, 2), layouts="s")]),
    OpEntry("view", lambda tg, a: a.flatten(), lambda np, a: a.reshape(-1), "ViewBackward0", [S((2, 3, 4)), S(())]),
    OpEntry("view", lambda tg, a: a.flatten(1).unflatten(1, (4, 3)), lambda np, a: a.reshape(2, 4, 3), "ViewBackward0",
            [S((2, 3, 4))]),
]


from op_db_nn import NN_OPS  # noqa: E402

OPS += NN_OPS
from op_db_pointwise import POINTWISE_OPS  # noqa: E402
OPS += POINTWISE_OPS


def entries_for(op_name):
    return [e for e in OPS if e.op == op_name]

from op_db_sorting import SORTING_OPS  # noqa: E402

OPS += SORTING_OPS

from op_db_reductions import REDUCTION_OPS  # noqa: E402

OPS += REDUCTION_OPS

from op_db_shape import SHAPE_OPS  # noqa: E402
OPS += SHAPE_OPS
