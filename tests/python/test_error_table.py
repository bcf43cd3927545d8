"""The bad-input table: every row is one thing a user can type that must fail (or, where PyTorch
accepts it, succeed) the way PyTorch 2.13 does. Each row checks the exception type and message,
that the process survives, that every input's data, shape and version are unchanged afterwards,
and that the next valid call works. Each row also runs on PyTorch when it is installed, so the
table itself is checked against the reference (rows marked torch=False say why they cannot).

Parts of the table are generated rather than written out: binary-op size mismatches from the
op table (op_db.py), in-place rows from the Tensor's in-place methods, dims-out-of-range rows
from every dim-taking op (op_db_dims.py, with a coverage test), and zero-size / 0-d inputs
through every op table entry and its backward (test_zero_size_and_0d_*).

How to add a row: append `Row(id, fn, exc, pattern)` to the list of its family. `fn(L, *inputs)`
gets the library (tapegrad or torch) and the inputs `make(L)` builds (a: (2, 3) float32,
b: (4,) float32, i: int64 [0, 2] by default; pass `make=` for others). `exc=None` means the call
must succeed (`warns=` names a warning it must give).
"""
import re
import sys
import warnings
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import pytest

import tapegrad as tg
from op_db import BINARY_SAMPLES, OPS
from op_db_dims import DIM_OPS, bound, call_styles

try:
    import torch
except ImportError:  # the table still runs on tapegrad alone
    torch = None

MIN64, MAX64 = -2 ** 63, 2 ** 63 - 1


def make(L):
    a = L.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = L.tensor([1.0, 2.0, 3.0, 4.0])
    i = L.tensor([0, 2])
    return a, b, i


def make_none(L):
    return ()


@dataclass
class Row:
    id: str
    fn: Callable
    exc: Optional[type]
    pattern: str
    make: Callable = make
    torch: bool = True           # also run (and assert) on PyTorch
    warns: Optional[type] = None  # a warning the call must give (rows PyTorch accepts)
    mutates: bool = False         # an accepted in-place call: its inputs may change


# ---------------------------------------------------------------------------------------------
# size mismatch: binary ops (generated from the op table) and in-place ops that would grow self
_MISMATCH = r"The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1"
_GROW = r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]"


def _binary_entries():
    seen, out = set(), []
    for e in OPS:
        if e.samples is BINARY_SAMPLES and e.op not in seen:
            seen.add(e.op)
            out.append(e)
    return out


SIZE_ROWS = [Row(f"binary size mismatch: {e.op}", (lambda L, a, b, i, e=e: e.fn(L, a, b)), RuntimeError, _MISMATCH)
             for e in _binary_entries()]
SIZE_ROWS += [Row(f"binary size mismatch: {name}", (lambda L, a, b, i, name=name: getattr(L, name)(a, b)),
                  RuntimeError, _MISMATCH)
              for name in ("eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "floor_divide",
                           "true_divide", "multiply", "subtract", "divide")]

from error_table_inplace import INPLACE_BINARY, INPLACE_INT_FLOAT, INPLACE_OTHER  # noqa: E402

SIZE_ROWS += [Row(f"in-place would grow self: {name}", (lambda L, a, b, i, f=f: f(b[:3], a)), RuntimeError, _GROW)
              for name, f in INPLACE_BINARY.items()]
SIZE_ROWS += [Row(f"in-place size mismatch: {name}", (lambda L, a, b, i, f=f: f(a, b)), RuntimeError, _MISMATCH)
              for name, f in INPLACE_BINARY.items()]
SIZE_ROWS += [
    Row("in-place on 0-d would grow self", lambda L, a, b, i: a.sum().copy_(a), RuntimeError,
        r"output with shape \[\] doesn't match the broadcast shape \[2, 3\]"),
    Row("setitem value too big", lambda L, a, b, i: a.__setitem__(0, b), RuntimeError,
        r"The expanded size of the tensor \(3\) must match the existing size \(4\) at non-singleton dimension 0"),
    Row("setitem slice value would grow", lambda L, a, b, i: b.__setitem__(slice(0, 3), a), RuntimeError,
        r"expand\(torch.FloatTensor\{\[2, 3\]\}, size=\[3\]\): the number of sizes provided \(1\) must be greater "
        r"or equal to the number of dimensions in the tensor \(2\)"),
    Row("setitem index value mismatch", lambda L, a, b, i: a.__setitem__(L.tensor([0, 1]), b), RuntimeError,
        r"shape mismatch: value tensor of shape \[4\] cannot be broadcast to indexing result of shape \[2, 3\]"),
    Row("expand_as smaller", lambda L, a, b, i: a.expand_as(b), RuntimeError,
        r"the number of sizes provided \(1\) must be greater or equal to the number of dimensions in the tensor \(2\)"),
    Row("expand non-singleton", lambda L, a, b, i: a.expand(3, 3), RuntimeError,
        r"The expanded size of the tensor \(3\) must match the existing size \(2\) at non-singleton dimension 0"),
    Row("repeat fewer dims", lambda L, a, b, i: a.repeat(2), RuntimeError,
        r"Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"),
    Row("cat shapes", lambda L, a, b, i: L.cat([a, a.t()]), RuntimeError,
        r"Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor number 1 in the list."),
    Row("cat ranks", lambda L, a, b, i: L.cat([a, b]), RuntimeError,
        r"Tensors must have same number of dimensions: got 2 and 1"),
    Row("cat empty list", lambda L, a, b, i: L.cat([]), ValueError, r"cat\(\): expected a non-empty list of Tensors"),
    Row("stack shapes", lambda L, a, b, i: L.stack([a, a.t()]), RuntimeError,
        r"stack expects each tensor to be equal size, but got \[2, 3\] at entry 0 and \[3, 2\] at entry 1"),
    Row("stack empty list", lambda L, a, b, i: L.stack([]), RuntimeError, r"stack expects a non-empty TensorList"),
    Row("mse_loss sizes", lambda L, a, b, i: L.nn.functional.mse_loss(a, b), RuntimeError, _MISMATCH),
    Row("bce_with_logits sizes", lambda L, a, b, i: L.nn.functional.binary_cross_entropy_with_logits(a, b), ValueError,
        r"Target size \(torch.Size\(\[4\]\)\) must be the same as input size \(torch.Size\(\[2, 3\]\)\)"),
    Row("bce sizes", lambda L, a, b, i: L.nn.functional.binary_cross_entropy(a.sigmoid(), b), ValueError,
        r"Using a target size \(torch.Size\(\[4\]\)\) that is different to the input size \(torch.Size\(\[2, 3\]\)\)"),
    Row("linear bias size", lambda L, a, b, i: L.nn.functional.linear(a, a, b), RuntimeError,
        r"The expanded size of the tensor \(2\) must match the existing size \(4\) at non-singleton dimension 1"),
    Row("layer_norm shape", lambda L, a, b, i: L.nn.functional.layer_norm(a, (2,)), RuntimeError,
        r"Given normalized_shape=\[2\], expected input with shape \[\*, 2\], but got input of size\s?\[2, 3\]"),
    Row("layer_norm weight shape", lambda L, a, b, i: L.nn.functional.layer_norm(a, (3,), b), RuntimeError,
        r"Expected weight to be of same shape as normalized_shape, but got weight of shape \[4\] and normalized_shape = \[3\]"),
]

# ---------------------------------------------------------------------------------------------
# matmul family: inner mismatch, wrong ranks, 0-d operands
MATMUL_ROWS = [
    Row("matmul inner mismatch (mv)", lambda L, a, b, i: a @ b, RuntimeError,
        r"size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"),
    Row("matmul inner mismatch (1-D @ 2-D)", lambda L, a, b, i: b @ a, RuntimeError,
        r"mat1 and mat2 shapes cannot be multiplied \(1x4 and 2x3\)"),
    Row("matmul inner mismatch (dot)", lambda L, a, b, i: b @ b[:3], RuntimeError,
        r"inconsistent tensor size, expected tensor \[4\] and src \[3\] to have the same number of elements, but got 4 and 3 elements respectively"),
    Row("matmul inner mismatch (batched)", lambda L, a, b, i: a[None] @ a[None], RuntimeError,
        r"Expected size for first two dimensions of batch2 tensor to be: \[1, 3\] but got: \[1, 2\]."),
    Row("matmul batch dims mismatch", lambda L, a, b, i: a[None].expand(2, 2, 3) @ a.t()[None].expand(3, 3, 2),
        RuntimeError, r"The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton dimension 0"),
    Row("mm shapes", lambda L, a, b, i: a.mm(a), RuntimeError, r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"),
    Row("mm of a vector", lambda L, a, b, i: a.mm(b), RuntimeError, r"mat2 must be a matrix"),
    Row("mm of 0-d", lambda L, a, b, i: a.sum().mm(a), RuntimeError, r"self must be a matrix"),
    Row("mv shapes", lambda L, a, b, i: a.mv(b), RuntimeError, r"size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"),
    Row("mv of a matrix", lambda L, a, b, i: a.mv(a), RuntimeError, r"vector \+ matrix @ vector expected, got 1, 2, 2"),
    Row("bmm shapes", lambda L, a, b, i: L.bmm(a[None], a[None]), RuntimeError,
        r"Expected size for first two dimensions of batch2 tensor to be: \[1, 3\] but got: \[1, 2\]."),
    Row("bmm batch", lambda L, a, b, i: L.bmm(a[None].expand(2, 2, 3), a.t()[None].expand(3, 3, 2)), RuntimeError,
        r"Expected size for first two dimensions of batch2 tensor to be: \[2, 3\] but got: \[3, 3\]."),
    Row("bmm of 2-D", lambda L, a, b, i: L.bmm(a, a.t()), RuntimeError, r"batch1 must be a 3D tensor"),
    Row("dot shapes", lambda L, a, b, i: L.dot(b, b[:3]), RuntimeError, r"inconsistent tensor size"),
    Row("dot of 2-D", lambda L, a, b, i: L.dot(a, a), RuntimeError, r"1D tensors expected, but got 2D and 2D tensors"),
    Row("matmul 0-d @ 2-D", lambda L, a, b, i: a.sum() @ a, RuntimeError,
        r"both arguments to matmul need to be at least 1D, but they are 0D and 2D"),
    Row("matmul 2-D @ 0-d", lambda L, a, b, i: a @ a.sum(), RuntimeError,
        r"both arguments to matmul need to be at least 1D, but they are 2D and 0D"),
    Row("matmul 0-d @ 0-d", lambda L, a, b, i: L.matmul(a.sum(), a.sum()), RuntimeError,
        r"both arguments to matmul need to be at least 1D, but they are 0D and 0D"),
    Row("linear inner mismatch", lambda L, a, b, i: L.nn.functional.linear(a, b[None]), RuntimeError,
        r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x1\)"),
    Row("linear of 0-d", lambda L, a, b, i: L.nn.functional.linear(a.sum(), a.sum()), RuntimeError,
        r"both arguments to linear need to be at least 1D, but they are 0D and 0D"),
]

# ---------------------------------------------------------------------------------------------
# view / reshape / expand / repeat shapes
VIEW_ROWS = [
    Row("view bad shape", lambda L, a, b, i: a.view(4), RuntimeError, r"shape '\[4\]' is invalid for input of size 6"),
    Row("view two -1", lambda L, a, b, i: a.view(-1, -1), RuntimeError, r"only one dimension can be inferred"),
    Row("view -2", lambda L, a, b, i: a.view(-2, 3), RuntimeError,
        r"invalid shape dimension -2 at index 0 of shape \[-2, 3\]"),
    Row("view 0, -1", lambda L, a, b, i: a.view(0, -1), RuntimeError, r"shape '\[0, -1\]' is invalid for input of size 6"),
    Row("view huge", lambda L, a, b, i: a.view(2 ** 62, 2 ** 62), RuntimeError,
        r"shape '\[4611686018427387904, 4611686018427387904\]' is invalid for input of size 6"),
    Row("view of a transpose", lambda L, a, b, i: a.t().view(6), RuntimeError,
        r"view size is not compatible with input tensor's size and stride \(at least one dimension spans across two "
        r"contiguous subspaces\). Use .reshape\(...\) instead."),
    Row("view of a stepped slice", lambda L, a, b, i: a[:, ::2].view(4), RuntimeError, r"view size is not compatible"),
    Row("view of an expand", lambda L, a, b, i: b.expand(2, 4).view(8), RuntimeError, r"view size is not compatible"),
    Row("view float size", lambda L, a, b, i: a.view(2.0, 3), TypeError, r"view\(\)"),
    Row("view None", lambda L, a, b, i: a.view(None), TypeError, r"view\(\)"),
    Row("reshape bad shape", lambda L, a, b, i: a.reshape(5, -1), RuntimeError,
        r"shape '\[5, -1\]' is invalid for input of size 6"),
    Row("reshape two -1", lambda L, a, b, i: a.reshape(-1, -1), RuntimeError, r"only one dimension can be inferred"),
    Row("reshape -3", lambda L, a, b, i: a.reshape(-3, 2), RuntimeError,
        r"invalid shape dimension -3 at index 0 of shape \[-3, 2\]"),
    Row("reshape 0", lambda L, a, b, i: a.reshape(0), RuntimeError, r"shape '\[0\]' is invalid for input of size 6"),
    Row("reshape empty to ambiguous -1", lambda L, a, b, i: a[:0].reshape(0, -1), RuntimeError,
        r"cannot reshape tensor of 0 elements into shape \[0, -1\] because the unspecified dimension size -1 can be "
        r"any value and is ambiguous"),
    Row("reshape overflowing", lambda L, a, b, i: a.reshape(2 ** 62, 4, -1), RuntimeError,
        r"shape '\[4611686018427387904, 4, -1\]' is invalid for input of size 6"),
    Row("unflatten sizes", lambda L, a, b, i: a.unflatten(1, (2, 2)), RuntimeError,
        r"unflatten: Provided sizes \[2, 2\] don't multiply up to the size of dim 1 \(3\) in the input tensor"),
    Row("flatten start after end", lambda L, a, b, i: a.flatten(1, 0), RuntimeError,
        r"flatten\(\) has invalid args: start_dim cannot come after end_dim"),
    Row("expand -2", lambda L, a, b, i: a.expand(2, -2), RuntimeError,
        r"The expanded size of the tensor \(-2\) isn't allowed in a leading, non-existing dimension 1|"
        r"The expanded size of the tensor \(-2\) must match the existing size \(3\) at non-singleton dimension 1"),
    Row("expand -1 in a new dim", lambda L, a, b, i: a.expand(-1, 2, 3), RuntimeError,
        r"The expanded size of the tensor \(-1\) isn't allowed in a leading, non-existing dimension 0"),
    Row("permute repeated dim", lambda L, a, b, i: a.permute(0, 0), RuntimeError, r"permute\(\): duplicate dims are not allowed."),
    Row("permute too few dims", lambda L, a, b, i: a.permute(0), RuntimeError,
        r"permute\(sparse_coo\): number of dimensions in the tensor input does not match the length of the desired "
        r"ordering of dimensions i.e. input.dim\(\) = 2 is not equal to len\(dims\) = 1"),
    Row("flip repeated dim", lambda L, a, b, i: a.flip(0, 0), RuntimeError, r"dim 0 appears multiple times in the list of dims"),
    Row("sum repeated dim", lambda L, a, b, i: a.sum((0, -2)), RuntimeError, r"dim 0 appears multiple times in the list of dims"),
    Row("amax repeated dim", lambda L, a, b, i: a.amax((1, -1)), RuntimeError, r"dim 1 appears multiple times in the list of dims"),
    Row("squeeze repeated dim", lambda L, a, b, i: a.squeeze((0, 0)), RuntimeError, r"dim 0 appears multiple times in the list of dims"),
    Row("sum repeated dim of 0-d", lambda L, a, b, i: a.sum().sum((0, -1)), RuntimeError,
        r"dim 0 appears multiple times in the list of dims"),
    Row("prod with a tuple", lambda L, a, b, i: a.prod((0, 1)), TypeError, r"prod\(\)"),
    Row("t of 3-D", lambda L, a, b, i: a[None].t(), RuntimeError, r"t\(\) expects a tensor with <= 2 dimensions, but self is 3D"),
    Row("narrow past the end", lambda L, a, b, i: a.narrow(1, 2, 2), RuntimeError,
        r"start \(2\) \+ length \(2\) exceeds dimension size \(3\)."),
    Row("narrow negative length", lambda L, a, b, i: a.narrow(1, 0, -1), RuntimeError, r"narrow\(\): length must be non-negative."),
    Row("narrow start out of range", lambda L, a, b, i: a.narrow(1, 4, 0), IndexError,
        r"start out of range \(expected to be in range of \[-3, 3\], but got 4\)"),
    Row("narrow int64-min start", lambda L, a, b, i: a.narrow(0, MIN64, 1), IndexError,
        r"start out of range \(expected to be in range of \[-2, 2\], but got -9223372036854775808\)"),
    Row("split size 0", lambda L, a, b, i: a.split(0), RuntimeError,
        r"split_size can only be 0 if dimension size is 0, but got dimension size of 2"),
    Row("split negative size", lambda L, a, b, i: a.split(-1), RuntimeError,
        r"split expects split_size be non-negative, but got split_size=-1"),
    Row("split sizes do not sum", lambda L, a, b, i: a.split([1, 1], 1), RuntimeError,
        r"split_with_sizes expects split_sizes to sum exactly to 3 \(input tensor's size at dimension 1\), but got "
        r"split_sizes=\[1, 1\]"),
    Row("split negative section", lambda L, a, b, i: a.split([4, -1], 1), RuntimeError,
        r"split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=\[4, -1\]"),
    Row("chunk 0", lambda L, a, b, i: a.chunk(0), RuntimeError, r"chunk expects `chunks` to be greater than 0, got: 0"),
    Row("chunk negative", lambda L, a, b, i: a.chunk(-1), RuntimeError, r"chunk expects `chunks` to be greater than 0, got: -1"),
    Row("pad odd length", lambda L, a, b, i: L.nn.functional.pad(a, (1, 2, 3)), RuntimeError,
        r"Padding length must be divisible by 2"),
    Row("reflect pad too wide", lambda L, a, b, i: L.nn.functional.pad(a[None], (3, 3), mode="reflect"), RuntimeError,
        r"Argument #4: Padding size should be less than the corresponding input dimension, but got: padding \(3, 3\) "
        r"at dimension 2 of input \[1, 2, 3\]"),
    Row("reflect pad of 0-d", lambda L, a, b, i: L.nn.functional.pad(a.sum(), (1, 1), mode="reflect"), RuntimeError,
        r"Padding length should be less than or equal to two times the input dimension but got padding length 2 and "
        r"input of dimension 0"),
    Row("replicate pad of an empty non-batch dim", lambda L, a, b, i: L.nn.functional.pad(a[None, :0], (1, 1),
                                                                                        mode="replicate"),
        RuntimeError, r"Expected 2D or 3D \(batch mode\) tensor with possibly 0 batch size and other non-zero "
        r"dimensions for input, but got: \[1, 0, 3\]"),
]

# ---------------------------------------------------------------------------------------------
# dims out of range, generated for every dim-taking op (op_db_dims.DIM_OPS), as a method and as
# a function where both exist, on a 2-D and a 0-d input, positive and negative.


def _dim_msg(n, d):
    return re.escape(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")


def _dim_rows():
    rows = []
    for name, op in DIM_OPS.items():
        for style in call_styles(name, op):
            for rank, mk in ((2, lambda L: (L.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),)),
                             (0, lambda L: (L.tensor(5.0),))):
                n = max(rank + op.extra, 1)
                bad = [n, -n - 1, 2 ** 62, MIN64] if rank else [n, -n - 1]
                for d in bad:
                    exc, pattern = IndexError, _dim_msg(n, d)
                    if rank == 0 and op.zero_d is not None:
                        exc, pattern = op.zero_d
                    fn = (lambda L, x, op=op, name=name, style=style, d=d: op.call(L, bound(L, name, style, x), x, d))
                    rows.append(Row(f"dim {d} of {rank}-d: {style} {name}", fn, exc, pattern, make=mk))
                if op.tuple_dims and rank:
                    fn = (lambda L, x, op=op, name=name, style=style: op.call(L, bound(L, name, style, x), x, (0, 2)))
                    rows.append(Row(f"dims (0, 2) of 2-d: {style} {name}", fn, IndexError, _dim_msg(2, 2), make=mk))
    return rows


DIM_ROWS = _dim_rows() + [
    Row("shape[2]", lambda L, a, b, i: a.shape[2], IndexError, r"tuple index out of range"),
    Row("size(2)", lambda L, a, b, i: a.size(2), IndexError, _dim_msg(2, 2)),
    # a 0-d tensor accepts dims 0 and -1 elsewhere, but has no size or stride to give there
    Row("size(0) of 0-d", lambda L, a, b, i: a.sum().size(0), IndexError,
        r"Dimension specified as 0 but tensor has no dimensions"),
    Row("stride(-1) of 0-d", lambda L, a, b, i: a.sum().stride(-1), IndexError,
        r"Dimension specified as -1 but tensor has no dimensions"),
]

# ---------------------------------------------------------------------------------------------
# indices out of range (including the int64 minimum)
_OOB0 = r"index {} is out of bounds for dimension 0 with size 2"
INDEX_ROWS = [
    Row("getitem index", lambda L, a, b, i: a[2], IndexError, _OOB0.format(2)),
    Row("getitem negative index", lambda L, a, b, i: a[-3], IndexError, _OOB0.format(-3)),
    Row("getitem second dim", lambda L, a, b, i: a[:, 3], IndexError, r"index 3 is out of bounds for dimension 1 with size 3"),
    Row("getitem int64 minimum", lambda L, a, b, i: a[MIN64], IndexError, _OOB0.format(MIN64)),
    Row("getitem int64 maximum", lambda L, a, b, i: a[MAX64], IndexError, _OOB0.format(MAX64)),
    Row("getitem int64 minimum, dim 1", lambda L, a, b, i: a[:, MIN64], IndexError,
        rf"index {MIN64} is out of bounds for dimension 1 with size 3"),
    Row("getitem beyond int64", lambda L, a, b, i: a[2 ** 63], ValueError, r"Overflow when unpacking long"),
    Row("getitem beyond int64 negative", lambda L, a, b, i: a[-2 ** 64], ValueError, r"Overflow when unpacking long"),
    Row("getitem too many indices", lambda L, a, b, i: a[0, 0, 0], IndexError, r"too many indices for tensor of dimension 2"),
    Row("getitem of 0-d", lambda L, a, b, i: a.sum()[0], IndexError,
        r"invalid index of a 0-dim tensor. Use `tensor.item\(\)` in Python or `tensor.item<T>\(\)` in C\+\+ to convert "
        r"a 0-dim tensor to a number"),
    Row("getitem index tensor", lambda L, a, b, i: a[i + 5], IndexError, r"index 5 is out of bounds for dimension 0 with size 2"),
    Row("getitem negative index tensor", lambda L, a, b, i: a[i - 3], IndexError, r"index -3 is out of bounds for dimension 0 with size 2"),
    Row("getitem int64-minimum index tensor", lambda L, a, b, i: a[L.tensor([MIN64])], IndexError,
        _OOB0.format(MIN64)),
    Row("getitem int64-maximum index tensor", lambda L, a, b, i: a[L.tensor([MAX64])], IndexError,
        _OOB0.format(MAX64)),
    Row("getitem int64-minimum index tensor, dim 1", lambda L, a, b, i: a[:, L.tensor([MIN64])], IndexError,
        rf"index {MIN64} is out of bounds for dimension \d with size 3"),
    Row("getitem index list", lambda L, a, b, i: a[[0, 5]], IndexError, r"index 5 is out of bounds for dimension 0 with size 2"),
    Row("getitem float index", lambda L, a, b, i: a[1.0], IndexError,
        r"only integers, slices \(`:`\), ellipsis \(`...`\), None and long or byte Variables are valid indices \(got float\)"),
    Row("getitem str index", lambda L, a, b, i: a["x"], TypeError, r"new\(\): invalid data type 'str'"),
    Row("getitem float index tensor", lambda L, a, b, i: a[i.float()], IndexError,
        r"tensors used as indices must be long, int, byte or bool tensors"),
    Row("getitem mask shape", lambda L, a, b, i: a[b > 0], IndexError,
        r"The shape of the mask \[4\] at index 0 does not match the shape of the indexed tensor \[2, 3\] at index 0"),
    Row("getitem index tensors do not broadcast", lambda L, a, b, i: a[i, L.tensor([0, 1, 2])], IndexError,
        r"shape mismatch: indexing tensors could not be broadcast together with shapes \[2\], \[3\]"),
    Row("getitem slice step 0", lambda L, a, b, i: a[::0], ValueError, r"slice step cannot be zero"),
    Row("getitem negative slice step", lambda L, a, b, i: a[::-1], ValueError, r"step must be greater than zero"),
    Row("setitem index", lambda L, a, b, i: a.__setitem__(2, 1.0), IndexError, _OOB0.format(2)),
    Row("setitem index tensor", lambda L, a, b, i: a.__setitem__(i + 5, 1.0), IndexError,
        r"index 5 is out of bounds for dimension 0 with size 2"),
    Row("setitem int64-minimum index tensor", lambda L, a, b, i: a.__setitem__(L.tensor([MIN64]), 1.0), IndexError,
        _OOB0.format(MIN64)),
    Row("setitem int64-minimum index tensor, dim 1", lambda L, a, b, i: a.__setitem__((slice(None), L.tensor([MIN64])), 1.0),
        IndexError, rf"index {MIN64} is out of bounds for dimension \d with size 3"),
    Row("setitem str value", lambda L, a, b, i: a.__setitem__(0, "x"), TypeError, r"can't assign a str to a"),
    Row("setitem None value", lambda L, a, b, i: a.__setitem__(0, None), TypeError, r"can't assign a NoneType to a"),
    Row("gather index", lambda L, a, b, i: a.gather(1, (i + 3).view(1, 2)), RuntimeError,
        r"index 3 is out of bounds for dimension 1 with size 3"),
    Row("gather negative index", lambda L, a, b, i: a.gather(1, (i - 1).view(1, 2)), RuntimeError,
        r"index -1 is out of bounds for dimension 1 with size 3"),
    Row("gather int64 minimum", lambda L, a, b, i: a.gather(1, L.tensor([[MIN64]])), RuntimeError,
        rf"index {MIN64} is out of bounds for dimension 1 with size 3"),
    Row("gather int64 maximum", lambda L, a, b, i: a.gather(0, L.tensor([[MAX64]])), RuntimeError,
        rf"index {MAX64} is out of bounds for dimension 0 with size 2"),
    Row("gather index rank", lambda L, a, b, i: a.gather(1, i), RuntimeError,
        r"Index tensor must have the same number of dimensions as input tensor"),
    Row("gather index too big", lambda L, a, b, i: a.gather(1, L.zeros(3, 2, dtype=L.int64)), RuntimeError,
        r"Size does not match at dimension 0 expected index \[3, 2\] to be no larger than self \[2, 3\] apart from dimension 1"),
    Row("gather float index", lambda L, a, b, i: a.gather(1, i.view(1, 2).float()), RuntimeError,
        r"gather\(\): Expected dtype int32/int64 for index"),
    Row("index_select index", lambda L, a, b, i: a.index_select(1, i + 5), RuntimeError,
        r"INDICES element is out of DATA bounds, id=5 axis_dim=3"),
    Row("index_select negative", lambda L, a, b, i: a.index_select(1, i - 1), RuntimeError,
        r"INDICES element is out of DATA bounds, id=-1 axis_dim=3"),
    Row("index_select int64 minimum", lambda L, a, b, i: a.index_select(1, L.tensor([MIN64])), RuntimeError,
        rf"INDICES element is out of DATA bounds, id={MIN64} axis_dim=3"),
    Row("index_select dim 0", lambda L, a, b, i: a.index_select(0, L.tensor([MAX64])), IndexError, r"index out of range in self"),
    Row("index_select dim 0 negative", lambda L, a, b, i: a.index_select(0, L.tensor([-1])), IndexError,
        r"index out of range in self"),
    Row("index_select 1-D", lambda L, a, b, i: b.index_select(0, L.tensor([4])), IndexError, r"index out of range in self"),
    Row("index_select 0-d", lambda L, a, b, i: b[0].index_select(0, L.tensor([1])), IndexError, r"index out of range in self"),
    Row("index_select 0-d, many indices", lambda L, a, b, i: b[0].index_select(0, i), RuntimeError,
        r"index_select\(\): Index to scalar can have only 1 value, got 2 value\(s\)"),
    Row("index_select 2-D index", lambda L, a, b, i: a.index_select(1, i.view(1, 2)), IndexError,
        r"index_select\(\): Index is supposed to be a vector"),
    Row("index_select float index", lambda L, a, b, i: a.index_select(1, i.float()), RuntimeError,
        r"index_select\(\): Expected dtype int32 or int64 for index"),
    Row("scatter index", lambda L, a, b, i: a.scatter(1, (i + 3).view(1, 2), 1.0), RuntimeError,
        r"index 3 is out of bounds for dimension 1 with size 3"),
    Row("scatter negative index", lambda L, a, b, i: a.scatter(1, (i - 1).view(1, 2), 1.0), RuntimeError,
        r"index -1 is out of bounds for dimension 1 with size 3"),
    Row("scatter int64 minimum", lambda L, a, b, i: a.scatter(1, L.tensor([[MIN64]]), 1.0), RuntimeError,
        rf"index {MIN64} is out of bounds for dimension 1 with size 3"),
    Row("scatter tensor source index", lambda L, a, b, i: a.scatter(1, (i + 3).view(1, 2), a), RuntimeError,
        r"index 3 is out of bounds for dimension 1 with size 3"),
    Row("scatter_add index", lambda L, a, b, i: a.scatter_add(1, (i + 3).view(1, 2), a), RuntimeError,
        r"index 3 is out of bounds for dimension 1 with size 3"),
    Row("scatter_add negative index", lambda L, a, b, i: a.scatter_add(0, L.tensor([[-1]]), a), RuntimeError,
        r"index -1 is out of bounds for dimension 0 with size 2"),
    Row("scatter_add int64 minimum", lambda L, a, b, i: a.scatter_add(1, L.tensor([[MIN64]]), a), RuntimeError,
        rf"index {MIN64} is out of bounds for dimension 1 with size 3"),
    Row("scatter index rank", lambda L, a, b, i: a.scatter(1, i, 1.0), RuntimeError,
        r"Index tensor must have the same number of dimensions as self tensor"),
    Row("scatter index bigger than self", lambda L, a, b, i: a.scatter(1, L.zeros(3, 3, dtype=L.int64), 1.0), RuntimeError,
        r"Expected index \[3, 3\] to be no larger than self \[2, 3\] apart from dimension 1"),
    Row("scatter index bigger than src", lambda L, a, b, i: a.scatter(1, L.zeros(2, 3, dtype=L.int64), a[:1, :1]),
        RuntimeError, r"Expected index \[2, 3\] to be no larger than self \[2, 3\] apart from dimension 1 and to be no "
        r"larger size than src \[1, 1\]"),
    Row("embedding index", lambda L, a, b, i: L.nn.functional.embedding(i + 2, a), IndexError, r"index out of range in self"),
    Row("embedding negative index", lambda L, a, b, i: L.nn.functional.embedding(i - 1, a), IndexError,
        r"index out of range in self"),
    Row("embedding int64 minimum", lambda L, a, b, i: L.nn.functional.embedding(L.tensor([MIN64]), a), IndexError,
        r"index out of range in self"),
    Row("embedding float indices", lambda L, a, b, i: L.nn.functional.embedding(i.float(), a), RuntimeError,
        r"Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got "
        r"torch.FloatTensor instead \(while checking arguments for embedding\)"),
    Row("one_hot class too big", lambda L, a, b, i: L.nn.functional.one_hot(i, 2), RuntimeError, r"Class values must be smaller than num_classes."),
    Row("one_hot negative class", lambda L, a, b, i: L.nn.functional.one_hot(i - 1), RuntimeError, r"Class values must be non-negative."),
    Row("nll_loss target", lambda L, a, b, i: L.nn.functional.nll_loss(a, i + 2), IndexError, r"Target 4 is out of bounds."),
    Row("nll_loss int64-minimum target", lambda L, a, b, i: L.nn.functional.nll_loss(a, L.tensor([MIN64, 0])), IndexError,
        rf"Target {MIN64} is out of bounds."),
    Row("cross_entropy target", lambda L, a, b, i: L.nn.functional.cross_entropy(a, i + 2), IndexError,
        r"Target 4 is out of bounds."),
    Row("cross_entropy batch", lambda L, a, b, i: L.nn.functional.cross_entropy(a, L.tensor([0, 1, 2])), ValueError,
        r"Expected input batch_size \(2\) to match target batch_size \(3\)."),
    Row("nll_loss of 0-d", lambda L, a, b, i: L.nn.functional.nll_loss(a.sum(), i), ValueError,
        r"Expected 1 or more dimensions \(got 0\)"),
    Row("nll_loss 1-D input, two targets", lambda L, a, b, i: L.nn.functional.nll_loss(a[0], i), ValueError,
        r"For 1D input, 1D target must have size 1, but got target size: 2"),
    Row("nll_loss 3-D target size", lambda L, a, b, i: L.nn.functional.nll_loss(a.reshape(1, 2, 3), i.reshape(1, 2)),
        RuntimeError, r"Expected target size \[1, 3\], got \[1, 2\]"),
    Row("cross_entropy 3-D target size",
        lambda L, a, b, i: L.nn.functional.cross_entropy(a.reshape(1, 2, 3), i.reshape(1, 2)), RuntimeError,
        r"Expected target size \[1, 3\], got \[1, 2\]"),
    Row("nll_loss weight dtype", lambda L, a, b, i: L.nn.functional.nll_loss(a, i, weight=L.ones(3, dtype=L.float64)),
        RuntimeError, r"expected scalar type Float but found Double"),
    Row("cross_entropy weight dtype",
        lambda L, a, b, i: L.nn.functional.cross_entropy(a, i, weight=L.ones(3, dtype=L.float64)), RuntimeError,
        r"expected scalar type Float but found Double"),
    Row("select index", lambda L, a, b, i: a.select(1, 3), IndexError,
        r"select\(\): index 3 out of range for tensor of size \[2, 3\] at dimension 1"),
    Row("select int64 minimum", lambda L, a, b, i: a.select(0, MIN64), IndexError,
        rf"select\(\): index {MIN64} out of range for tensor of size \[2, 3\] at dimension 0"),
]

# ---------------------------------------------------------------------------------------------
# float32 with float64 (and int with float) where PyTorch refuses
_F64_INDEX_PUT = (r"Index put requires the source and destination dtypes match, got Float for the destination and "
                  r"Double for the source.")
DTYPE_ROWS = [
    Row("mm float32 @ float64", lambda L, a, b, i: a.mm(a.t().double()), RuntimeError,
        r"expected m1 and m2 to have the same dtype, but got: float != double"),
    Row("matmul float64 @ float32", lambda L, a, b, i: a.double() @ a.t(), RuntimeError,
        r"expected m1 and m2 to have the same dtype, but got: double != float"),
    Row("matmul batched mixed", lambda L, a, b, i: a[None] @ a.t().double(), RuntimeError,
        r"expected m1 and m2 to have the same dtype, but got: float != double"),
    Row("mv mixed", lambda L, a, b, i: a.mv(b[:3].double()), RuntimeError,
        r"addmv input tensors must have the same dtype, but got Double, Float, and Double"),
    Row("matmul matrix @ vector mixed", lambda L, a, b, i: a.double() @ b[:3], RuntimeError,
        r"addmv input tensors must have the same dtype, but got Float, Double, and Float"),
    Row("bmm mixed", lambda L, a, b, i: L.bmm(a[None], a.t()[None].double()), RuntimeError,
        r"expected scalar type Float but found Double"),
    Row("dot mixed", lambda L, a, b, i: L.dot(b, b.double()), RuntimeError,
        r"dot : expected both vectors to have same dtype, but found Float and Double"),
    Row("dot float @ long", lambda L, a, b, i: L.dot(b[:2], i), RuntimeError,
        r"dot : expected both vectors to have same dtype, but found Float and Long"),
    Row("linear mixed weight", lambda L, a, b, i: L.nn.functional.linear(a, a.double()), RuntimeError,
        r"expected m1 and m2 to have the same dtype, but got: float != double"),
    Row("linear mixed bias", lambda L, a, b, i: L.nn.functional.linear(a, a, a[:, 0].double()), RuntimeError,
        r"self and mat2 must have the same dtype, but got Double and Float"),
    Row("index_put mixed", lambda L, a, b, i: a.__setitem__(L.tensor([0]), a[:1].double()), RuntimeError, _F64_INDEX_PUT),
    Row("index_put mixed 0-d value", lambda L, a, b, i: a.__setitem__(L.tensor([0]), L.tensor(1.0, dtype=L.float64)),
        RuntimeError, _F64_INDEX_PUT),
    Row("index_put mixed, int and slice", lambda L, a, b, i: a.__setitem__((slice(None), L.tensor([0])),
                                                                          a[:, :1].double()), RuntimeError, _F64_INDEX_PUT),
    Row("index_put long <- float", lambda L, a, b, i: i.__setitem__(L.tensor([0]), L.tensor([2.5])), RuntimeError,
        r"Index put requires the source and destination dtypes match, got Long for the destination and Float for the source."),
    Row("scatter mixed source", lambda L, a, b, i: a.scatter(1, i.view(1, 2), a.double()), RuntimeError,
        r"scatter\(\): Expected self.dtype to be equal to src.dtype"),
    Row("scatter_add mixed source", lambda L, a, b, i: a.scatter_add(1, i.view(1, 2), a.double()), RuntimeError,
        r"scatter\(\): Expected self.dtype to be equal to src.dtype"),
    Row("scatter_add long source", lambda L, a, b, i: a.scatter_add(1, i.view(1, 2), i.view(1, 2)), RuntimeError,
        r"scatter\(\): Expected self.dtype to be equal to src.dtype"),
    Row("lerp mixed", lambda L, a, b, i: L.lerp(a, a.double(), 0.5), RuntimeError,
        r"expected dtype float for `end` but got dtype double"),
    Row("binary_cross_entropy mixed", lambda L, a, b, i: L.nn.functional.binary_cross_entropy(a.sigmoid(), a.sigmoid().double()),
        RuntimeError, r"Found dtype Double but expected Float"),
    Row("layer_norm mixed weight", lambda L, a, b, i: L.nn.functional.layer_norm(a, (3,), a[0].double()), RuntimeError,
        r"mixed dtype \(CPU\): expect parameter to have scalar type of Float"),
    Row("nll_loss mixed weight", lambda L, a, b, i: L.nn.functional.nll_loss(a, i, weight=a[0].double()), RuntimeError,
        r"expected scalar type Float but found Double"),
    Row("masked_fill float mask", lambda L, a, b, i: a.masked_fill(a, 1.0), RuntimeError,
        r"masked_fill_ only supports boolean masks, but got mask with dtype float"),
    Row("masked_fill value tensor with dims", lambda L, a, b, i: a.masked_fill(a > 2, a), RuntimeError,
        r"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 2 dimension\(s\)."),
    Row("masked_fill str value", lambda L, a, b, i: a.masked_fill(a > 2, "x"), TypeError,
        r"masked_fill\(\) received an invalid combination of arguments - got \(Tensor, str\)"),
    Row("fill_ value tensor with dims", lambda L, a, b, i: a.fill_(b), RuntimeError,
        r"fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions."),
    Row("neg of bool", lambda L, a, b, i: -(i > 0), RuntimeError,
        r"Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the "
        r"`~` or `logical_not\(\)` operator instead."),
    Row("neg_ of bool", lambda L, a, b, i: (i > 0).neg_(), RuntimeError, r"Negation, the `-` operator, on a bool tensor"),
    Row("exp_ of long", lambda L, a, b, i: i.exp_(), RuntimeError, r"result type Float can't be cast to the desired output type Long"),
    Row("sigmoid_ of long", lambda L, a, b, i: i.sigmoid_(), RuntimeError,
        r"result type Float can't be cast to the desired output type Long"),
    Row("tanh_ of long", lambda L, a, b, i: i.tanh_(), RuntimeError, r"result type Float can't be cast to the desired output type Long"),
    Row("clamp_ of long with a float", lambda L, a, b, i: i.clamp_(0.5), RuntimeError,
        r"result type Float can't be cast to the desired output type long int"),
    Row("add_ of bool with long", lambda L, a, b, i: (i > 0).add_(i), RuntimeError,
        r"result type Long can't be cast to the desired output type Bool"),
    Row("fill_ of long with a float (accepted)", lambda L, a, b, i: i.fill_(2.5), None, "", mutates=True),
    Row("div_ of long", lambda L, a, b, i: i.div_(2), RuntimeError, r"result type Float can't be cast to the desired output type Long"),
]
DTYPE_ROWS += [Row(f"in-place long <- float: {name}", (lambda L, a, b, i, f=f: f(i, b[:2])),
                   *(INPLACE_INT_FLOAT[name] or (None, "")), mutates=INPLACE_INT_FLOAT[name] is None)
               for name, f in INPLACE_BINARY.items()]

# ---------------------------------------------------------------------------------------------
# int tensors asked to require grad; .grad of the wrong kind
_FLOAT_ONLY = r"only Tensors of floating point dtype can require gradients"
_FLOAT_ONLY_SET = r"only Tensors of floating point and complex dtype can require gradients"
_FLOAT_ONLY_NEW = r"Only Tensors of floating point and complex dtype can require gradients"
GRAD_FLAG_ROWS = [
    Row("requires_grad_ on long", lambda L, a, b, i: i.requires_grad_(), RuntimeError, _FLOAT_ONLY),
    Row("requires_grad_ on bool", lambda L, a, b, i: (i > 0).requires_grad_(), RuntimeError, _FLOAT_ONLY),
    Row("requires_grad = True on long", lambda L, a, b, i: setattr(i, "requires_grad", True), RuntimeError, _FLOAT_ONLY_SET),
    Row("tensor(ints, requires_grad=True)", lambda L, a, b, i: L.tensor([1, 2], requires_grad=True), RuntimeError,
        _FLOAT_ONLY_NEW),
    Row("zeros(long, requires_grad=True)", lambda L, a, b, i: L.zeros(2, dtype=L.int64, requires_grad=True), RuntimeError,
        _FLOAT_ONLY_NEW),
    Row("arange(requires_grad=True)", lambda L, a, b, i: L.arange(3, requires_grad=True), RuntimeError, _FLOAT_ONLY_NEW),
    Row("ones(bool, requires_grad=True)", lambda L, a, b, i: L.ones(2, dtype=L.bool, requires_grad=True), RuntimeError,
        _FLOAT_ONLY_NEW),
    Row("full(int, requires_grad=True)", lambda L, a, b, i: L.full((2,), 3, requires_grad=True), RuntimeError, _FLOAT_ONLY_NEW),
    Row("Parameter of long", lambda L, a, b, i: L.nn.Parameter(i), RuntimeError, _FLOAT_ONLY_NEW),
    Row("requires_grad_(False) on a non-leaf", lambda L, a, b, i: (a.requires_grad_() * 2).requires_grad_(False),
        RuntimeError, r"you can only change requires_grad flags of leaf variables. If you want to use a computed variable "
        r"in a subgraph that doesn't require differentiation use var_no_grad = var.detach\(\)."),
    Row("grad of the wrong size", lambda L, a, b, i: setattr(a, "grad", b), RuntimeError,
        r"attempting to assign a gradient of size '\[4\]' to a tensor of size '\[2, 3\]'. Please ensure that the "
        r"gradient and the tensor are the same size"),
    Row("grad of the wrong dtype", lambda L, a, b, i: setattr(a, "grad", a.double()), RuntimeError,
        r"attempting to assign a gradient with dtype 'double' to a tensor with grad_dtype 'Float'. The gradient must "
        r"match the tensor's grad_dtype \(defaults to the tensor's dtype\)."),
    Row("grad of long", lambda L, a, b, i: setattr(a, "grad", i), RuntimeError,
        r"attempting to assign a gradient with dtype 'long int' to a tensor with grad_dtype 'Float'."),
    Row("grad not a tensor", lambda L, a, b, i: setattr(a, "grad", [1.0]), TypeError,
        r"assigned grad expected to be a Tensor or None but got grad of type list"),
    Row("in-place on a leaf that requires grad", lambda L, a, b, i: a.requires_grad_().add_(1), RuntimeError,
        r"a leaf Variable that requires grad is being used in an in-place operation."),
    Row("in-place on a view of such a leaf", lambda L, a, b, i: a.requires_grad_()[0].add_(1), RuntimeError,
        r"a view of a leaf Variable that requires grad is being used in an in-place operation."),
    Row("setitem on such a leaf", lambda L, a, b, i: a.requires_grad_().__setitem__(0, 1.0), RuntimeError,
        r"a view of a leaf Variable that requires grad is being used in an in-place operation."),
    Row("numpy() of a tensor that requires grad", lambda L, a, b, i: a.requires_grad_().numpy(), RuntimeError,
        r"Can't call numpy\(\) on Tensor that requires grad. Use tensor.detach\(\).numpy\(\) instead."),
]

# ---------------------------------------------------------------------------------------------
# negative sizes, numel overflow, huge allocations (RuntimeError with the byte count)
_ALLOC = r"DefaultCPUAllocator: can't allocate memory: you tried to allocate {} bytes. Error code 12 \(Cannot allocate memory\)"
_OVERFLOW = r"Storage size calculation overflowed with sizes=\[{}\]"
SIZE_CREATION_ROWS = [
    Row("zeros(-1)", lambda L: L.zeros(-1), RuntimeError, r"zeros: Dimension size must be non-negative.", make=make_none),
    Row("ones(2, -3)", lambda L: L.ones(2, -3), RuntimeError, r"Trying to create tensor with negative dimension -3: \[2, -3\]",
        make=make_none),
    Row("empty(-1)", lambda L: L.empty(-1), RuntimeError, r"Trying to create tensor with negative dimension -1: \[-1\]",
        make=make_none),
    Row("full((-1,), 1.0)", lambda L: L.full((-1,), 1.0), RuntimeError,
        r"Trying to create tensor with negative dimension -1: \[-1\]", make=make_none),
    Row("rand(-1)", lambda L: L.rand(-1), RuntimeError, r"Trying to create tensor with negative dimension -1: \[-1\]",
        make=make_none),
    Row("randn(3, -2)", lambda L: L.randn(3, -2), RuntimeError, r"Trying to create tensor with negative dimension -2: \[3, -2\]",
        make=make_none),
    Row("randint negative size", lambda L: L.randint(0, 5, (-1,)), RuntimeError,
        r"Trying to create tensor with negative dimension -1: \[-1\]", make=make_none),
    Row("eye(-1)", lambda L: L.eye(-1), RuntimeError, r"n must be greater or equal to 0, got -1", make=make_none),
    Row("eye(2, -1)", lambda L: L.eye(2, -1), RuntimeError, r"m must be greater or equal to 0, got -1", make=make_none),
    Row("linspace negative steps", lambda L: L.linspace(0, 1, -1), RuntimeError, r"number of steps must be non-negative",
        make=make_none),
    Row("arange wrong direction", lambda L: L.arange(5, 0), RuntimeError,
        r"upper bound and lower bound inconsistent with step sign", make=make_none),
    Row("arange step 0", lambda L: L.arange(0, 5, 0), RuntimeError, r"step must be nonzero", make=make_none),
    Row("arange to nan", lambda L: L.arange(0, float("nan")), RuntimeError, r"unsupported range: 0 -> nan", make=make_none),
    Row("arange to inf", lambda L: L.arange(0, float("inf")), RuntimeError, r"unsupported range: 0 -> inf", make=make_none),
    Row("repeat negative", lambda L, a, b, i: a.repeat(2, -1), RuntimeError,
        r"Trying to create tensor with negative dimension -3: \[4, -3\]"),
    Row("zeros float size", lambda L: L.zeros(2, 2.5), TypeError,
        r"zeros\(\): argument 'size' failed to unpack the object at pos 2 with error \"type must be tuple of ints,but got float\"",
        make=make_none),
    Row("zeros str size", lambda L: L.ones("a"), TypeError, r"ones\(\): argument 'size' \(position 1\) must be tuple of ints, not str",
        make=make_none),
    Row("zeros None size", lambda L: L.zeros(2, None), TypeError,
        r"zeros\(\): argument 'size' failed to unpack the object at pos 2 with error \"type must be tuple of ints,but got NoneType\"",
        make=make_none),
    Row("size beyond int64", lambda L: L.empty(2, 2 ** 64), TypeError,
        r"empty\(\): argument 'size' failed to unpack the object at pos 2 with error \"Overflow when unpacking long long",
        make=make_none),
    Row("numel overflow: zeros(2**62, 2**62)", lambda L: L.zeros(2 ** 62, 2 ** 62), RuntimeError,
        _OVERFLOW.format("4611686018427387904, 4611686018427387904"), make=make_none),
    Row("byte-count overflow: zeros(2**60, float64)", lambda L: L.zeros(2 ** 60, dtype=L.float64), RuntimeError,
        _OVERFLOW.format("1152921504606846976"), make=make_none),
    Row("stride overflow: zeros(0, 2**62, 2**62)", lambda L: L.zeros(0, 2 ** 62, 2 ** 62), RuntimeError,
        r"Stride calculation overflowed", make=make_none),
    Row("huge allocation: zeros(10**12)", lambda L: L.zeros(10 ** 12), RuntimeError, _ALLOC.format(4000000000000),
        make=make_none),
    Row("huge allocation: ones(10**12)", lambda L: L.ones(10 ** 12), RuntimeError, _ALLOC.format(4000000000000), make=make_none),
    Row("huge allocation: empty(10**12)", lambda L: L.empty(10 ** 12), RuntimeError, _ALLOC.format(4000000000000),
        make=make_none),
    Row("huge allocation: full", lambda L: L.full((10 ** 12,), 1.0), RuntimeError, _ALLOC.format(4000000000000),
        make=make_none),
    Row("huge allocation: rand", lambda L: L.rand(10 ** 12), RuntimeError, _ALLOC.format(4000000000000), make=make_none),
    Row("huge allocation: randn", lambda L: L.randn(10 ** 12), RuntimeError, _ALLOC.format(4000000000000), make=make_none),
    Row("huge allocation: randint", lambda L: L.randint(0, 3, (10 ** 12,)), RuntimeError, _ALLOC.format(8000000000000),
        make=make_none),
    Row("huge allocation: arange", lambda L: L.arange(10 ** 12), RuntimeError, _ALLOC.format(8000000000000), make=make_none),
    Row("huge allocation: float64", lambda L: L.zeros(10 ** 12, dtype=L.float64), RuntimeError, _ALLOC.format(8000000000000),
        make=make_none),
    Row("huge allocation: eye", lambda L: L.eye(10 ** 7), RuntimeError, _ALLOC.format(400000000000000), make=make_none),
    Row("huge allocation: linspace", lambda L: L.linspace(0, 1, 10 ** 12), RuntimeError, _ALLOC.format(4000000000000),
        make=make_none),
    Row("huge allocation: clone of an expand", lambda L, a, b, i: a[:1].expand(10 ** 12, 3).clone(), RuntimeError,
        _ALLOC.format(12000000000000)),
    Row("huge allocation: op on an expand", lambda L, a, b, i: a[:1].expand(10 ** 12, 3) + 1, RuntimeError,
        _ALLOC.format(12000000000000)),
    Row("huge allocation: repeat", lambda L, a, b, i: a.repeat(10 ** 11, 1), RuntimeError, _ALLOC.format(2400000000000)),
    Row("huge allocation: cat", lambda L, a, b, i: L.cat([a[:1].expand(10 ** 12, 3), a]), RuntimeError,
        _ALLOC.format(12000000000024)),
    Row("huge allocation: mm", lambda L, a, b, i: a[:1, :1].expand(10 ** 6, 1) @ a[:1, :1].expand(1, 10 ** 6),
        RuntimeError, _ALLOC.format(4000000000000)),
    Row("huge allocation: replicate pad", lambda L, a, b, i: L.nn.functional.pad(a[None], (10 ** 12, 0), mode="replicate"),
        RuntimeError, _ALLOC.format(8000000000024)),
    Row("huge allocation: constant pad", lambda L, a, b, i: L.nn.functional.pad(a, (10 ** 12, 0)), RuntimeError,
        _ALLOC.format(8000000000024)),
    Row("arange count beyond int64", lambda L: L.arange(0, 1e300, 1e-300), RuntimeError,
        r"invalid size, possible overflow\?", make=make_none),
    Row("numel overflow: expand", lambda L, a, b, i: b[:1].expand(2 ** 62, 2 ** 62), RuntimeError, r"overflow"),
    Row("numel overflow: repeat", lambda L, a, b, i: a.repeat(2 ** 62, 2 ** 62), RuntimeError, r""),
]

# ---------------------------------------------------------------------------------------------
# item() / bool() / float() / index() of tensors that are not one element
SCALAR_ROWS = [
    Row("item of many", lambda L, a, b, i: a.item(), RuntimeError, r"a Tensor with 6 elements cannot be converted to Scalar"),
    Row("item of empty", lambda L, a, b, i: a[:0].item(), RuntimeError, r"a Tensor with 0 elements cannot be converted to Scalar"),
    Row("bool of many", lambda L, a, b, i: bool(a), RuntimeError, r"Boolean value of Tensor with more than one value is ambiguous"),
    Row("bool of empty", lambda L, a, b, i: bool(a[:0]), RuntimeError, r"Boolean value of Tensor with no values is ambiguous"),
    Row("if of many", lambda L, a, b, i: 1 if a > 0 else 0, RuntimeError, r"Boolean value of Tensor with more than one value is ambiguous"),
    Row("float of many", lambda L, a, b, i: float(a), ValueError, r"only one element tensors can be converted to Python scalars"),
    Row("int of many", lambda L, a, b, i: int(a), ValueError, r"only one element tensors can be converted to Python scalars"),
    Row("float of empty", lambda L, a, b, i: float(a[:0]), ValueError, r"only one element tensors can be converted to Python scalars"),
    Row("index of many", lambda L, a, b, i: [1, 2, 3][i], TypeError, r"only integer tensors of a single element can be converted to an index"),
    Row("index of float", lambda L, a, b, i: [1, 2, 3][a[0, 0]], TypeError,
        r"only integer tensors of a single element can be converted to an index"),
    Row("len of 0-d", lambda L, a, b, i: len(a.sum()), TypeError, r"len\(\) of a 0-d tensor"),
    Row("iter of 0-d", lambda L, a, b, i: list(a.sum()), TypeError, r"iteration over a 0-d tensor"),
]

# ---------------------------------------------------------------------------------------------
# data for tensor(): ragged lists, None, strings, object arrays, overflowing numbers
DATA_ROWS = [
    Row("ragged nested list", lambda L: L.tensor([[1, 2], [3]]), ValueError, r"expected sequence of length 2 at dim 1 \(got 1\)",
        make=make_none),
    Row("ragged deeper", lambda L: L.tensor([[[1, 2], [3, 4]], [[1, 2], [3]]]), ValueError,
        r"expected sequence of length 2 at dim 2 \(got 1\)", make=make_none),
    Row("ragged: number then list (ints)", lambda L: L.tensor([1, [2]]), TypeError,
        r"'list' object cannot be interpreted as an integer", make=make_none),
    Row("ragged: number then list (floats)", lambda L: L.tensor([1.0, [2]]), TypeError, r"must be real number, not list",
        make=make_none),
    Row("ragged: list then number", lambda L: L.tensor([[1], 2]), TypeError, r"not a sequence", make=make_none),
    Row("None", lambda L: L.tensor(None), RuntimeError, r"Could not infer dtype of NoneType", make=make_none),
    Row("list of None", lambda L: L.tensor([None]), RuntimeError, r"Could not infer dtype of NoneType", make=make_none),
    Row("None among numbers", lambda L: L.tensor([1.5, None]), RuntimeError, r"Could not infer dtype of NoneType",
        make=make_none),
    Row("str", lambda L: L.tensor("abc"), TypeError, r"new\(\): invalid data type 'str'", make=make_none),
    Row("list of str", lambda L: L.tensor(["a", "b"]), ValueError, r"too many dimensions 'str'", make=make_none),
    Row("str among numbers", lambda L: L.tensor([1, "b"]), TypeError, r"new\(\): invalid data type 'str'", make=make_none),
    Row("bytes", lambda L: L.tensor(b"ab"), TypeError, r"new\(\): invalid data type 'bytes'", make=make_none),
    Row("dict", lambda L: L.tensor({1: 2}), RuntimeError, r"Could not infer dtype of dict", make=make_none),
    Row("set", lambda L: L.tensor({1, 2}), RuntimeError, r"Could not infer dtype of set", make=make_none),
    Row("object", lambda L: L.tensor(object()), RuntimeError, r"Could not infer dtype of object", make=make_none),
    Row("list of object", lambda L: L.tensor([object()]), RuntimeError, r"Could not infer dtype of object", make=make_none),
    Row("generator", lambda L: L.tensor(x for x in range(3)), RuntimeError, r"Could not infer dtype of generator",
        make=make_none),
    Row("object array", lambda L: L.tensor(np.array([1, "a"], dtype=object)), TypeError,
        r"can't convert np.ndarray of type numpy.object_. The only supported types are: ", make=make_none),
    Row("object array of numbers", lambda L: L.tensor(np.array([1.0, 2.0], dtype=object)), TypeError,
        r"can't convert np.ndarray of type numpy.object_. The only supported types are: ", make=make_none),
    Row("str array", lambda L: L.tensor(np.array(["a", "b"])), TypeError,
        r"can't convert np.ndarray of type numpy.str_. The only supported types are: ", make=make_none),
    Row("int beyond int64", lambda L: L.tensor([2 ** 63]), ValueError, r"Overflow when unpacking long long", make=make_none),
    Row("int beyond uint64", lambda L: L.tensor(2 ** 64), ValueError, r"Overflow when unpacking long long", make=make_none),
    Row("int below int64", lambda L: L.tensor([-2 ** 63 - 1]), ValueError, r"Overflow when unpacking long long",
        make=make_none),
    Row("float too big for int64", lambda L: L.tensor([1e300], dtype=L.int64), RuntimeError,
        r"value cannot be converted to type int64 without overflow", make=make_none),
    Row("nan as int64", lambda L: L.tensor([float("nan")], dtype=L.int64), RuntimeError,
        r"value cannot be converted to type int64 without overflow", make=make_none),
    Row("dtype given as a str", lambda L: L.tensor([1.0], dtype="float32"), TypeError,
        r"tensor\(\): argument 'dtype' must be \S+dtype, not str", make=make_none, torch=False),
]

# ---------------------------------------------------------------------------------------------
# from_numpy: negative strides, read-only (accepted, with PyTorch's warning), byte order, objects


def _np_inputs(L):
    return (np.arange(6.0).reshape(2, 3),)


def _readonly(L):
    return (np.frombuffer(b"\x00" * 16, dtype=np.float32),)


_NOT_WRITABLE = r"The given NumPy array is not writable"
NUMPY_ROWS = [
    Row("from_numpy negative stride", lambda L, x: L.from_numpy(x[:, ::-1]), ValueError,
        r"At least one stride in the given numpy array is negative, and tensors with negative strides are not "
        r"currently supported. \(You can probably work around this by making a copy of your array  with array.copy\(\).\)",
        make=_np_inputs),
    Row("from_numpy negative stride, dim 0", lambda L, x: L.from_numpy(x[::-1]), ValueError,
        r"At least one stride in the given numpy array is negative", make=_np_inputs),
    Row("from_numpy read-only (accepted, warns)", lambda L, x: L.from_numpy(x), None, _NOT_WRITABLE, make=_readonly,
        warns=UserWarning),
    Row("from_numpy read-only flag (accepted, warns)", lambda L, x: L.from_numpy(_frozen(x)), None, _NOT_WRITABLE,
        make=_np_inputs, warns=UserWarning),
    Row("from_numpy big-endian", lambda L, x: L.from_numpy(x.astype(">f8")), ValueError,
        r"given numpy array has byte order different from the native byte order. Conversion between byte orders is "
        r"currently not supported.", make=_np_inputs),
    Row("from_numpy object array", lambda L, x: L.from_numpy(np.array([1, "a"], dtype=object)), TypeError,
        r"can't convert np.ndarray of type numpy.object_. The only supported types are: ", make=_np_inputs),
    Row("from_numpy str array", lambda L, x: L.from_numpy(np.array(["a"])), TypeError,
        r"can't convert np.ndarray of type numpy.str_. The only supported types are: ", make=_np_inputs),
    Row("from_numpy structured array", lambda L, x: L.from_numpy(np.zeros(2, dtype=[("a", "f4"), ("b", "i1")])), TypeError,
        r"can't convert np.ndarray of type numpy.void. The only supported types are: ", make=_np_inputs),
    Row("from_numpy strides not a multiple of the item size",
        lambda L, x: L.from_numpy(np.zeros(4, dtype=[("a", "f4"), ("b", "i1")])["a"]), ValueError,
        r"given numpy array strides not a multiple of the element byte size. Copy the numpy array to reallocate the "
        r"memory.", make=_np_inputs),
    Row("from_numpy of a list", lambda L, x: L.from_numpy([1.0, 2.0]), TypeError, r"expected np.ndarray \(got list\)",
        make=_np_inputs),
    Row("from_numpy of a tensor", lambda L, x: L.from_numpy(L.ones(2)), TypeError, r"expected np.ndarray \(got Tensor\)",
        make=_np_inputs),
]


def _frozen(x):
    y = x.copy()
    y.flags.writeable = False
    return y


# ---------------------------------------------------------------------------------------------
# backward errors


def _rg(a):
    return a.requires_grad_()


def _twice(L, a, b, i):
    y = (_rg(a) * a).sum()
    y.backward()
    y.backward()


def _inplace_saved(L, a, b, i):
    x = _rg(a) * 1
    y = x * x
    x.add_(1)
    y.sum().backward()


def _inplace_saved_output(L, a, b, i):
    y = (_rg(a) * 1).exp()
    y.add_(1)
    y.sum().backward()


def _inplace_saved_view(L, a, b, i):
    x = _rg(a) * 1
    y = x * x
    x[0].mul_(2)
    y.sum().backward()


def _grad(L, a, b, i, **kw):
    y = (_rg(a) * 2).sum()
    return L.autograd.grad(y, [b], **kw)


def _hook(L, a, fn):
    x = _rg(a)
    x.register_hook(fn)
    (x * 2).sum().backward()


class _BadBackward:
    """A custom Function whose backward returns `result(g)`, defined for either library."""

    @staticmethod
    def run(L, a, result):
        class Fn(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return result(g)

        Fn.apply(_rg(a)).sum().backward()


_SAVED_MODIFIED = (r"one of the variables needed for gradient computation has been modified by an inplace operation: "
                   r"\[torch.FloatTensor \[2, 3\]\], which is output 0 of {}, is at version 1; expected version 0 instead.")
_NO_GRAD_FN = r"element 0 of tensors does not require grad and does not have a grad_fn"
BACKWARD_ROWS = [
    Row("backward of a non-scalar without gradient", lambda L, a, b, i: (_rg(a) * 2).backward(), RuntimeError,
        r"grad can be implicitly created only for scalar outputs"),
    Row("backward with a gradient of the wrong shape", lambda L, a, b, i: (_rg(a) * 2).backward(b), RuntimeError,
        r"Mismatch in shape: grad_output\[0\] has a shape of torch.Size\(\[4\]\) and output\[0\] has a shape of "
        r"torch.Size\(\[2, 3\]\)."),
    Row("backward with a transposed gradient", lambda L, a, b, i: (_rg(a) * 2).backward(a.t()), RuntimeError,
        r"Mismatch in shape: grad_output\[0\] has a shape of torch.Size\(\[3, 2\]\)"),
    Row("backward with a 0-d gradient for a matrix", lambda L, a, b, i: (_rg(a) * 2).backward(L.tensor(1.0)), RuntimeError,
        r"Mismatch in shape: grad_output\[0\] has a shape of torch.Size\(\[\]\)"),
    Row("backward with an int gradient (accepted)", lambda L, a, b, i: (_rg(a) * 2).sum().backward(L.tensor(1)), None, ""),
    Row("backward with a float gradient", lambda L, a, b, i: (_rg(a) * 2).sum().backward(1.0), TypeError,
        r"'float' object is not iterable"),
    Row("backward with a list gradient", lambda L, a, b, i: (_rg(a) * 2).sum().backward([1.0]), TypeError,
        r"gradients can be either Tensors or None, but got float"),
    Row("backward without grad_fn", lambda L, a, b, i: a.sum().backward(), RuntimeError, _NO_GRAD_FN),
    Row("backward of long", lambda L, a, b, i: i.sum().backward(), RuntimeError, _NO_GRAD_FN),
    Row("backward of a detached result", lambda L, a, b, i: (_rg(a) * 2).detach().sum().backward(), RuntimeError,
        _NO_GRAD_FN),
    Row("second backward", _twice, RuntimeError,
        r"Trying to backward through the graph a second time \(or directly access saved tensors after they have "
        r"already been freed\). Saved intermediate values of the graph are freed when you call .backward\(\) or "
        r"autograd.grad\(\). Specify retain_graph=True if you need to backward through the graph a second time or if "
        r"you need to access saved tensors after calling backward."),
    Row("in-place-modified saved input", _inplace_saved, RuntimeError, _SAVED_MODIFIED.format("Add")),
    Row("in-place-modified saved output", _inplace_saved_output, RuntimeError, _SAVED_MODIFIED.format("Exp")),
    Row("in-place-modified view of a saved tensor", _inplace_saved_view, RuntimeError,
        r"one of the variables needed for gradient computation has been modified by an inplace operation"),
    Row("autograd.grad of an unused input", lambda L, a, b, i: _grad(L, a, _rg(b), i), RuntimeError,
        r"The differentiated Tensor at index 0 appears to not have been used in the graph. Set allow_unused=True if "
        r"this is the desired behavior."),
    Row("autograd.grad of an input that does not require grad", lambda L, a, b, i: _grad(L, a, b, i), RuntimeError,
        r"One of the differentiated Tensors does not require grad"),
    Row("autograd.grad of a non-scalar", lambda L, a, b, i: L.autograd.grad(_rg(a) * 2, [a]), RuntimeError,
        r"grad can be implicitly created only for scalar outputs"),
    Row("autograd.grad with a grad_output of the wrong shape",
        lambda L, a, b, i: L.autograd.grad(_rg(a) * 2, [a], grad_outputs=[b]), RuntimeError,
        r"Mismatch in shape: grad_output\[0\] has a shape of torch.Size\(\[4\]\)"),
    Row("hook changes the gradient's size", lambda L, a, b, i: _hook(L, a, lambda g: g[0]), RuntimeError,
        r"hook '<lambda>' has changed the size of value"),
    Row("hook changes the gradient's dtype", lambda L, a, b, i: _hook(L, a, lambda g: g.double()), RuntimeError,
        r"hook '<lambda>' has changed the type of value \(was torch.FloatTensor got torch.DoubleTensor\)"),
    Row("hook returns a number", lambda L, a, b, i: _hook(L, a, lambda g: 3), TypeError, r"expected Variable, but hook returned 'int'"),
    Row("hook raises", lambda L, a, b, i: _hook(L, a, lambda g: 1 / 0), ZeroDivisionError, r"division by zero"),
    Row("register_hook on a tensor that does not require grad", lambda L, a, b, i: a.register_hook(lambda g: g),
        RuntimeError, r"cannot register a hook on a tensor that doesn't require gradient"),
    Row("retain_grad on a tensor that does not require grad", lambda L, a, b, i: a.retain_grad(), RuntimeError,
        r"can't retain_grad on Tensor that has requires_grad=False"),
    Row("backward(inputs=[])", lambda L, a, b, i: (_rg(a) * 2).sum().backward(inputs=[]), RuntimeError,
        r"`inputs` argument to `backward\(\)` cannot be empty."),
    Row("Function backward returns too many gradients", lambda L, a, b, i: _BadBackward.run(L, a, lambda g: (g, g)),
        RuntimeError, r"function FnBackward returned an incorrect number of gradients \(expected 1, got 2\)"),
    Row("Function backward returns a wrong shape", lambda L, a, b, i: _BadBackward.run(L, a, lambda g: g[0]), RuntimeError,
        r"Function FnBackward returned an invalid gradient at index 0 - got \[3\] but expected shape compatible with \[2, 3\]"),
    Row("Function backward returns a str", lambda L, a, b, i: _BadBackward.run(L, a, lambda g: "x"), RuntimeError,
        r"expected Variable or None \(got str\)"),
    Row("Function backward raises", lambda L, a, b, i: _BadBackward.run(L, a, lambda g: {}["boom"]), KeyError, r"boom"),
    Row("gradcheck with nothing requiring grad", lambda L, a, b, i: L.autograd.gradcheck(lambda x: x * 2, (a.double(),)),
        ValueError, r"gradcheck expects at least one input tensor to require gradient, but none of them have "
        r"requires_grad=True."),
]

ROWS = (SIZE_ROWS + MATMUL_ROWS + VIEW_ROWS + DIM_ROWS + INDEX_ROWS + DTYPE_ROWS + GRAD_FLAG_ROWS + SIZE_CREATION_ROWS
        + SCALAR_ROWS + DATA_ROWS + NUMPY_ROWS + BACKWARD_ROWS)


# ---------------------------------------------------------------------------------------------
# the row machinery


def libs():
    return [tg] + ([torch] if torch is not None else [])


def _snapshot(x):
    if isinstance(x, np.ndarray):
        return ("ndarray", x.tobytes(), x.shape, x.strides, x.dtype.str, x.flags.writeable)
    if hasattr(x, "_version") and hasattr(x, "tolist"):
        return ("tensor", x.detach().tolist(), tuple(x.shape), x._version, str(x.dtype))
    return ("other", repr(x))


def _next_valid_call_works(L):
    assert L.is_grad_enabled()
    x = L.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    (x * x).sum().backward()
    assert x.grad.tolist() == [[2.0, 4.0, 6.0], [8.0, 10.0, 12.0]]


def _run_row(lib, row):
    inputs = row.make(lib)
    before = [_snapshot(x) for x in inputs]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if row.exc is None:
            row.fn(lib, *inputs)
        else:
            with pytest.raises(row.exc) as info:
                row.fn(lib, *inputs)
            # the first line is the message (PyTorch appends C++ frames on some errors)
            assert re.search(row.pattern, str(info.value)), (str(info.value), row.pattern)
    if row.warns is not None and lib is tg:  # PyTorch warns once per process
        assert any(issubclass(w.category, row.warns) and re.search(row.pattern, str(w.message)) for w in caught), \
            [str(w.message) for w in caught]
    if not row.mutates:
        assert [_snapshot(x) for x in inputs] == before
    _next_valid_call_works(lib)


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_bad_input(row):
    _run_row(tg, row)


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
@pytest.mark.parametrize("row", [r for r in ROWS if r.torch], ids=[r.id for r in ROWS if r.torch])
def test_bad_input_on_torch(row):
    _run_row(torch, row)


def test_row_ids_are_unique():
    ids = [r.id for r in ROWS]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def _dim_taking_callables():
    """Names of the public callables whose signature names a dim (tapegrad, Tensor, F)."""
    import inspect

    def params(f):
        try:
            return list(inspect.signature(f).parameters)
        except (TypeError, ValueError):  # pybind11: parse the docstring's signature lines
            out = []
            for line in (getattr(f, "__doc__", "") or "").splitlines():
                m = re.match(r"^(?:\d+\. )?\w+\((.*)\)\s*->", line.strip())
                if m:
                    out += re.findall(r"(\w+)\s*:", m.group(1))
            return out

    found = set()
    for owner in (tg, tg.Tensor, tg.nn.functional):
        for name in dir(owner):
            f = getattr(owner, name)
            if name.startswith("_") or not callable(f) or isinstance(f, type):
                continue
            if any(re.fullmatch(r"dims?\d?|start_dim|end_dim", p) for p in params(f)):
                found.add(name)
    return found


def test_every_dim_taking_op_has_dim_rows():
    found = _dim_taking_callables()
    # Ops taking dims through *args (their signatures do not name them).
    found |= {"transpose", "swapaxes", "permute", "flip"}
    assert found - set(DIM_OPS) == set(), "dim-taking ops missing from op_db_dims.DIM_OPS"


def test_every_inplace_method_is_in_the_table():
    inplace = {n for n in dir(tg.Tensor) if n.endswith("_") and not n.startswith("_")}
    inplace |= {n for n in ("__iadd__", "__isub__", "__imul__", "__itruediv__") if hasattr(tg.Tensor, n)}
    assert inplace - set(INPLACE_BINARY) - INPLACE_OTHER == set()


from test_zero_size_ops import EMPTY_CASES  # noqa: E402  (counted below and in pytest's summary)


def test_table_size():
    """Records how many bad inputs the table tries (also printed in pytest's summary)."""
    assert len(ROWS) >= 500 and len(EMPTY_CASES) >= 900
