"""The dim-taking shape ops (op_db_shape.py's) in the dims-out-of-range table: merged into
op_db_dims.DIM_OPS at that file's end."""
from op_db_dims import DimOp

_NO_DIMS = (IndexError, r"Dimension specified as -?\d+ but tensor has no dimensions")

SHAPE_DIM_OPS = {
    "diagonal": DimOp(lambda L, f, x, d: f(0, d, -1)),
    "diag_embed": DimOp(lambda L, f, x, d: f(0, d, -1), extra=1),
    "roll": DimOp(lambda L, f, x, d: f((1,) * len(d) if isinstance(d, tuple) else 1, d), tuple_dims=True,
                  zero_d=_NO_DIMS),
    "movedim": DimOp(lambda L, f, x, d: f(d, (0, 1)[:len(d)] if isinstance(d, tuple) else 0), tuple_dims=True),
    "moveaxis": DimOp(lambda L, f, x, d: f((0, 1)[:len(d)] if isinstance(d, tuple) else 0, d), tuple_dims=True),
    "rot90": DimOp(lambda L, f, x, d: f(1, d if isinstance(d, tuple) else (0, d)), tuple_dims=True,
                   zero_d=(RuntimeError, r"expected total dims >= 2, but got total dims = 0")),
    "cross": DimOp(lambda L, f, x, d: f(x, dim=d), zero_d=_NO_DIMS),
    "take_along_dim": DimOp(lambda L, f, x, d: f(L.zeros(tuple(x.shape), dtype=L.int64), d)),
    "index_add": DimOp(lambda L, f, x, d: f(d, L.tensor([0]), x)),
    "index_copy": DimOp(lambda L, f, x, d: f(d, L.tensor([0]), x)),
    "index_fill": DimOp(lambda L, f, x, d: f(d, L.tensor([0]), 1.0)),
    "index_add_": DimOp(lambda L, f, x, d: f(d, L.tensor([0]), x), where="method"),
    "index_copy_": DimOp(lambda L, f, x, d: f(d, L.tensor([0]), x), where="method"),
    "index_fill_": DimOp(lambda L, f, x, d: f(d, L.tensor([0]), 1.0), where="method"),
    "tensor_split": DimOp(lambda L, f, x, d: f(2, d),
                          zero_d=(RuntimeError, r"tensor_split expected at least a 1-dimensional tensor, but got a "
                                                r"tensor with 0 dims")),
    "scatter_reduce": DimOp(lambda L, f, x, d: f(d, L.zeros(tuple(x.shape), dtype=L.int64), x, "sum")),
    "scatter_reduce_": DimOp(lambda L, f, x, d: f(d, L.zeros(tuple(x.shape), dtype=L.int64), x, "sum"), where="method"),
    # tile's `dims` are repetition counts, not dims (the coverage test goes by the name): its
    # rows check the dims of the tiled result's sum.
    "tile": DimOp(lambda L, f, x, d: f(()).sum(d)),
    # tensordot's `dims` is a count of dims (the same): its rows check tensordot(x, 1.0, 0)'s sum.
    "tensordot": DimOp(lambda L, f, x, d: f(L.tensor(1.0), 0).sum(d), where="function"),
    "repeat_interleave": DimOp(lambda L, f, x, d: f(2, d)),
    "swapdims": DimOp(lambda L, f, x, d: f(d, 0)),
    # A dim past the end fails an internal assert in PyTorch's narrow_copy ("Expected dim <
    # ..."); tapegrad raises the IndexError its narrow raises, so on PyTorch that row runs narrow.
    "narrow_copy": DimOp(lambda L, f, x, d: (L.narrow(x, d, 0, 1) if L.__name__ == "torch" and x.dim() and d >= 0
                                             else f(d, 0, 1)),
                         zero_d=(RuntimeError, r"narrow\(\) cannot be applied to a 0-dim tensor\.")),
}
