"""The shape, indexing and product ops of csrc/ops/triangular.cpp, rearrange.cpp, products.cpp,
index_ops.cpp against PyTorch: positional and keyword arguments, defaults, int and bool inputs,
out=, in-place forms and errors (same type, same message). Values and gradients are the op
table's (op_db_shape.py); this file is about how the ops are called."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tapegrad as tg  # noqa: E402


def _inputs(L):
    return {
        "L": L,
        "x": L.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4)),
        "v": L.tensor([1.0, 2.0, 3.0]),
        "i": L.tensor(np.arange(12).reshape(3, 4)),
        "b": L.tensor([[True, False], [True, True]]),
        "b3": L.tensor(np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)),
        "e": L.zeros(0, 3),
    }


def _outcome(L, code):
    try:
        r = eval(code, _inputs(L))
    except Exception as err:  # the exception type and its first line are compared
        return type(err).__name__, str(err).split("\n")[0]
    if isinstance(r, (tuple, list)) and r and hasattr(r[0], "shape"):
        return [(str(t.dtype).split(".")[-1], tuple(t.shape), t.tolist()) for t in r]
    if hasattr(r, "shape"):
        return str(r.dtype).split(".")[-1], tuple(r.shape), r.tolist()
    return repr(r)


def check_like_torch(code):
    assert _outcome(tg, code) == _outcome(torch, code), code


TRIANGULAR = """
L.tril(x)
L.tril(x, 1)
L.triu(x, -1)
x.tril(diagonal=2)
x.triu(diagonal=-5)
L.tril(input=x, diagonal=1)
L.tril(b3, -1)
L.triu(i)
L.tril(b)
L.tril(v)
L.triu(L.tensor(1.0))
L.tril(x, 1.5)
L.tril(x, dim=1)
L.tril(e)
L.tril(x, 2**62)
L.triu(x, -2**62)
x.clone().tril_(1)
i.clone().triu_()
L.diag(v)
L.diag(v, -2)
L.diag(x, 1)
L.diag(x, -5)
L.diag(b3)
L.diag(L.tensor(1.0))
L.diag(i)
L.diag(b)
L.diag(x, diagonal=1)
L.diag(input=v, diagonal=1)
v.diag(1)
L.diagonal(b3)
L.diagonal(b3, 1, 2, 0)
L.diagonal(b3, -1, -1, -2)
L.diagonal(b3, 0, -1, -3)
L.diagonal(b3, 0, 2, -1)
L.diagonal(b3, 0, 5, 1)
L.diagonal(x, 0, 1, -1)
L.diagonal(v)
L.diagonal(L.tensor(1.0))
L.diagonal(i, 1)
x.diagonal(1)
x.diagonal(offset=1, dim1=1, dim2=0)
L.diagonal(x, dim1=1, dim2=0)
L.diagonal(x, 100)
L.diagonal(x, -2**62)
L.diagonal(e)
L.diagonal(x, out=x)
L.diag_embed(v)
L.diag_embed(x, 1)
L.diag_embed(x, -1, 0, 2)
L.diag_embed(x, 0, 0, -3)
L.diag_embed(x, 0, 1, 1)
L.diag_embed(x, dim1=0, dim2=1)
L.diag_embed(i)
L.diag_embed(b)
L.diag_embed(L.tensor(1.0))
L.diag_embed(e)
v.diag_embed(offset=-1)
L.trace(x)
L.trace(i)
L.trace(v)
L.trace(b3)
L.trace(b)
L.trace(e)
L.trace(x.t())
x.trace()
L.trace(x, 1)
"""


@pytest.mark.parametrize("code", TRIANGULAR.strip().splitlines())
def test_triangular_ops_are_called_as_torch_s(code):
    check_like_torch(code)


def test_out_argument_and_inplace_forms():
    x = tg.tensor(np.arange(12.0).reshape(3, 4))
    out = tg.zeros(3, 4, dtype=tg.float64)
    assert tg.tril(x, 1, out=out) is out
    np.testing.assert_array_equal(out.numpy(), np.tril(x.numpy(), 1))
    y = x.clone()
    assert y.triu_(1) is y
    np.testing.assert_array_equal(y.numpy(), np.triu(x.numpy(), 1))
    out = tg.zeros(2, 2)
    assert tg.diag(tg.tensor([1.0, 2.0]), out=out) is out
    np.testing.assert_array_equal(out.numpy(), np.diag([1.0, 2.0]))
    assert not hasattr(tg.Tensor, "diagonal_") and not hasattr(tg.Tensor, "trace_")


def test_diagonal_is_a_view_that_writes_through():
    x = tg.zeros(3, 4)
    d = x.diagonal(1)
    d.fill_(2.0)
    np.testing.assert_array_equal(x.numpy(), np.diag([2.0, 2.0, 2.0], 1)[:3, :4])
    assert tuple(d.stride()) == (5,) and d.storage_offset() == 1


def test_inplace_on_a_diagonal_view_flows_back_to_the_base():
    theirs = {}
    for L in (tg, torch):
        a = L.tensor(np.arange(1.0, 10.0).reshape(3, 3), requires_grad=True)
        y = a * 1.0
        y.diagonal().mul_(3.0)
        (y * y).sum().backward()
        theirs[L.__name__] = a.grad.numpy()
    np.testing.assert_allclose(theirs["tapegrad"], theirs["torch"])


def test_tril_of_an_int_tensor_keeps_its_dtype_and_trace_sums_in_int64():
    i = tg.tensor([[1, 2], [3, 4]])
    assert tg.tril(i).dtype == tg.int64 and tg.trace(i).item() == 5
    assert tg.tril(tg.tensor([[True, True], [True, True]])).dtype == tg.bool


REARRANGE = """
L.roll(b3, 1, 0)
L.roll(b3, (1, -2), (0, 2))
L.roll(b3, 5)
L.roll(b3, shifts=-7)
L.roll(x, 1, dims=None)
L.roll(i, 2, 1)
L.roll(b, 1, 1)
L.roll(b3, 1, 5)
L.roll(b3, 1, -4)
L.roll(b3, (1, 2), 0)
L.roll(b3, (1, 2))
L.roll(b3, (1, 2), (0, 1, 2))
L.roll(b3, (), ())
L.roll(b3, 1, (0, 0))
L.roll(L.tensor(1.0), 1)
L.roll(L.tensor(1.0), 1, 0)
L.roll(e, 1, 0)
L.roll(e, 1)
L.roll(x, 2**62, 1)
x.roll(1, 0)
x.roll(shifts=(1, 1), dims=(0, 1))
L.fliplr(x)
L.fliplr(b3)
L.fliplr(v)
L.flipud(v)
L.flipud(i)
L.flipud(L.tensor(1.0))
x.fliplr()
x.flipud()
L.rot90(x)
L.rot90(x, 2)
L.rot90(x, 3)
L.rot90(x, -1)
L.rot90(x, 5)
L.rot90(x, 0)
L.rot90(b3, 1, (2, 0))
L.rot90(b3, k=1, dims=[-1, -2])
L.rot90(i, 1, [1, 0])
L.rot90(b)
L.rot90(v)
L.rot90(x, 1, (0,))
L.rot90(x, 1, (0, 0))
L.rot90(x, 1, (0, 5))
L.rot90(x, 1, (0, -2))
L.rot90(x, 1, (0, 1, 2))
L.rot90(x, 1, [1, 0]).stride()
L.rot90(x, 2).stride()
x.rot90(1, [0, 1])
L.movedim(b3, 0, 2)
L.movedim(b3, (0, 1), (2, 0))
L.movedim(b3, [0], [-1])
L.movedim(b3, source=0, destination=1)
L.movedim(b3, (0, 1), (0,))
L.movedim(b3, (0, 0), (1, 2))
L.movedim(b3, (0, 1), (2, 2))
L.movedim(b3, 5, 0)
L.movedim(b3, 0, -4)
L.movedim(b3, (), ())
L.movedim(L.tensor(1.0), 0, 0)
L.movedim(L.tensor(1.0), 0, -1)
L.moveaxis(b3, (0, 1), (2, 0))
L.movedim(b3, 0, 1).stride()
b3.moveaxis(0, -1)
b3.movedim(2, 0)
L.repeat_interleave(b3, 2)
L.repeat_interleave(b3, 2, dim=1)
L.repeat_interleave(b3, 2, -1)
L.repeat_interleave(i, 3, 0)
L.repeat_interleave(b, 2, 0)
L.repeat_interleave(x, L.tensor([1, 2, 0]), dim=0)
L.repeat_interleave(x, L.tensor([1, 0, 2, 1]), 1)
L.repeat_interleave(x, L.tensor([2]), 0)
L.repeat_interleave(x, L.tensor(2), 0)
L.repeat_interleave(x, L.tensor([1] * 12))
L.repeat_interleave(x, L.tensor([1, 2, 3]))
L.repeat_interleave(x, L.tensor([1, 2]), 0)
L.repeat_interleave(x, L.tensor([1, -2, 0]), 0)
L.repeat_interleave(x, L.tensor([1.0, 2.0, 3.0]), 0)
L.repeat_interleave(x, L.tensor([[1, 2, 3]]), 0)
L.repeat_interleave(x, 2, 0, output_size=6)
L.repeat_interleave(x, 2, 0, output_size=3)
L.repeat_interleave(x, L.tensor([1, 2, 0]), 0, output_size=3)
L.repeat_interleave(x, L.tensor([1, 2, 0]), 0, output_size=5)
L.repeat_interleave(x, L.tensor([1, 2, 0]), 5)
L.repeat_interleave(x, 2, 5)
L.repeat_interleave(x, -1)
L.repeat_interleave(x, True)
L.repeat_interleave(x, 2.0)
L.repeat_interleave(L.tensor(1.0), 2)
L.repeat_interleave(L.tensor(1.0), 2, 0)
L.repeat_interleave(L.tensor([1, 2, 3]))
L.repeat_interleave(L.tensor([1, 2, 3]), output_size=6)
L.repeat_interleave(L.tensor([1.0, 2.0]))
L.repeat_interleave(L.tensor([True, False]))
L.repeat_interleave(L.tensor([[1, 2]]))
L.repeat_interleave(L.tensor([1, -2]))
L.repeat_interleave(L.tensor(3))
L.repeat_interleave(e, 2, 0)
L.repeat_interleave(L.tensor(1.0), L.tensor([2]), 0)
L.repeat_interleave(L.tensor(1.0), L.tensor([2]))
L.repeat_interleave(e, L.tensor([2]), dim=1, output_size=8)
L.repeat_interleave(x, L.tensor([2, 3]), dim=1)
x.repeat_interleave(2)
x.repeat_interleave(L.tensor([1, 2, 0]), dim=0)
x.repeat_interleave()
L.tile(x, (2,))
L.tile(x, (2, 1, 3))
L.tile(x, ())
L.tile(x, (2, 0))
L.tile(x, (2, -1))
L.tile(L.tensor(1.0), (2,))
L.tile(i, [2, 2])
x.tile((1, 2))
x.tile(2, 2)
x.tile(2)
L.ravel(x)
L.ravel(x.t())
L.ravel(L.tensor(1.0))
L.ravel(i)
x.t().ravel()
L.swapdims(x, 0, 1)
L.swapdims(b3, -1, 0)
L.swapdims(x, 0, 5)
x.swapdims(1, 0)
L.swapaxes(x, 0, 1)
L.broadcast_to(x, (2, 3, 4))
L.broadcast_to(x, size=(2, -1, 4))
L.broadcast_to(x, (4,))
L.broadcast_to(x, (3, 5))
v.broadcast_to((2, 3))
L.narrow_copy(x, 0, 1, 2)
L.narrow_copy(x, -1, 1, 2)
L.narrow_copy(x, 0, -1, 1)
L.narrow_copy(x, 0, 2, 2)
L.narrow_copy(x, 0, 0, -1)
L.narrow_copy(x, -3, 0, 1)
L.narrow_copy(x, 0, 5, 1)
L.narrow_copy(x, 0, -5, 1)
L.narrow_copy(L.tensor(1.0), 0, 0, 1)
L.narrow_copy(i, 1, 1, 2)
x.narrow_copy(1, 0, 2)
L.narrow_copy(x, 0, 1, 2).stride()
"""


@pytest.mark.parametrize("code", REARRANGE.strip().splitlines())
def test_rearranging_ops_are_called_as_torch_s(code):
    check_like_torch(code)


def test_narrow_copy_of_a_dim_past_the_end_is_an_index_error():
    # PyTorch's narrow_copy fails an internal assert there ("Expected dim < ..."); tapegrad
    # raises what narrow (and every dim-taking op) raises.
    x = tg.zeros(3, 4)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 5\)"):
        tg.narrow_copy(x, 5, 0, 1)
    with pytest.raises(IndexError, match=r"Dimension out of range"):
        torch.narrow(torch.zeros(3, 4), 5, 0, 1)


def test_cat_and_stack_differentiate_through_any_number_of_inputs():
    # Needs was one 64-bit word: more than 64 differentiable inputs were refused.
    for join in (tg.cat, tg.stack):
        xs = [tg.full((2,), float(k), requires_grad=k % 3 != 1) for k in range(150)]
        y = join(xs)
        (y * y).sum().backward()
        for k, x in enumerate(xs):
            if k % 3 == 1:
                assert x.grad is None
            else:
                np.testing.assert_array_equal(x.grad.numpy(), [2.0 * k, 2.0 * k])


def _products(L):
    g = np.random.default_rng(0)

    def t(*shape):
        return L.tensor(g.standard_normal(shape).astype(np.float32))
    return {"L": L, "a": t(3), "b": t(4), "M": t(3, 4), "N": t(4, 5), "C": t(3, 5), "B1": t(2, 3, 4), "B2": t(2, 4, 5),
            "ia": L.tensor([1, 2, 3]), "iM": L.tensor(np.arange(12).reshape(3, 4)),
            "iN": L.tensor(np.arange(20).reshape(4, 5)), "iC": L.ones(3, 5, dtype=L.int64)}


def check_products_like_torch(code):
    def outcome(L):
        try:
            r = eval(code, _products(L))
        except Exception as err:
            return type(err).__name__, str(err).split("\n")[0]
        if hasattr(r, "shape"):
            return str(r.dtype).split(".")[-1], tuple(r.shape), np.round(np.asarray(r.tolist(), dtype=float), 4).tolist()
        return repr(r)
    assert outcome(tg) == outcome(torch), code


PRODUCTS = """
L.outer(a, b)
L.ger(a, b)
a.outer(b)
L.outer(ia, a)
L.outer(ia, ia)
L.outer(M, b)
L.outer(a, M)
L.outer(L.tensor(1.0), a)
L.outer(input=a, vec2=b)
L.inner(a, a)
L.inner(M, M)
L.inner(M, b)
L.inner(B1, M)
L.inner(a, L.tensor(2))
L.inner(ia, ia)
L.inner(M, N)
M.inner(M)
L.vdot(a, a)
L.vdot(a, b)
L.vdot(M, a)
L.vdot(a, a.double())
L.vdot(ia, ia)
a.vdot(other=a)
L.addmm(C, M, N)
L.addmm(C, M, N, beta=0.5, alpha=2)
L.addmm(C, M, N, beta=0, alpha=-1)
L.addmm(L.tensor(float("nan")), M, N, beta=0)
L.addmm(L.tensor(1.0), M, N)
L.addmm(C[0], M, N)
L.addmm(C, M, N.t())
L.addmm(b, M, N)
L.addmm(C, a, N)
L.addmm(C, M, b)
L.addmm(C, M, N.double())
L.addmm(C.double(), M, N)
L.addmm(iC, iM, iN)
L.addmm(iC, iM, iN, beta=2, alpha=3)
C.addmm(M, N, alpha=2)
C.clone().addmm_(M, N, beta=2)
L.addmv(a, M, b)
L.addmv(a, M, b, beta=2, alpha=0.5)
L.addmv(L.tensor(1.0), M, b)
L.addmv(a, M, a)
L.addmv(a, a, b)
L.addmv(b, M, b)
L.addmv(ia, iM, L.tensor([1, 2, 3, 4]))
a.addmv(M, b)
a.clone().addmv_(M, b, alpha=2)
L.addbmm(C, B1, B2)
L.addbmm(C, B1, B2, beta=0.5, alpha=2)
L.addbmm(C[0], B1, B2)
L.addbmm(C, B1, L.zeros(3, 4, 5))
L.addbmm(C, B1, L.zeros(2, 5, 5))
L.addbmm(C, M, N)
L.addbmm(C, B1, N)
C.addbmm(B1, B2)
C.clone().addbmm_(B1, B2)
L.baddbmm(C, B1, B2)
L.baddbmm(L.zeros(2, 3, 5), B1, B2, beta=2, alpha=0.5)
L.baddbmm(C, B1, L.zeros(3, 4, 5))
L.baddbmm(C, M, N)
L.baddbmm(L.ones(2, 3, 5, dtype=L.int64), iM.reshape(1, 3, 4).expand(2, 3, 4), iN.expand(2, 4, 5))
C.baddbmm(B1, B2)
L.zeros(2, 3, 5).baddbmm_(B1, B2)
L.kron(M, N)
L.kron(a, M)
L.kron(ia, ia)
L.kron(L.tensor(2.0), a)
L.kron(B1, a)
M.kron(a)
L.cross(L.tensor([1.0, 0, 0]), L.tensor([0.0, 1, 0]))
L.cross(M[:, :3], M[:, 1:], dim=1)
L.cross(M[:, :3], M[:, 1:], dim=-1)
L.cross(M[:, :3].t(), M[:, 1:].t(), 0)
L.cross(L.ones(4, 4), L.ones(4, 4))
L.cross(M[:, :3], M[:, 1:], dim=0)
L.cross(M[:, :3], M[:1, 1:], dim=1)
L.cross(M[:, :3], M[:2, 1:], dim=1)
L.cross(M[:, :3], a, dim=1)
L.cross(M[:, :3], M[:, 1:], dim=2)
L.cross(ia, ia, dim=0)
L.cross(ia, a, dim=0)
M[:, :3].cross(M[:, 1:], dim=1)
L.tensordot(M, N, 1)
L.tensordot(M, N, dims=1)
L.tensordot(M, M, 2)
L.tensordot(M, N, 0)
L.tensordot(B1, N, 1)
L.tensordot(M, N, 3)
L.tensordot(M, N, -1)
L.tensordot(iM, iN, 1)
L.tensordot(M, N)
L.einsum("ij,jk->ik", M, N)
L.einsum("ij,jk", [M, N])
L.einsum("ij,jk->ik", (M, N))
L.einsum("ij,jk->ik", M)
L.einsum("ij", M, N)
L.einsum("ij,jk->il", M, N)
L.einsum("ij,jk->ik", M, M)
L.einsum("ij->ii", M)
L.einsum("ii->i", M)
L.einsum("i,i->", ia, ia)
L.einsum("i1", a)
L.einsum("i.j", a)
L.einsum("ijk", M)
L.einsum("...ijk", M)
L.einsum("...j,jk->...k", B1, N)
L.chain_matmul(M, N)
L.chain_matmul(M, N, L.ones(5, 2))
L.chain_matmul(M)
L.chain_matmul(a, M)
L.cdist(M, L.ones(2, 4))
L.cdist(M, M, p=1)
L.cdist(M, M, p=0)
L.cdist(M, N.t(), p=3)
L.cdist(M, M, p=float("inf"))
L.cdist(B1, M)
L.cdist(M, L.ones(2, 5))
L.cdist(a, a)
L.cdist(M, M, p=-1)
L.cdist(iM, iM)
L.cdist(M, M, compute_mode="x")
L.cdist(M, M, compute_mode="donot_use_mm_for_euclid_dist")
"""


@pytest.mark.filterwarnings("ignore")  # torch's deprecation warnings (cross without dim, chain_matmul)
@pytest.mark.parametrize("code", PRODUCTS.strip().splitlines())
def test_products_are_called_as_torch_s(code):
    check_products_like_torch(code)


EINSUMS = [("ij,jk->ik", [(3, 4), (4, 5)]), ("ij,jk", [(3, 4), (4, 5)]), ("ij->j", [(3, 4)]), ("ij->ji", [(3, 4)]),
           ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("i,j->ij", [(3,), (4,)]), ("i,i->", [(3,), (3,)]),
           ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("...j,jk->...k", [(2, 3, 4), (4, 5)]), ("ijk->", [(2, 3, 4)]),
           ("ij,ij->ij", [(3, 4), (3, 4)]), ("ij,kj->ik", [(3, 4), (5, 4)]), ("i,ij,j->", [(3,), (3, 4), (4,)]),
           ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]), ("ab,cd->abcd", [(2, 3), (4, 1)]),
           ("iij->j", [(3, 3, 2)]), ("ijk,ikl->jl", [(2, 3, 4), (2, 4, 5)]), ("...ij->...ji", [(2, 3, 4)]),
           ("a...,a...->...", [(2, 3), (2, 3)]), ("ij,j", [(3, 4), (4,)]), ("ba,ac->bc", [(1, 4), (4, 3)]),
           ("ij,jk->ik", [(3, 1), (1, 5)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
           ("i j , j k -> i k", [(3, 4), (4, 5)]), ("Ab,bA->A", [(3, 4), (4, 3)]), ("ij,ij->", [(3, 4), (1, 4)]),
           ("...,...->...", [(2, 3), (3,)]), ("i,i,i->i", [(3,), (3,), (3,)]), ("ijij->ij", [(2, 3, 2, 3)]),
           ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]), ("ij,jk->ik", [(0, 4), (4, 5)])]


@pytest.mark.parametrize("equation,shapes", EINSUMS, ids=[e for e, _ in EINSUMS])
def test_einsum_matches_numpy_and_torch_s_gradients(equation, shapes):
    g = np.random.default_rng(1)
    arrays = [g.standard_normal(s) for s in shapes]
    ours = [tg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = tg.einsum(equation, *ours), torch.einsum(equation, *theirs)
    np.testing.assert_allclose(out.detach().numpy(), np.einsum(equation.replace(" ", ""), *arrays), rtol=1e-10,
                               atol=1e-12)
    assert out.grad_fn.name() == ref.grad_fn.name()
    w = g.standard_normal(tuple(ref.shape))
    (out * tg.tensor(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)


INDEXING = """
L.take(x, L.tensor([0, 5, -1]))
L.take(x, L.tensor([[1, 2], [3, 11]]))
L.take(x, L.tensor([0, 12]))
L.take(x, L.tensor([-12]))
L.take(x, L.tensor([-13]))
L.take(x, L.tensor([0.0]))
L.take(L.tensor(1.0), L.tensor(0))
L.take(e, L.tensor([0]))
L.take(e, L.tensor([], dtype=L.int64))
L.take(i, L.tensor([3]))
x.take(L.tensor([2]))
L.take_along_dim(x, L.tensor([[0], [1], [2]]), 1)
L.take_along_dim(x, L.tensor([[0]]), 1)
L.take_along_dim(x, L.tensor([[0, 1, 2, 0]]), dim=0)
L.take_along_dim(x, L.tensor([0, 5]))
L.take_along_dim(x, L.tensor([0]), 1)
L.take_along_dim(x, L.tensor([[0.0]]), 1)
L.take_along_dim(x, L.tensor([[0, 1]]), 5)
L.take_along_dim(b3, L.tensor([[[1]], [[0]]]), -2)
x.take_along_dim(L.tensor([[3]]), 1)
L.masked_select(x, x > 5)
L.masked_select(x, L.tensor([True, False, True, True]))
L.masked_select(x, L.tensor([True, False]))
L.masked_select(x, x)
L.masked_select(L.tensor([1, 2]), L.tensor([[True], [False]]))
L.masked_select(b, b)
x.masked_select(x < 3)
x.masked_scatter(x > 5, L.ones(12) * 7)
x.masked_scatter(x > 5, L.ones(3))
x.masked_scatter(x, L.ones(12))
x.masked_scatter(x > 5, L.ones(12, dtype=L.float64))
x.masked_scatter(L.tensor([True, False, True, True]), L.arange(12.0))
x.masked_scatter(L.ones(2, 3, 4, dtype=L.bool), L.arange(24.0))
L.masked_scatter(i, i > 5, L.arange(100, 112))
x.clone().masked_scatter_(x > 5, L.arange(12.0))
x.index_add(0, L.tensor([0, 2]), L.ones(2, 4))
x.index_add(0, L.tensor([0, 2]), L.ones(2, 4), alpha=2)
x.index_add(1, L.tensor([0, 0]), L.ones(3, 2))
x.index_add(0, L.tensor([0, 2]), L.ones(3, 4))
x.index_add(0, L.tensor([0, 2]), L.ones(2, 5))
x.index_add(0, L.tensor([0.0]), L.ones(1, 4))
x.index_add(0, L.tensor([5, 0]), L.ones(2, 4))
x.index_add(0, L.tensor([-1, 0]), L.ones(2, 4))
x.index_add(0, L.tensor([[0, 1]]), L.ones(2, 4))
x.index_add(5, L.tensor([0]), L.ones(1, 4))
x.index_add(0, L.tensor([0]), L.ones(1, 4, dtype=L.float64))
L.tensor([[1, 2]]).index_add(1, L.tensor([0]), L.tensor([[5]]), alpha=2)
L.index_add(x, 0, L.tensor([1]), L.ones(1, 4), alpha=-1)
L.tensor(1.0).index_add(0, L.tensor([0]), L.tensor(2.0))
x.clone().index_add_(0, L.tensor([1, 1]), L.ones(2, 4))
x.index_copy(0, L.tensor([0, 2]), L.ones(2, 4))
x.index_copy(1, L.tensor([3]), L.zeros(3, 1))
x.index_copy(0, L.tensor([0, 2]), L.ones(3, 4))
x.index_copy(0, L.tensor([5, 0]), L.ones(2, 4))
x.index_copy(0, L.tensor([-1, 0]), L.ones(2, 4))
x.index_copy(0, L.tensor([0, 2]), L.ones(2, 4, dtype=L.float64))
x.index_copy(0, L.tensor([0.0, 1.0]), L.ones(2, 4))
x.index_copy(0, L.tensor([[0, 1]]), L.ones(2, 4))
x.index_copy(0, L.tensor([0, 1]), L.ones(0, 4, dtype=L.float64))
x.index_add(0, L.tensor([0, 1]), L.ones(2, 5, dtype=L.float64))
L.tensor(1.0).index_copy(0, L.tensor([0]), L.tensor(2.0))
L.index_copy(i, 1, L.tensor([0]), L.zeros(3, 1, dtype=L.int64))
x.clone().index_copy_(0, L.tensor([1]), L.ones(1, 4))
x.index_fill(1, L.tensor([0, 2]), 2.0)
x.index_fill(1, L.tensor([-1]), 2.0)
x.index_fill(1, L.tensor([5]), 2.0)
x.index_fill(1, L.tensor([[0]]), 2.0)
x.index_fill(1, L.tensor([0]), L.tensor([2.0]))
x.index_fill(1, L.tensor([0]), L.tensor(2))
x.index_fill(0, L.tensor(1), -1)
L.tensor([1, 2]).index_fill(0, L.tensor([0]), 2.5)
L.tensor([1, 2]).index_fill(0, L.tensor([0]), True)
L.tensor(1.0).index_fill(0, L.tensor([0]), 2.0)
L.index_fill(x, 0, L.tensor([1]), 0)
x.clone().index_fill_(0, L.tensor([1]), 7)
x.clone().index_fill_(0, L.tensor([1]), L.tensor(7.0))
L.searchsorted(L.tensor([1, 3, 5, 7]), L.tensor([3, 6, 9]))
L.searchsorted(L.tensor([1, 3, 5, 7]), L.tensor([3, 6, 9]), right=True)
L.searchsorted(L.tensor([1, 3, 5, 7]), L.tensor([3, 6, 9]), side="right")
L.searchsorted(L.tensor([1, 3, 5, 7]), L.tensor([3, 6, 9]), side="left", right=True)
L.searchsorted(L.tensor([1, 3, 5, 7]), L.tensor([3, 6, 9]), side="x")
L.searchsorted(L.tensor([1, 3, 5, 7]), 5)
L.searchsorted(L.tensor([1, 3, 5, 7]), 5, right=True)
L.searchsorted(L.tensor([1.0, 3, 5, 7]), L.tensor([3, 6, 9]))
L.searchsorted(L.tensor([1.0, 3, 5, 7]), L.tensor([[3.5, 0.0], [7.0, 8.0]]))
L.searchsorted(L.tensor([[1, 3], [2, 4]]), L.tensor([[2], [3]]))
L.searchsorted(L.tensor([[1, 3], [2, 4]]), L.tensor([[2, 4, 0], [3, 5, 1]]), right=True)
L.searchsorted(L.tensor([[1, 3], [2, 4]]), L.tensor([2, 3]))
L.searchsorted(L.tensor([[1, 3], [2, 4]]), L.tensor([[2], [3], [4]]))
L.searchsorted(L.tensor([3, 1, 5]), L.tensor([3, 4]), sorter=L.tensor([1, 0, 2]))
L.searchsorted(L.tensor(1), L.tensor([3]))
L.searchsorted(L.tensor([1, 3]), L.tensor([3]), out_int32=True)
L.bucketize(L.tensor([3, 6, 9]), L.tensor([1, 3, 5, 7]))
L.bucketize(L.tensor([3, 6, 9]), L.tensor([1, 3, 5, 7]), right=True)
L.bucketize(5, L.tensor([1, 3, 5, 7]))
L.bucketize(L.tensor([3, 6, 9]), L.tensor([[1, 3, 5, 7]]))
L.bucketize(L.tensor([[3, 6], [9, 0]]), L.tensor([1, 3, 5, 7]))
L.bucketize(L.tensor([3.5]), L.tensor([1, 3, 5, 7]))
L.bucketize(x, L.tensor([1.0, 5.0]))
L.bucketize(L.tensor([3]), L.tensor([1, 3]), out_int32=True)
L.tril_indices(3, 3)
L.tril_indices(3, 4, 1)
L.tril_indices(4, 3, -1)
L.triu_indices(3, 4, -1)
L.triu_indices(3, 3, offset=1)
L.tril_indices(3, 3, dtype=L.float32)
L.tril_indices(3, 3, dtype=L.int64)
L.tril_indices(-1, 3)
L.triu_indices(3, -2)
L.triu_indices(0, 3)
L.tril_indices(3, 3, dtype=L.bool)
L.tril_indices(row=2, col=2)
"""


@pytest.mark.parametrize("code", INDEXING.strip().splitlines())
def test_indexing_ops_are_called_as_torch_s(code):
    if "out_int32=True" in code:
        pytest.skip("tapegrad has no int32 dtype: test_out_int32_is_refused_in_words")
    check_like_torch(code)


def test_out_int32_is_refused_in_words():
    with pytest.raises(NotImplementedError, match="out_int32=True needs the int32 dtype"):
        tg.searchsorted(tg.tensor([1, 3]), tg.tensor([3]), out_int32=True)
    with pytest.raises(NotImplementedError, match="out_int32=True needs the int32 dtype"):
        tg.bucketize(tg.tensor([3]), tg.tensor([1, 3]), out_int32=True)


LISTS = """
L.hstack([v, v])
L.hstack((x, x))
L.hstack([L.tensor(1.0), v])
L.hstack([v, x])
L.hstack([])
L.hstack([i, i])
L.vstack([v, v])
L.vstack([x, x[:1]])
L.vstack([L.tensor(1.0), L.tensor(2.0)])
L.vstack([])
L.row_stack([v, v])
L.dstack([v, v])
L.dstack([x, x])
L.dstack([b3, b3])
L.column_stack([v, v])
L.column_stack([x.t(), L.ones(4)])
L.column_stack([L.tensor(1.0), L.tensor(2.0)])
L.column_stack([])
L.hstack([v, v], out=L.zeros(6))
L.atleast_1d(L.tensor(1.0))
L.atleast_1d(v)
L.atleast_1d(L.tensor(1.0), v)
L.atleast_1d([L.tensor(1.0), x])
L.atleast_2d(v)
L.atleast_2d(L.tensor(1.0))
L.atleast_2d((v, x, b3))
L.atleast_3d(x)
L.atleast_3d(v)
L.atleast_3d(L.tensor(1.0))
L.atleast_3d(b3)
L.atleast_3d(v, x)
L.broadcast_tensors(v, x[:, :3])
L.broadcast_tensors(v, L.ones(2, 1))
L.broadcast_tensors(v, L.ones(2))
L.broadcast_tensors(v)
L.meshgrid(v, L.tensor([4.0, 5.0]), indexing="ij")
L.meshgrid(v, L.tensor([4.0, 5.0]), indexing="xy")
L.meshgrid([v, L.tensor([4.0, 5.0]), L.tensor(1.0)], indexing="xy")
L.meshgrid(v, indexing="xy")
L.meshgrid(v, indexing="x")
L.meshgrid(v, L.tensor([1, 2]), indexing="ij")
L.cartesian_prod(v, L.tensor([4.0, 5.0]))
L.cartesian_prod(v)
L.cartesian_prod(v, v, L.tensor([0.0]))
L.cartesian_prod(x)
L.block_diag(x, v, L.tensor(2.0))
L.block_diag(x, L.tensor([1, 2]))
L.block_diag(i, L.tensor([1, 2]))
L.block_diag(b3)
L.tensor_split(x, 2, dim=1)
L.tensor_split(x, 3, 1)
L.tensor_split(L.arange(7), 3)
L.tensor_split(x, [1, 2], dim=1)
L.tensor_split(L.arange(5), [3, 1])
L.tensor_split(L.arange(5), [-1, 7])
L.tensor_split(x, L.tensor(2), dim=1)
L.tensor_split(x, L.tensor([1, 3]), dim=1)
L.tensor_split(x, 0)
L.tensor_split(L.tensor(1.0), 2)
L.tensor_split(v, L.tensor([[1]]))
L.tensor_split(v, L.tensor([1.0]))
x.tensor_split(2)
x.tensor_split([1], 1)
L.hsplit(x, 2)
L.hsplit(x, 3)
L.hsplit(x, [1, 3])
L.hsplit(v, 3)
L.hsplit(L.tensor(1.0), 2)
L.vsplit(x, 3)
L.vsplit(x, [1])
L.vsplit(x, 2)
L.vsplit(v, 1)
L.dsplit(b3, 2)
L.dsplit(b3, [1, 3])
L.dsplit(x, 2)
x.hsplit(2)
x.vsplit([2])
"""


@pytest.mark.filterwarnings("ignore")  # torch's meshgrid warns without indexing=
@pytest.mark.parametrize("code", LISTS.strip().splitlines())
def test_list_ops_are_called_as_torch_s(code):
    check_like_torch(code)


def test_atleast_and_broadcast_return_their_input_when_it_fits():
    v = tg.ones(3, requires_grad=True)
    assert tg.atleast_1d(v) is v
    assert tg.broadcast_tensors(v, tg.ones(2, 3))[0].grad_fn.name() == "ExpandBackward0"
    assert tg.broadcast_tensors(tg.ones(2, 3), v)[0].grad_fn is None


MORE = """
L.diagflat(x)
L.diagflat(v, 1)
L.diagflat(v, offset=-2)
L.diagflat(L.tensor(1.0))
L.diagflat(i)
x.diagflat()
x.index_put((L.tensor([0, 1]),), L.tensor(1.0))
x.index_put([L.tensor([0, 2]), L.tensor([1, 3])], L.tensor([5.0, 6.0]))
x.index_put((L.tensor([0, 0]),), L.tensor([1.0, 2, 3, 4]), accumulate=True)
x.index_put((x > 5,), L.tensor(-1.0))
x.index_put((L.tensor([True, False, True]),), L.tensor(0.0))
x.index_put((L.tensor([0.0]),), L.tensor(1.0))
L.index_put(x, (L.tensor([1]),), L.tensor(5.0))
x.clone().index_put_((L.tensor([1]),), L.tensor(5.0))
i.index_put((L.tensor([1]),), L.tensor(5))
L.combinations(v)
L.combinations(v, 3)
L.combinations(v, 2, with_replacement=True)
L.combinations(v, r=1)
L.combinations(v, 0)
L.combinations(v, -1)
L.combinations(x)
L.combinations(L.tensor([1, 2, 3, 4]), 3)
L.combinations(L.zeros(0))
"""


@pytest.mark.parametrize("code", MORE.strip().splitlines())
def test_diagflat_index_put_combinations_are_called_as_torch_s(code):
    check_like_torch(code)


AS_STRIDED = """
L.as_strided(x, (2, 2), (1, 2))
L.as_strided(x, (2, 2), (1, 2), 1)
L.as_strided(x, size=(3,), stride=(5,))
L.as_strided(x, (2, 2), (-1, 2))
L.as_strided(x, (2, 4), (4, 3))
L.as_strided(x, (2, 2), (1, 2), 11)
L.as_strided(x, (2,), (1, 2))
L.as_strided(x, (0, 2), (1, 2), 12)
L.as_strided(x[1:], (2,), (1,))
L.as_strided(x[1:], (2,), (1,), 0)
L.as_strided(x.t(), (2, 2), (1, 2))
L.as_strided(i, (2,), (4,))
x.as_strided((2, 2), (4, 1)).stride()
x.as_strided((2, 2), (4, 1), 1).storage_offset()
"""


@pytest.mark.parametrize("code", AS_STRIDED.strip().splitlines())
def test_as_strided_is_called_as_torch_s(code):
    check_like_torch(code)


def test_as_strided_is_a_view_with_torch_s_gradient():
    base = {}
    for L in (tg, torch):
        a = L.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
        y = a * 1.0
        v = L.as_strided(y, (2, 3), (1, 4), 1)
        assert v.grad_fn.name() == "AsStridedBackward0"
        (v * v).sum().backward()
        base[L.__name__] = a.grad.numpy()
    np.testing.assert_allclose(base["tapegrad"], base["torch"])
    x = tg.zeros(3, 4)
    x.as_strided((3,), (5,)).fill_(1.0)  # writes reach the input
    np.testing.assert_array_equal(x.numpy(), np.eye(3, 4))


def test_as_strided_outside_a_differentiable_input_is_refused_in_words():
    a = tg.ones(3, 4, requires_grad=True)
    with pytest.raises(NotImplementedError, match="outside the input's own contiguous elements"):
        tg.as_strided(a.t(), (2, 2), (1, 2))
    with tg.no_grad():
        assert tg.as_strided(a.t(), (2, 2), (1, 2)).shape == (2, 2)


def test_as_strided_gradcheck_and_gradgradcheck():
    # (no op table entry: AsStridedBackward0 is slice.cpp's strided view, which registers no op name)
    from tapegrad.autograd import gradcheck, gradgradcheck
    a = tg.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)

    def f(t):
        return tg.as_strided(t, (2, 3), (1, 4), 1) ** 2
    assert gradcheck(f, [a]) and gradgradcheck(f, [a])


SCATTER_REDUCE = """
x.scatter_reduce(1, L.tensor([[0, 0], [1, 0], [3, 3]]), x[:, :2] * 10, "sum")
x.scatter_reduce(1, L.tensor([[0, 0], [1, 0], [3, 3]]), x[:, :2] * 10, "sum", include_self=False)
x.scatter_reduce(1, L.tensor([[0, 0], [1, 0], [3, 3]]), x[:, :2] + 1, "prod")
x.scatter_reduce(1, L.tensor([[0, 0], [1, 0], [3, 3]]), x[:, :2] + 1, "prod", include_self=False)
x.scatter_reduce(1, L.tensor([[0, 0], [1, 0], [3, 3]]), x[:, :2] * 10, "mean")
x.scatter_reduce(1, L.tensor([[0, 0], [1, 0], [3, 3]]), x[:, :2] * 10, "mean", include_self=False)
x.scatter_reduce(1, L.tensor([[0, 0], [1, 0], [3, 3]]), x[:, :2] - 5, "amax")
x.scatter_reduce(1, L.tensor([[0, 0], [1, 0], [3, 3]]), x[:, :2] - 5, "amin", include_self=False)
x.scatter_reduce(1, L.tensor([[0, 0]]), x, "max")
x.scatter_reduce(0, L.tensor([[2, 0, 1, 2]]), x, "amin")
i.scatter_reduce(1, L.tensor([[0, 0]]), i, "mean")
i.scatter_reduce(1, L.tensor([[0, 0]]), i, "sum", include_self=False)
x.scatter_reduce(1, L.tensor([[0, 0]]), x, "x")
x.scatter_reduce(1, L.tensor([[0.0]]), x, "sum")
x.scatter_reduce(1, L.tensor([[0]]), x.double(), "sum")
x.scatter_reduce(5, L.tensor([[0]]), x, "sum")
x.scatter_reduce(1, L.tensor([[4]]), x, "sum")
x.scatter_reduce(1, L.tensor([[0, 0, 0]]), x[:, :1], "sum")
L.scatter_reduce(x, 1, L.tensor([[1]]), x, reduce="sum")
x.clone().scatter_reduce_(1, L.tensor([[1, 1]]), x, "amax")
"""


@pytest.mark.parametrize("code", SCATTER_REDUCE.strip().splitlines())
def test_scatter_reduce_is_called_as_torch_s(code):
    check_like_torch(code)
