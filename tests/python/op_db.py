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
REDUCE_SAMPLES = [S((2, 3, 4)), S((3,)), S(()), S((4, 3), layouts=("t",))]


def _np_sum_dims(a, dims, keepdim):
    return np.sum(a, axis=dims, keepdims=keepdim)


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
]


from op_db_nn import NN_OPS  # noqa: E402

OPS += NN_OPS


def entries_for(op_name):
    return [e for e in OPS if e.op == op_name]
