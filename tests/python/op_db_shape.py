"""The op table's shape, indexing and product ops (csrc/ops/triangular.cpp, ...): appended to
OPS at the end of op_db.py. Same OpEntry form as op_db.py's."""
import numpy as np

from op_db_types import OpEntry, S


def _np_diag_embed(a, offset=0, dim1=-2, dim2=-1):
    n = a.shape[-1] + abs(offset)
    out = np.zeros(a.shape[:-1] + (n, n), dtype=a.dtype)
    idx = np.arange(a.shape[-1])
    rows, cols = (idx, idx + offset) if offset >= 0 else (idx - offset, idx)
    out[..., rows, cols] = a
    return np.moveaxis(out, (-2, -1), (dim1, dim2))


MATRIX_SAMPLES = [S((3, 4)), S((4, 3), layouts="t"), S((6, 2), layouts="s"), S((2, 3, 4)), S((0, 3))]

SHAPE_OPS = [
    # ---- triangles and diagonals (triangular.cpp) ----
    OpEntry("tril", lambda tg, a: a.tril(), lambda np, a: np.tril(a), "TrilBackward0", MATRIX_SAMPLES),
    OpEntry("tril", lambda tg, a: tg.tril(a, diagonal=-1), lambda np, a: np.tril(a, -1), "TrilBackward0",
            [S((3, 4)), S((2, 3, 3))]),
    OpEntry("triu", lambda tg, a: tg.triu(a, 1), lambda np, a: np.triu(a, 1), "TriuBackward0", MATRIX_SAMPLES),
    OpEntry("triu", lambda tg, a: a.clone().triu_(-1), lambda np, a: np.triu(a, -1), "TriuBackward0",
            [S((3, 4)), S((4, 3), layouts="t")]),
    OpEntry("diagonal", lambda tg, a: a.diagonal(), lambda np, a: np.diagonal(a).copy(), "DiagonalBackward0",
            MATRIX_SAMPLES),
    OpEntry("diagonal", lambda tg, a: tg.diagonal(a, 1, 2, 0), lambda np, a: np.diagonal(a, 1, 2, 0).copy(),
            "DiagonalBackward0", [S((2, 3, 4)), S((3, 2, 2))]),
    OpEntry("diagonal", lambda tg, a: tg.diagonal(a, offset=-1, dim1=-1, dim2=-2),
            lambda np, a: np.diagonal(a, -1, -1, -2).copy(), "DiagonalBackward0", [S((3, 4)), S((2, 3, 4))]),
    OpEntry("diagonal_copy", lambda tg, a: tg.diag(a), lambda np, a: np.diag(a), "DiagonalBackward0_copy",
            [S((3, 4)), S((4, 3), layouts="t")]),
    OpEntry("diagonal_copy", lambda tg, a: a.diag(-1), lambda np, a: np.diag(a, -1), "DiagonalBackward0_copy",
            [S((3, 4)), S((1, 1))]),
    OpEntry("diag_embed", lambda tg, a: tg.diag(a), lambda np, a: np.diag(a), "DiagEmbedBackward0", [S((3,)), S((0,))]),
    OpEntry("diag_embed", lambda tg, a: a.diag(diagonal=2), lambda np, a: np.diag(a, 2), "DiagEmbedBackward0",
            [S((3,)), S((6,), layouts="s")]),
    OpEntry("diag_embed", lambda tg, a: tg.diag_embed(a), lambda np, a: _np_diag_embed(a), "DiagEmbedBackward0",
            [S((3,)), S((2, 3)), S((3, 2), layouts="t")]),
    OpEntry("diag_embed", lambda tg, a: a.diag_embed(-1, 0, 2), lambda np, a: _np_diag_embed(a, -1, 0, 2),
            "DiagEmbedBackward0", [S((2, 3))]),
    OpEntry("trace", lambda tg, a: a.trace(), lambda np, a: np.trace(a), "TraceBackward0",
            [S((3, 4)), S((4, 3), layouts="t"), S((6, 2), layouts="s"), S((0, 2))]),
]
