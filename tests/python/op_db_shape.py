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


def _np_masked_scatter(a, mask, b):
    c = a.copy()
    c[mask] = b.reshape(-1)[:int(mask.sum())]
    return c


def _np_index_add(a, dim, idx, b):
    c = np.moveaxis(a.copy(), dim, 0)
    np.add.at(c, idx, np.moveaxis(b, dim, 0))
    return np.moveaxis(c, 0, dim)


def _np_index_copy(a, dim, idx, b):
    c = np.moveaxis(a.copy(), dim, 0)
    c[idx] = np.moveaxis(b, dim, 0)
    return np.moveaxis(c, 0, dim)


def _np_block_diag(*arrays):
    ms = [np.atleast_2d(a) for a in arrays]
    out = np.zeros((sum(m.shape[0] for m in ms), sum(m.shape[1] for m in ms)), dtype=ms[0].dtype)
    r = c = 0
    for m in ms:
        out[r:r + m.shape[0], c:c + m.shape[1]] = m
        r, c = r + m.shape[0], c + m.shape[1]
    return out


def _np_combinations(a, r, with_replacement):
    import itertools
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    return np.array([[a[i] for i in c] for c in pick(range(len(a)), r)], dtype=a.dtype).reshape(-1, r)


def _put(a, key, value):
    c = a.copy()
    c[key] = value
    return c


_SR_IDX = [[0, 0], [1, 3], [3, 3]]


def _np_scatter_reduce(a, b, reduce, include_self):
    out = a.copy()
    groups = {}
    for r in range(len(_SR_IDX)):
        for k, c in enumerate(_SR_IDX[r]):
            groups.setdefault((r, c), []).append(b[r, k])
    for (r, c), vals in groups.items():
        vals = ([a[r, c]] if include_self else []) + vals
        out[r, c] = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}[reduce](vals)
    return out


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
    # ---- products (products.cpp, contraction.cpp) ----
    OpEntry("addmm", lambda tg, c, a, b: tg.addmm(c, a, b), lambda np, c, a, b: c + a @ b, "AddmmBackward0",
            [S((3, 5), (3, 4), (4, 5)), S((5,), (3, 4), (4, 5)), S((), (4, 3), (3, 2), layouts="ctc")]),
    OpEntry("addmm", lambda tg, c, a, b: c.addmm(a, b, beta=0.5, alpha=-2), lambda np, c, a, b: 0.5 * c - 2 * a @ b,
            "AddmmBackward0", [S((3, 5), (3, 4), (4, 5))]),
    OpEntry("addmm", lambda tg, c, a, b: c.clone().addmm_(a, b, alpha=3), lambda np, c, a, b: c + 3 * a @ b,
            "AddmmBackward0", [S((3, 5), (3, 4), (4, 5))]),
    OpEntry("addmv", lambda tg, c, a, v: tg.addmv(c, a, v), lambda np, c, a, v: c + a @ v, "AddmvBackward0",
            [S((3,), (3, 4), (4,)), S((3,), (3, 4), (4,), layouts="ctc")]),
    OpEntry("addmv", lambda tg, c, a, v: c.addmv(a, v, beta=2, alpha=0.5), lambda np, c, a, v: 2 * c + 0.5 * a @ v,
            "AddmvBackward0", [S((3,), (3, 4), (4,))]),
    OpEntry("addbmm", lambda tg, c, a, b: tg.addbmm(c, a, b), lambda np, c, a, b: c + (a @ b).sum(0),
            "AddbmmBackward0", [S((3, 5), (2, 3, 4), (2, 4, 5)), S((5,), (2, 3, 4), (2, 4, 5))]),
    OpEntry("addbmm", lambda tg, c, a, b: c.addbmm(a, b, beta=-1, alpha=2), lambda np, c, a, b: -c + 2 * (a @ b).sum(0),
            "AddbmmBackward0", [S((3, 5), (2, 3, 4), (2, 4, 5))]),
    OpEntry("baddbmm", lambda tg, c, a, b: tg.baddbmm(c, a, b), lambda np, c, a, b: c + a @ b, "BaddbmmBackward0",
            [S((2, 3, 5), (2, 3, 4), (2, 4, 5)), S((3, 5), (2, 3, 4), (2, 4, 5))]),
    OpEntry("baddbmm", lambda tg, c, a, b: c.baddbmm(a, b, beta=0.5, alpha=0.5), lambda np, c, a, b: 0.5 * (c + a @ b),
            "BaddbmmBackward0", [S((2, 3, 5), (2, 3, 4), (2, 4, 5))]),
    OpEntry("vdot", lambda tg, a, b: tg.vdot(a, b), lambda np, a, b: np.vdot(a, b), "VdotBackward0",
            [S((3,), (3,)), S((0,), (0,)), S((6,), (6,), layouts="sc")]),
    OpEntry("cross", lambda tg, a, b: tg.cross(a, b, dim=-1), lambda np, a, b: np.cross(a, b), "LinalgCrossBackward0",
            [S((3,), (3,)), S((4, 3), (4, 3)), S((4, 3), (1, 3)), S((2, 4, 3), (1, 4, 3))]),
    OpEntry("cross", lambda tg, a, b: a.cross(b, 0), lambda np, a, b: np.cross(a, b, axis=0), "LinalgCrossBackward0",
            [S((3, 4), (3, 4)), S((3, 2), (3, 2), layouts="tt")]),
    OpEntry("cdist", lambda tg, a, b: tg.cdist(a, b), lambda np, a, b: np.sqrt(((a[:, None] - b[None]) ** 2).sum(-1)),
            "CdistBackward0", [S((3, 4), (2, 4)), S((4, 3), (2, 3), layouts="tc")]),
    OpEntry("cdist", lambda tg, a, b: tg.cdist(a, b, p=1), lambda np, a, b: np.abs(a[:, None] - b[None]).sum(-1),
            "CdistBackward0", [S((3, 4), (2, 4))], gradgrad=False),
    OpEntry("cdist", lambda tg, a, b: tg.cdist(a, b, 3.0),
            lambda np, a, b: (np.abs(a[..., :, None, :] - b[..., None, :, :]) ** 3).sum(-1) ** (1 / 3),
            "CdistBackward0", [S((3, 4), (2, 4)), S((2, 3, 4), (2, 2, 4))]),
    OpEntry("mul", lambda tg, a, b: tg.outer(a, b), lambda np, a, b: np.outer(a, b), "MulBackward0",
            [S((3,), (4,)), S((6,), (2,), layouts="sc")]),
    OpEntry("mul", lambda tg, a, b: a.ger(b), lambda np, a, b: np.outer(a, b), "MulBackward0", [S((3,), (4,))]),
    OpEntry("mul", lambda tg, a, b: tg.inner(a, b), lambda np, a, b: np.inner(a, b), "MulBackward0", [S((), (3,))]),
    OpEntry("view", lambda tg, a, b: a.inner(b), lambda np, a, b: np.inner(a, b), "ViewBackward0",
            [S((3,), (3,)), S((2, 3), (4, 3)), S((2, 2, 3), (3,))]),
    OpEntry("unsafe_view", lambda tg, a, b: tg.kron(a, b), lambda np, a, b: np.kron(a, b), "UnsafeViewBackward0",
            [S((2, 3), (3, 2)), S((3,), (2, 2)), S((), (3,))]),
    OpEntry("view", lambda tg, a, b: tg.tensordot(a, b, 1), lambda np, a, b: np.tensordot(a, b, 1), "ViewBackward0",
            [S((3, 4), (4, 5)), S((2, 3, 4), (4,)), S((4, 3), (3, 2), layouts="tc")]),
    OpEntry("view", lambda tg, a, b: tg.tensordot(a, b, dims=2), lambda np, a, b: np.tensordot(a, b, 2),
            "ViewBackward0", [S((2, 3, 4), (3, 4, 5))]),
    OpEntry("view", lambda tg, a, b: tg.einsum("ij,jk->ik", a, b), lambda np, a, b: np.einsum("ij,jk->ik", a, b),
            "ViewBackward0", [S((3, 4), (4, 5)), S((4, 3), (3, 2), layouts="tt")]),
    OpEntry("view", lambda tg, a, b: tg.einsum("bij,bkj->bik", [a, b]), lambda np, a, b: np.einsum("bij,bkj->bik", a, b),
            "ViewBackward0", [S((2, 3, 4), (2, 5, 4)), S((2, 3, 4), (1, 5, 4))]),
    OpEntry("view", lambda tg, a, b, c: tg.einsum("i,ij,j", a, b, c), lambda np, a, b, c: np.einsum("i,ij,j", a, b, c),
            "ViewBackward0", [S((3,), (3, 4), (4,))]),
    OpEntry("view", lambda tg, a, b: tg.einsum("...j,jk", a, b), lambda np, a, b: np.einsum("...j,jk", a, b),
            "ViewBackward0", [S((2, 3, 4), (4, 5)), S((4,), (4, 5))]),
    OpEntry("sum_dim", lambda tg, a: tg.einsum("ii", a), lambda np, a: np.einsum("ii", a), "SumBackward1", [S((3, 3))]),
    OpEntry("sum_dim", lambda tg, a: tg.einsum("ijk->j", a), lambda np, a: np.einsum("ijk->j", a), "SumBackward1",
            [S((2, 3, 4))]),
    OpEntry("permute", lambda tg, a: tg.einsum("ii->i", a), lambda np, a: np.einsum("ii->i", a), "PermuteBackward0",
            [S((3, 3))]),
    OpEntry("permute", lambda tg, a: tg.einsum("...ij->...ji", a), lambda np, a: np.einsum("...ij->...ji", a),
            "PermuteBackward0", [S((2, 3, 4))]),
    OpEntry("mul", lambda tg, a, b: tg.einsum("i,j->ij", a, b), lambda np, a, b: np.einsum("i,j->ij", a, b),
            "MulBackward0", [S((3,), (4,))]),
    OpEntry("view", lambda tg, a, b, c: tg.chain_matmul(a, b, c), lambda np, a, b, c: a @ b @ c, "ViewBackward0",
            [S((2, 3), (3, 4), (4, 2))]),
    OpEntry("clone", lambda tg, a: tg.chain_matmul(a), lambda np, a: a.copy(), "CloneBackward0", [S((2, 3))]),
    # ---- reading and writing at indices and masks (index_ops.cpp) ----
    OpEntry("take", lambda tg, a: tg.take(a, tg.tensor([[0, 5], [-1, 5]])),
            lambda np, a: np.take(a, [[0, 5], [-1, 5]]), "TakeBackward0",
            [S((3, 4)), S((4, 3), layouts="t"), S((6, 2), layouts="s")]),
    # (index 0 only: PyTorch's gather reads out of bounds unchecked, and the fuzzer varies shapes)
    OpEntry("gather", lambda tg, a: tg.take_along_dim(a, tg.tensor([[0], [0], [0]]), 1),
            lambda np, a: np.take_along_axis(a, np.array([[0], [0], [0]]), 1), "GatherBackward0",
            [S((3, 4)), S((3, 4), layouts="t")]),
    OpEntry("gather", lambda tg, a: a.take_along_dim(tg.tensor([[0, 0, 0, 0]]), dim=0),
            lambda np, a: np.take_along_axis(a, np.array([[0, 0, 0, 0]]), 0), "GatherBackward0", [S((3, 4))]),
    OpEntry("gather", lambda tg, a: tg.take_along_dim(a, tg.tensor([0, 0])),
            lambda np, a: np.take(a, [0, 0]), "GatherBackward0", [S((3, 4)), S((4,))]),
    OpEntry("masked_select", lambda tg, a: a.masked_select(a > 0), lambda np, a: a[a > 0], "MaskedSelectBackward0",
            [S((3, 4)), S((4, 3), layouts="t"), S((0, 3))], away_from_zero=0.1),
    OpEntry("masked_select", lambda tg, a, b: tg.masked_select(a, b > 0),
            lambda np, a, b: np.broadcast_to(a, np.broadcast_shapes(a.shape, b.shape))[np.broadcast_to(b > 0, np.broadcast_shapes(a.shape, b.shape))],
            "MaskedSelectBackward0", [S((3, 1), (3, 4)), S((4,), (3, 4))], away_from_zero=0.1),
    OpEntry("masked_scatter", lambda tg, a, b: a.masked_scatter(a > 0, b), lambda np, a, b: _np_masked_scatter(a, a > 0, b),
            "MaskedScatterBackward0", [S((3, 4), (12,)), S((3, 4), (4, 5)), S((4, 3), (3, 4), layouts="tc")],
            away_from_zero=0.1),
    OpEntry("masked_scatter", lambda tg, a, b: a.clone().masked_scatter_(a < 0, b),
            lambda np, a, b: _np_masked_scatter(a, a < 0, b), "MaskedScatterBackward0", [S((3, 4), (3, 4))],
            away_from_zero=0.1),
    OpEntry("index_add", lambda tg, a, b: a.index_add(0, tg.tensor([0, 2, 0]), b),
            lambda np, a, b: _np_index_add(a, 0, [0, 2, 0], b), "IndexAddBackward0",
            [S((3, 4), (3, 4)), S((4, 3), (3, 3), layouts="tc")]),
    OpEntry("index_add", lambda tg, a, b: tg.index_add(a, -1, tg.tensor([1]), b, alpha=-2.5),
            lambda np, a, b: _np_index_add(a, -1, [1], -2.5 * b), "IndexAddBackward0", [S((3, 4), (3, 1))]),
    OpEntry("index_add", lambda tg, a, b: a.clone().index_add_(1, tg.tensor([3, 0]), b),
            lambda np, a, b: _np_index_add(a, 1, [3, 0], b), "IndexAddBackward0", [S((3, 4), (3, 2))]),
    OpEntry("index_copy", lambda tg, a, b: a.index_copy(0, tg.tensor([2, 0]), b),
            lambda np, a, b: _np_index_copy(a, 0, [2, 0], b), "IndexCopyBackward0",
            [S((3, 4), (2, 4)), S((4, 3), (2, 3), layouts="tc")]),
    OpEntry("index_copy", lambda tg, a, b: a.clone().index_copy_(-1, tg.tensor([1]), b),
            lambda np, a, b: _np_index_copy(a, -1, [1], b), "IndexCopyBackward0", [S((3, 4), (3, 1))]),
    OpEntry("index_fill", lambda tg, a: a.index_fill(1, tg.tensor([0, -1]), 1.5),
            lambda np, a: _np_index_copy(a, 1, [0, -1], np.full((a.shape[0], 2), 1.5)), "IndexFillBackward0",
            [S((3, 4)), S((4, 3), layouts="t")]),
    OpEntry("index_fill", lambda tg, a: a.clone().index_fill_(0, tg.tensor(1), -1),
            lambda np, a: _np_index_copy(a, 0, [1], np.full((1, a.shape[1]), -1.0)), "IndexFillBackward0",
            [S((3, 4))]),
    OpEntry("index_fill_tensor", lambda tg, a, v: tg.index_fill(a, 1, tg.tensor([0, 2]), v),
            lambda np, a, v: _np_index_copy(a, 1, [0, 2], np.full((a.shape[0], 2), v)), "IndexFillBackward1",
            [S((3, 4), ())]),
    # ---- lists of tensors (list_ops.cpp) ----
    OpEntry("block_diag", lambda tg, a, b, c: tg.block_diag(a, b, c), lambda np, a, b, c: _np_block_diag(a, b, c),
            "BlockDiagBackward0", [S((2, 3), (3,), ()), S((3, 2), (1, 2), (2, 2), layouts="tcc")]),
    OpEntry("cat", lambda tg, a, b: tg.hstack([a, b]), lambda np, a, b: np.hstack([a, b]), "CatBackward0",
            [S((3,), (2,)), S((2, 3), (2, 1)), S((), (2,))]),
    OpEntry("cat", lambda tg, a, b: tg.vstack((a, b)), lambda np, a, b: np.vstack([a, b]), "CatBackward0",
            [S((3,), (3,)), S((2, 3), (1, 3))]),
    OpEntry("cat", lambda tg, a, b: tg.dstack([a, b]), lambda np, a, b: np.dstack([a, b]), "CatBackward0",
            [S((3,), (3,)), S((2, 3), (2, 3))]),
    OpEntry("cat", lambda tg, a, b: tg.column_stack([a, b]), lambda np, a, b: np.column_stack([a, b]),
            "CatBackward0", [S((3,), (3,)), S((3, 2), (3,))]),
    OpEntry("view", lambda tg, a: tg.atleast_1d(a), lambda np, a: np.atleast_1d(a), "ViewBackward0", [S(())]),
    OpEntry("unsqueeze", lambda tg, a: tg.atleast_2d(a), lambda np, a: np.atleast_2d(a), "UnsqueezeBackward0",
            [S((3,))]),
    OpEntry("unsqueeze", lambda tg, a: tg.atleast_3d(a), lambda np, a: np.atleast_3d(a), "UnsqueezeBackward0",
            [S((3,)), S((2, 3))]),
    OpEntry("expand", lambda tg, a, b: tg.broadcast_tensors(a, b)[0], lambda np, a, b: np.broadcast_arrays(a, b)[0],
            "ExpandBackward0", [S((3,), (2, 3)), S((2, 1), (3,))]),
    OpEntry("expand", lambda tg, a, b: tg.meshgrid(a, b, indexing="ij")[1],
            lambda np, a, b: np.meshgrid(a, b, indexing="ij")[1], "ExpandBackward0", [S((3,), (2,))]),
    OpEntry("expand", lambda tg, a, b: tg.meshgrid([a, b], indexing="xy")[0],
            lambda np, a, b: np.meshgrid(a, b, indexing="xy")[0], "ExpandBackward0", [S((3,), (2,)), S((), (2,))]),
    OpEntry("stack", lambda tg, a, b: tg.cartesian_prod(a, b),
            lambda np, a, b: np.stack([g.reshape(-1) for g in np.meshgrid(a, b, indexing="ij")], 1),
            "StackBackward0", [S((3,), (2,))]),
    OpEntry("slice", lambda tg, a: tg.tensor_split(a, 3, dim=1)[0], lambda np, a: np.array_split(a, 3, 1)[0],
            "SliceBackward0", [S((2, 5)), S((5, 2), layouts="t")]),
    OpEntry("slice", lambda tg, a: a.tensor_split([1, 3])[1], lambda np, a: np.split(a, [1, 3])[1],
            "SliceBackward0", [S((4, 2))]),
    OpEntry("slice", lambda tg, a: tg.hsplit(a, 2)[1], lambda np, a: np.hsplit(a, 2)[1], "SliceBackward0",
            [S((3, 4)), S((4,))]),
    OpEntry("slice", lambda tg, a: a.vsplit([1])[1], lambda np, a: np.vsplit(a, [1])[1], "SliceBackward0",
            [S((3, 4))]),
    OpEntry("slice", lambda tg, a: tg.dsplit(a, 2)[0], lambda np, a: np.dsplit(a, 2)[0], "SliceBackward0",
            [S((2, 3, 4))]),
    # ---- diagflat, index_put, combinations ----
    OpEntry("diag_embed", lambda tg, a: tg.diagflat(a, 1), lambda np, a: np.diagflat(a, 1), "DiagEmbedBackward0",
            [S((2, 3)), S((3,)), S(())]),
    OpEntry("index_put", lambda tg, a, b: a.index_put((tg.tensor([0, 2, 0]),), b, accumulate=True),
            lambda np, a, b: _np_index_add(a, 0, [0, 2, 0], np.broadcast_to(b, (3,) + a.shape[1:])),
            "IndexPutBackward0", [S((3, 4), (3, 4)), S((3, 4), (4,))]),
    OpEntry("index_put", lambda tg, a, b: tg.index_put(a, [tg.tensor([[True, False], [False, True]])], b),
            lambda np, a, b: _put(a, np.array([[True, False], [False, True]]), b), "IndexPutBackward0",
            [S((2, 2, 3), (3,))]),
    OpEntry("stack", lambda tg, a: tg.combinations(a, 3), lambda np, a: _np_combinations(a, 3, False),
            "StackBackward0", [S((4,))]),
    OpEntry("stack", lambda tg, a: tg.combinations(a, with_replacement=True), lambda np, a: _np_combinations(a, 2, True),
            "StackBackward0", [S((3,))]),
    # ---- scatter_reduce (scatter_reduce.cpp) ----
    *[OpEntry("scatter_reduce", (lambda tg, a, b, r=r, inc=inc: a.scatter_reduce(1, tg.tensor(_SR_IDX), b, r, include_self=inc)),
              (lambda np, a, b, r=r, inc=inc: _np_scatter_reduce(a, b, r, inc)), "ScatterReduceBackward0",
              [S((3, 4), (3, 2)), S((3, 4), (3, 2), layouts="sc")], low=0.5, high=2.0)
      for r in ("sum", "prod", "mean", "amax", "amin") for inc in (True, False)],
]
