"""Op-table entries (see op_db.py) of the ordering ops (sort, topk, kthvalue, median, mode) and
the scans beyond cumsum (cumprod, cummax, cummin, logcumsumexp). Random inputs have no ties,
so the picked positions, and with them the gradients, are unique."""
from op_db_types import OpEntry, S

DIM_SAMPLES = [S((2, 3, 4)), S((5,)), S((4, 3), layouts=("t",)), S((6, 2), layouts=("s",))]
ROW_SAMPLES = DIM_SAMPLES + [S(())]


def _np_median_lower(np, a, axis=None):
    """torch's median: the lower of the two middle values."""
    s = np.sort(a, axis=axis) if axis is not None else np.sort(a.reshape(-1))
    axis = -1 if axis is None else axis
    k = (s.shape[axis] - 1) // 2
    return np.take(s, k, axis=axis)


def _np_cum_extreme(np, a, axis, fn):
    return fn.accumulate(a, axis=axis) if a.ndim else a


SORTING_OPS = [
    OpEntry("sort", lambda tg, a: tg.sort(a, -1).values, lambda np, a: np.sort(a, -1) if a.ndim else a,
            "SortBackward0", ROW_SAMPLES),
    OpEntry("sort", lambda tg, a: a.sort(dim=0, descending=True)[0], lambda np, a: -np.sort(-a, 0),
            "SortBackward0", DIM_SAMPLES),
    OpEntry("sort_stable", lambda tg, a: a.sort(stable=True, dim=0).values, lambda np, a: np.sort(a, 0),
            "SortBackward1", DIM_SAMPLES),
    OpEntry("sort", lambda tg, a: tg.msort(a), lambda np, a: np.sort(a, 0), "SortBackward0", DIM_SAMPLES),
    OpEntry("topk", lambda tg, a: a.topk(2).values, lambda np, a: -np.sort(-a, -1)[..., :2], "TopkBackward0",
            DIM_SAMPLES),
    OpEntry("topk", lambda tg, a: tg.topk(a, 1, 0, largest=False).values, lambda np, a: np.sort(a, 0)[:1],
            "TopkBackward0", DIM_SAMPLES),
    OpEntry("kthvalue", lambda tg, a: a.kthvalue(2, 0).values, lambda np, a: np.sort(a, 0)[1], "KthvalueBackward0",
            DIM_SAMPLES),
    OpEntry("kthvalue", lambda tg, a: tg.kthvalue(a, 1, -1, keepdim=True).values,
            lambda np, a: np.sort(a, -1)[..., :1], "KthvalueBackward0", DIM_SAMPLES),
    OpEntry("median", lambda tg, a: a.median(), lambda np, a: _np_median_lower(np, a), "MedianBackward0",
            ROW_SAMPLES),
    OpEntry("nanmedian", lambda tg, a: tg.nanmedian(a), lambda np, a: _np_median_lower(np, a),
            "NanmedianBackward0", ROW_SAMPLES),
    OpEntry("median_dim", lambda tg, a: a.median(0).values, lambda np, a: _np_median_lower(np, a, 0),
            "MedianBackward1", DIM_SAMPLES),
    OpEntry("nanmedian_dim", lambda tg, a: tg.nanmedian(a, -1, True).values,
            lambda np, a: np.expand_dims(_np_median_lower(np, a, -1), -1), "NanmedianBackward1", DIM_SAMPLES),
    # distinct values all occur once: the mode is the smallest
    OpEntry("mode", lambda tg, a: a.mode(0).values, lambda np, a: np.min(a, 0), "ModeBackward0", DIM_SAMPLES),
    OpEntry("cumprod", lambda tg, a: a.cumprod(-1), lambda np, a: np.cumprod(a, -1) if a.ndim else a,
            "CumprodBackward0", ROW_SAMPLES, away_from_zero=0.2),
    OpEntry("cumprod", lambda tg, a: tg.cumprod(a, 0, dtype=tg.float64), lambda np, a: np.cumprod(a, 0, dtype=np.float64),
            "CumprodBackward0", DIM_SAMPLES, away_from_zero=0.2),
    OpEntry("cummax", lambda tg, a: tg.cummax(a, 0).values, lambda np, a: _np_cum_extreme(np, a, 0, np.maximum),
            "CummaxBackward0", ROW_SAMPLES),
    OpEntry("cummin", lambda tg, a: a.cummin(-1).values, lambda np, a: _np_cum_extreme(np, a, -1, np.minimum),
            "CumminBackward0", ROW_SAMPLES),
    OpEntry("logcumsumexp", lambda tg, a: a.logcumsumexp(-1),
            lambda np, a: np.logaddexp.accumulate(a, -1) if a.ndim else a, "LogcumsumexpBackward0", ROW_SAMPLES),
]

# unique's values carry a node whose backward raises (no derivative, as in torch).
SORTING_OPS += [
    OpEntry("unique", lambda tg, a: tg.unique(a), lambda np, a: np.unique(a), "Unique2Backward0", ROW_SAMPLES,
            no_derivative=True, gradgrad=False),
    OpEntry("unique_dim", lambda tg, a: a.unique(dim=0), lambda np, a: np.unique(a, axis=0), "UniqueDimBackward0",
            DIM_SAMPLES, no_derivative=True, gradgrad=False),
    OpEntry("unique_consecutive", lambda tg, a: tg.unique_consecutive(a), lambda np, a: a.reshape(-1),
            "UniqueConsecutiveBackward0", ROW_SAMPLES, no_derivative=True, gradgrad=False),
]
