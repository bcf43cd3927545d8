"""Every dim-taking op of the public API, with how to call it with a given dim: the bad-input
table (test_error_table.py) generates its dims-out-of-range rows from here, and a coverage test
fails until every callable whose signature names a dim (found by introspection of tapegrad,
tapegrad.Tensor and tapegrad.nn.functional) has an entry.

An entry: `DimOp(call, where=..., extra=..., zero_d=...)`.
  - `call(L, f, x, d)` calls the op on x with dim d, where `f` is the op itself: a bound method
    of x or the function taking x first (both are generated when both exist),
  - `where`: "both" (method and function), "method", "function" (tapegrad.X) or "F",
  - `extra`: 1 for ops whose valid dims reach one past the input's (stack, unsqueeze): dims
    wrap over max(dim + extra, 1),
  - `zero_d`: how the op refuses a bad dim on a 0-d input, when not with the usual
    "Dimension out of range" over [-1, 0]: an (exception type, regex) pair.
"""
from dataclasses import dataclass
from typing import Callable, Optional


@dataclass
class DimOp:
    call: Callable
    where: str = "both"
    extra: int = 0
    zero_d: Optional[tuple] = None
    tuple_dims: bool = False  # also accepts a tuple of dims: a row with one bad entry in the tuple


def _idx(L, x):
    return L.zeros(tuple(x.shape), dtype=L.int64)


_NO_DIMS = (IndexError, r"Dimension specified as -?\d+ but tensor has no dimensions")
_ZERO_D_SELECT = (IndexError, r"select\(\) cannot be applied to a 0-dim tensor\.")

DIM_OPS = {
    # reductions
    **{name: DimOp(lambda L, f, x, d: f(d), tuple_dims=True)
       for name in ("sum", "mean", "amax", "amin", "logsumexp", "std", "var")},
    "prod": DimOp(lambda L, f, x, d: f(d)),
    "norm": DimOp(lambda L, f, x, d: f(dim=d), tuple_dims=True),
    "max": DimOp(lambda L, f, x, d: f(d)),
    "min": DimOp(lambda L, f, x, d: f(d)),
    "argmax": DimOp(lambda L, f, x, d: f(d)),
    "argmin": DimOp(lambda L, f, x, d: f(d)),
    "all": DimOp(lambda L, f, x, d: f(d)),
    "any": DimOp(lambda L, f, x, d: f(d)),
    "cumsum": DimOp(lambda L, f, x, d: f(d)),
    "cumsum_": DimOp(lambda L, f, x, d: f(d), where="method"),
    # shape
    "squeeze": DimOp(lambda L, f, x, d: f(d), tuple_dims=True),
    "unsqueeze": DimOp(lambda L, f, x, d: f(d), extra=1),
    "transpose": DimOp(lambda L, f, x, d: f(0, d)),
    "swapaxes": DimOp(lambda L, f, x, d: f(d, 0)),
    "permute": DimOp(lambda L, f, x, d: f(tuple([d] + list(range(1, x.dim())))),
                     zero_d=(RuntimeError, r"number of dimensions in the tensor input does not match the length of the "
                                           r"desired ordering of dimensions i.e. input.dim\(\) = 0 is not equal to "
                                           r"len\(dims\) = 1")),
    "flip": DimOp(lambda L, f, x, d: f(d if isinstance(d, tuple) else (d,)), tuple_dims=True),
    "flatten": DimOp(lambda L, f, x, d: f(d)),
    "unflatten": DimOp(lambda L, f, x, d: f(d, (1, -1))),
    "narrow": DimOp(lambda L, f, x, d: f(d, 0, 1),
                    zero_d=(RuntimeError, r"narrow\(\) cannot be applied to a 0-dim tensor\.")),
    "select": DimOp(lambda L, f, x, d: f(d, 0), zero_d=_ZERO_D_SELECT),
    "split": DimOp(lambda L, f, x, d: f(1, d),
                   zero_d=(RuntimeError, r"split expects at least a 1-dimensional tensor")),
    "chunk": DimOp(lambda L, f, x, d: f(2, d),
                   zero_d=(RuntimeError, r"chunk expects at least a 1-dimensional tensor")),
    "unbind": DimOp(lambda L, f, x, d: f(d)),
    "size": DimOp(lambda L, f, x, d: f(d), where="method", zero_d=_NO_DIMS),
    "stride": DimOp(lambda L, f, x, d: f(d), where="method", zero_d=_NO_DIMS),
    # joining: lists of tensors, functions only
    "cat": DimOp(lambda L, f, x, d: f([x, x], d), where="function",
                 zero_d=(RuntimeError, r"zero-dimensional tensor \(at position 0\) cannot be concatenated")),
    "concat": DimOp(lambda L, f, x, d: f([x, x], d), where="function",
                    zero_d=(RuntimeError, r"zero-dimensional tensor \(at position 0\) cannot be concatenated")),
    "concatenate": DimOp(lambda L, f, x, d: f([x, x], d), where="function",
                         zero_d=(RuntimeError, r"zero-dimensional tensor \(at position 0\) cannot be concatenated")),
    "stack": DimOp(lambda L, f, x, d: f([x, x], d), where="function", extra=1),
    # indexing
    "gather": DimOp(lambda L, f, x, d: f(d, _idx(L, x))),
    "scatter": DimOp(lambda L, f, x, d: f(d, _idx(L, x), 1.0)),
    "scatter_add": DimOp(lambda L, f, x, d: f(d, _idx(L, x), x)),
    "index_select": DimOp(lambda L, f, x, d: f(d, L.tensor([0]))),
    # nn.functional
    "softmax": DimOp(lambda L, f, x, d: f(x, d), where="F"),
    "log_softmax": DimOp(lambda L, f, x, d: f(x, d), where="F"),
}

# Ordering ops and scans (op_db_sorting.py).
DIM_OPS.update({
    **{name: DimOp(lambda L, f, x, d: f(d)) for name in ("cumprod", "logcumsumexp", "argsort")},
    **{name: DimOp(lambda L, f, x, d: f(d), zero_d=(IndexError, name + r"\(\): Expected reduction dim -1 or 0 for scalar"))
       for name in ("cummax", "cummin")},
    "cumprod_": DimOp(lambda L, f, x, d: f(d), where="method"),
    **{name: DimOp(lambda L, f, x, d: f(dim=d)) for name in ("sort", "mode", "median", "nanmedian")},
    "topk": DimOp(lambda L, f, x, d: f(1, d)),
    "kthvalue": DimOp(lambda L, f, x, d: f(1, d)),
    "aminmax": DimOp(lambda L, f, x, d: f(dim=d)),
    **{name: DimOp(lambda L, f, x, d: f(d), where="function", tuple_dims=True) for name in ("var_mean", "std_mean")},
    **{name: DimOp(lambda L, f, x, d: f(d), tuple_dims=True) for name in ("nansum", "nanmean", "count_nonzero")},
    **{name: DimOp(lambda L, f, x, d: f(0.5, d)) for name in ("quantile", "nanquantile")},
    **{name: DimOp(lambda L, f, x, d: f(dim=d), zero_d=_NO_DIMS) for name in ("unique", "unique_consecutive")},
})

# Functions whose first argument is not the tensor the dim refers to (cat/stack: a list).
_LIST_FIRST = {"cat", "concat", "concatenate", "stack"}


def bound(L, name, where, x):
    """The op `name` as called from `where` ("method", "function", "F"), bound to x when the
    call style passes x separately."""
    if where == "method":
        return getattr(x, name)
    if where == "F":
        return getattr(L.nn.functional, name)
    fn = getattr(L, name)
    if name in _LIST_FIRST:
        return fn
    return lambda *args, **kw: fn(x, *args, **kw)


def call_styles(name, op):
    return {"both": ("method", "function"), "method": ("method",), "function": ("function",),
            "F": ("F",)}[op.where]
from op_db_shape_dims import SHAPE_DIM_OPS  # noqa: E402
DIM_OPS.update(SHAPE_DIM_OPS)
