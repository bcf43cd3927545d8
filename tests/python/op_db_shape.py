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
    # ---- rearranging (rearrange.cpp) ----
    OpEntry("roll", lambda tg, a: a.roll(1, 0), lambda np, a: np.roll(a, 1, 0), "RollBackward0", MATRIX_SAMPLES),
    OpEntry("roll", lambda tg, a: tg.roll(a, (2, -1), (-1, 0)), lambda np, a: np.roll(a, (2, -1), (-1, 0)),
            "RollBackward0", [S((3, 4)), S((4, 3), layouts="t"), S((2, 3, 4))]),
    OpEntry("roll", lambda tg, a: tg.roll(a, shifts=5), lambda np, a: np.roll(a, 5), "RollBackward0",
            [S((3, 4)), S((4, 3), layouts="t"), S(())]),
    OpEntry("rot90", lambda tg, a: a.rot90(), lambda np, a: np.rot90(a).copy(), "Rot90Backward0", MATRIX_SAMPLES),
    OpEntry("rot90", lambda tg, a: tg.rot90(a, 2, (1, 2)), lambda np, a: np.rot90(a, 2, (1, 2)).copy(),
            "Rot90Backward0", [S((2, 3, 4))]),
    OpEntry("rot90", lambda tg, a: tg.rot90(a, k=-1, dims=[0, -1]), lambda np, a: np.rot90(a, -1, (0, -1)).copy(),
            "Rot90Backward0", [S((3, 4)), S((2, 3, 4))]),
    OpEntry("rot90", lambda tg, a: tg.rot90(a, 4), lambda np, a: a.copy(), "Rot90Backward0", [S((3, 4))]),
    OpEntry("narrow_copy", lambda tg, a: a.narrow_copy(0, 1, 2), lambda np, a: a[1:3].copy(), "NarrowCopyBackward0",
            [S((3, 4)), S((6, 2), layouts="s")]),  # (torch's own backward fails on a transposed input)
    OpEntry("narrow_copy", lambda tg, a: tg.narrow_copy(a, -1, 1, 2), lambda np, a: a[..., 1:3].copy(),
            "NarrowCopyBackward0", [S((3, 4)), S((2, 3, 4))]),
    # composites, recorded as the ops PyTorch builds them from
    OpEntry("flip", lambda tg, a: a.fliplr(), lambda np, a: np.fliplr(a).copy(), "FlipBackward0",
            [S((3, 4)), S((2, 3, 4))]),
    OpEntry("flip", lambda tg, a: tg.flipud(a), lambda np, a: np.flipud(a).copy(), "FlipBackward0",
            [S((3,)), S((3, 4), layouts="t")]),
    OpEntry("permute", lambda tg, a: tg.movedim(a, 0, 2), lambda np, a: np.moveaxis(a, 0, 2), "PermuteBackward0",
            [S((2, 3, 4))]),
    OpEntry("permute", lambda tg, a: a.moveaxis((0, 1), (-1, 0)), lambda np, a: np.moveaxis(a, (0, 1), (-1, 0)),
            "PermuteBackward0", [S((2, 3, 4)), S((3, 4), layouts="t")]),
    OpEntry("view", lambda tg, a: tg.repeat_interleave(a, 2), lambda np, a: np.repeat(a, 2), "ViewBackward0",
            [S((2, 3)), S((3,)), S(()), S((4, 3), layouts="t")]),
    OpEntry("view", lambda tg, a: a.repeat_interleave(3, dim=-1), lambda np, a: np.repeat(a, 3, -1), "ViewBackward0",
            [S((2, 3)), S((2, 0))]),
    OpEntry("index_select", lambda tg, a: tg.repeat_interleave(a, tg.tensor([1, 0, 2]), 0),
            lambda np, a: np.repeat(a, [1, 0, 2], 0), "IndexSelectBackward0", [S((3, 4)), S((3, 2), layouts="t")]),
    OpEntry("index_select", lambda tg, a: a.repeat_interleave(tg.tensor(2), dim=1, output_size=8),
            lambda np, a: np.repeat(a, 2, 1), "IndexSelectBackward0", [S((3, 4))]),
    OpEntry("repeat", lambda tg, a: tg.tile(a, (2,)), lambda np, a: np.tile(a, (2,)), "RepeatBackward0",
            [S((3, 4)), S(())]),
    OpEntry("repeat", lambda tg, a: a.tile((2, 1, 3)), lambda np, a: np.tile(a, (2, 1, 3)), "RepeatBackward0",
            [S((3, 4)), S((4, 3), layouts="t")]),
    OpEntry("view", lambda tg, a: a.ravel(), lambda np, a: np.ravel(a), "ViewBackward0",
            [S((3, 4)), S((4, 3), layouts="t"), S(())]),
    OpEntry("transpose", lambda tg, a: tg.swapdims(a, 0, -1), lambda np, a: np.swapaxes(a, 0, -1),
            "TransposeBackward0", [S((2, 3, 4))]),
    OpEntry("expand", lambda tg, a: a.broadcast_to((2, 3, 4)), lambda np, a: np.broadcast_to(a, (2, 3, 4)),
            "ExpandBackward0", [S((3, 4)), S((3, 1)), S(())]),
]
