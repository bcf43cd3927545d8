"""Op-table entries (see op_db.py) of the reductions added beside sum/mean/var: aminmax, var_mean,
std_mean (each result of their one node gets an entry), nansum, nanmean, and quantile /
nanquantile (composed of sort, gather and lerp: their node is the last step's; torch ends
with an in-place squeeze, SqueezeBackward4)."""
from op_db_types import OpEntry, S

DIM_SAMPLES = [S((2, 3, 4)), S((5,)), S((4, 3), layouts=("t",)), S((6, 2), layouts=("s",))]
ALL_SAMPLES = DIM_SAMPLES + [S(())]


def _np_quantile(np, a, q, axis=None, keepdims=False):
    return np.quantile(a, q, axis=axis, keepdims=keepdims)


REDUCTION_OPS = [
    OpEntry("aminmax", lambda tg, a: tg.aminmax(a).min, lambda np, a: np.min(a), "AminmaxBackward0", ALL_SAMPLES),
    OpEntry("aminmax", lambda tg, a: a.aminmax(dim=0, keepdim=True).max, lambda np, a: np.max(a, 0, keepdims=True),
            "AminmaxBackward0", DIM_SAMPLES),
    OpEntry("var_mean", lambda tg, a: tg.var_mean(a, 0)[0], lambda np, a: np.var(a, 0, ddof=1), "VarMeanBackward0",
            DIM_SAMPLES),
    OpEntry("var_mean", lambda tg, a: tg.var_mean(a, dim=-1, correction=0, keepdim=True)[1],
            lambda np, a: np.mean(a, -1, keepdims=True), "VarMeanBackward0", DIM_SAMPLES),
    OpEntry("std_mean", lambda tg, a: tg.std_mean(a)[0], lambda np, a: np.std(a, ddof=1), "StdMeanBackward0",
            DIM_SAMPLES),
    OpEntry("std_mean", lambda tg, a: tg.std_mean(a, (0,), False)[1], lambda np, a: np.mean(a, 0), "StdMeanBackward0",
            DIM_SAMPLES),
    OpEntry("nansum", lambda tg, a: tg.nansum(a), lambda np, a: np.nansum(a), "NansumBackward0", ALL_SAMPLES),
    OpEntry("nansum", lambda tg, a: a.nansum(0, keepdim=True), lambda np, a: np.nansum(a, 0, keepdims=True),
            "NansumBackward0", DIM_SAMPLES),
    OpEntry("nanmean", lambda tg, a: a.nanmean(-1), lambda np, a: np.nanmean(a, -1), "DivBackward0", DIM_SAMPLES),
    OpEntry("quantile", lambda tg, a: tg.quantile(a, 0.3, dim=0), lambda np, a: _np_quantile(np, a, 0.3, 0),
            "SqueezeBackward1", DIM_SAMPLES, torch_node="SqueezeBackward4"),
    OpEntry("quantile", lambda tg, a: a.quantile(tg.tensor([0.25, 0.5], dtype=a.dtype), dim=-1, keepdim=True),
            lambda np, a: _np_quantile(np, a, [0.25, 0.5], -1, True), "UnsqueezeBackward0", DIM_SAMPLES,
            torch_node="SqueezeBackward4"),
    OpEntry("nanquantile", lambda tg, a: tg.nanquantile(a, 0.7), lambda np, a: _np_quantile(np, a, 0.7),
            "SqueezeBackward1", ALL_SAMPLES, torch_node="SqueezeBackward4"),
]
