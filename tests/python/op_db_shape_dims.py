"""The dim-taking shape ops (op_db_shape.py's) in the dims-out-of-range table: merged into
op_db_dims.DIM_OPS at that file's end."""
from op_db_dims import DimOp

SHAPE_DIM_OPS = {
    "diagonal": DimOp(lambda L, f, x, d: f(0, d, -1)),
    "diag_embed": DimOp(lambda L, f, x, d: f(0, d, -1), extra=1),
}
