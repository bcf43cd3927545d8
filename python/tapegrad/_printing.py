"""Render tensor values the way PyTorch 2.x ``repr(tensor)`` does.

Pure Python + numpy, so it can be used (and tested) without the compiled
extension.  The rules follow PyTorch's default print options:

* one formatter is chosen for the *whole* tensor (so every element gets the
  same width and style): integer-valued floats print as ``1.``, other floats
  with ``precision`` decimals, and scientific notation kicks in when the
  nonzero finite magnitudes span more than 1000x, exceed 1e8 or drop below
  1e-4;
* tensors with more than ``threshold`` elements are summarized: every
  dimension longer than ``2 * edgeitems`` keeps only its first and last
  ``edgeitems`` entries, with ``...`` in between;
* rows wrap so that lines stay within ``linewidth`` characters, and trailing
  items (``dtype=...``, ``grad_fn=...``) go to a new line when they would not
  fit.
"""

from __future__ import annotations

import math
from typing import Iterable, List, Optional, Sequence

import numpy as np

__all__ = ["format_tensor", "set_printoptions", "get_printoptions"]

_PREFIX = "tensor("
_DEFAULT_DTYPE = "float32"  # PyTorch's default dtype; it is never named in a repr
_FLOAT_DTYPES = ("float32", "float64")
_NUMPY_DTYPES = {
    "float32": np.float32,
    "float64": np.float64,
    "int64": np.int64,
    "bool": np.bool_,
}


class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: Optional[bool] = None  # None: decide per tensor; True/False: force


_OPTS = _PrintOptions()


def set_printoptions(precision: Optional[int] = None, threshold: Optional[float] = None,
                     edgeitems: Optional[int] = None, linewidth: Optional[int] = None,
                     sci_mode: Optional[bool] = None) -> None:
    """Change the module-wide print options (same meaning as in PyTorch).

    Like ``torch.set_printoptions``, options left as ``None`` keep their value,
    except ``sci_mode``, which is always assigned: calling this without
    ``sci_mode`` goes back to choosing scientific notation automatically.
    """
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """Current options, as keyword arguments for :func:`set_printoptions`."""
    return {name: getattr(_OPTS, name)
            for name in ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")}


# ---------------------------------------------------------------------------
# Element formatting
# ---------------------------------------------------------------------------

class _ElementFormatter:
    """Turns one element into text, right-aligned to a width shared by the tensor.

    The width is measured only over the elements that will be shown (the
    summarized data) and, for floats, only over nonzero finite values, so
    ``nan``/``inf``/``0.`` may end up wider or narrower than the rest; that is
    what PyTorch does too.
    """

    def __init__(self, shown: np.ndarray, is_float: bool):
        self.is_float = is_float
        self.int_mode = True   # floats that are all whole numbers print as "3."
        self.sci_mode = False
        self.width = 1
        prec = _OPTS.precision

        if not is_float:
            for v in shown.ravel().tolist():
                self.width = max(self.width, len(str(v)))
            return

        flat = shown.ravel()
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return  # only zeros / nan / inf: keep the "0." style defaults

        # Python floats (doubles) hold float32 values exactly, so 0.1f prints
        # as 0.1000 and the ratio test below is done in double like PyTorch.
        vals = vals.tolist()
        mags = [abs(v) for v in vals]
        lo, hi = min(mags), max(mags)
        self.int_mode = all(v == math.ceil(v) for v in vals)
        if _OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = bool(_OPTS.sci_mode)

        if self.sci_mode:
            texts = (f"{v:.{prec}e}" for v in vals)
        elif self.int_mode:
            texts = (f"{v:.0f}." for v in vals)  # the "." counts toward width
        else:
            texts = (f"{v:.{prec}f}" for v in vals)
        self.width = max(self.width, max(len(t) for t in texts))

    def __call__(self, v) -> str:
        if not self.is_float:
            text = str(v)
        elif self.sci_mode:
            text = f"{v:.{_OPTS.precision}e}"
        elif self.int_mode:
            # The trailing "." marks a float; nan/inf already read as floats.
            text = f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")
        else:
            text = f"{v:.{_OPTS.precision}f}"
        return text.rjust(self.width)


# ---------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------

def _is_cut(length: int, summarize: bool) -> bool:
    """Whether a dimension of this length is shortened to its edges."""
    return summarize and length > 2 * _OPTS.edgeitems


def _shown_values(arr: np.ndarray) -> np.ndarray:
    """The elements that survive summarization (used to size the formatter)."""
    edge = _OPTS.edgeitems
    for axis, length in enumerate(arr.shape):
        if length > 2 * edge:
            keep = list(range(edge)) + list(range(length - edge, length))
            arr = np.take(arr, keep, axis=axis)
    return arr


def _join_lines(items: Sequence[str], per_line: int, indent: int) -> str:
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _row_text(row: np.ndarray, indent: int, summarize: bool, fmt: _ElementFormatter) -> str:
    """A 1-D slice: "[a, b, c]", wrapped so each line fits in linewidth."""
    edge = _OPTS.edgeitems
    if summarize and edge == 0:
        items = ["..."]
    elif _is_cut(len(row), summarize):
        # " ..." (leading space) sits in the list like an element, giving "3,  ..., 7".
        items = ([fmt(v) for v in row[:edge].tolist()] + [" ..."]
                 + [fmt(v) for v in row[-edge:].tolist()])
    else:
        items = [fmt(v) for v in row.tolist()]
    # Every element costs its width plus ", ".
    per_line = max(1, (_OPTS.linewidth - indent) // (fmt.width + 2))
    return _join_lines(items, per_line, indent)


def _body_text(arr: np.ndarray, indent: int, summarize: bool, fmt: _ElementFormatter) -> str:
    """Nested brackets for any rank; `indent` is the column of the opening '['."""
    if arr.ndim == 0:
        return fmt(arr.item())
    if arr.ndim == 1:
        return _row_text(arr, indent, summarize, fmt)

    def sub(i):
        return _body_text(arr[i], indent + 1, summarize, fmt)

    n, edge = arr.shape[0], _OPTS.edgeitems
    if _is_cut(n, summarize):
        parts = [sub(i) for i in range(edge)] + ["..."] + [sub(i) for i in range(n - edge, n)]
    else:
        parts = [sub(i) for i in range(n)]
    # Sub-blocks of a rank-d tensor are separated by d-1 newlines, so 3-D+
    # tensors get blank lines between their matrices.
    sep = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def _append_suffixes(text: str, suffixes: Iterable[str], indent: int) -> str:
    """Add ", item" for each suffix, moving to a new line when one would overflow."""
    out = [text]
    # PyTorch's measure: characters on the last line plus 2 (the newline
    # position arithmetic gives that same +2 whether or not there is a "\n").
    line_len = len(text) - text.rfind("\n") + 1
    for item in suffixes:
        if line_len + len(item) + 2 > _OPTS.linewidth:
            out.append(",\n" + " " * indent + item)
            line_len = indent + len(item)
        else:
            out.append(", " + item)
            line_len += len(item) + 2
    out.append(")")
    return "".join(out)


def format_tensor(values: "np.ndarray", dtype_name: str, suffixes: "Sequence[str]" = ()) -> str:
    """Return PyTorch's repr text for a tensor holding `values`.

    values: a numpy array (float32, float64, int64 or bool; any shape incl. 0-d and empty).
    dtype_name: one of 'float32', 'float64', 'int64', 'bool' (the tensor's dtype).
    suffixes: extra trailing items PyTorch prints, already rendered, e.g.
        ['grad_fn=<AddBackward0>'] or ['requires_grad=True'].
    """
    if dtype_name not in _NUMPY_DTYPES:
        raise ValueError(f"unsupported dtype {dtype_name!r}")
    # Store values as the tensor's dtype, so e.g. float32 digits come from float32.
    arr: np.ndarray = np.asarray(values, dtype=_NUMPY_DTYPES[dtype_name])
    indent = len(_PREFIX)
    dtype_item = f"dtype=tapegrad.{dtype_name}"
    items = []

    if arr.size == 0:
        body = "[]"
        # "[]" hides the shape unless it is (0,), and hides the dtype for every
        # non-default dtype (even int64/bool, which nonempty tensors reveal).
        if arr.ndim != 1:
            items.append(f"size={tuple(arr.shape)}")
        if dtype_name != _DEFAULT_DTYPE:
            items.append(dtype_item)
    else:
        summarize = arr.size > _OPTS.threshold
        if not _OPTS.edgeitems:
            # With no edge items a summary shows only "...", so name the shape.
            items.append(f"size={tuple(arr.shape)}")
        # int64 and bool are recognizable from the digits / True; float32 is
        # the default; only float64 needs naming.
        if dtype_name == "float64":
            items.append(dtype_item)
        shown = _shown_values(arr) if summarize else arr
        fmt = _ElementFormatter(shown, dtype_name in _FLOAT_DTYPES)
        body = _body_text(arr, indent, summarize, fmt)

    items.extend(suffixes)
    return _append_suffixes(_PREFIX + body, items, indent)
