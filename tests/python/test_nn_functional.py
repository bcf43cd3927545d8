"""Behaviour of tapegrad.nn.functional beyond the op table: defaults, reductions, ignore_index,
errors as PyTorch raises them, one_hot, dropout, stability; then a side-by-side check against
torch (values, gradients, grad_fn names) when torch is importable."""
import numpy as np
import pytest

import tapegrad as tg
import tapegrad.nn.functional as F


def t64(a, requires_grad=False):
    return tg.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def test_namespace():
    assert tg.nn.functional is F
    for name in F.__all__:
        assert callable(getattr(F, name))


# ---- activations and softmax ----

def test_activation_defaults():
    x = t64([-2.0, -0.5, 0.5, 3.0])
    np.testing.assert_allclose(F.leaky_relu(x).numpy(), [-0.02, -0.005, 0.5, 3.0])
    np.testing.assert_allclose(F.elu(x).numpy(), np.where(x.numpy() > 0, x.numpy(), np.expm1(x.numpy())))
    np.testing.assert_allclose(F.relu(x).numpy(), [0, 0, 0.5, 3.0])
    np.testing.assert_allclose(F.sigmoid(x).numpy(), 1 / (1 + np.exp(-x.numpy())))
    np.testing.assert_allclose(F.tanh(x).numpy(), np.tanh(x.numpy()))


def test_softplus_threshold_and_no_overflow():
    x = t64([-1000.0, 0.0, 25.0, 1000.0])
    np.testing.assert_allclose(F.softplus(x).numpy(), [0.0, np.log(2), 25.0, 1000.0])
    np.testing.assert_allclose(F.softplus(t64([1.0]), beta=2, threshold=1).numpy(), [1.0])


def test_gelu_bad_approximate():
    with pytest.raises(RuntimeError):
        F.gelu(t64([1.0]), approximate="exact")


def test_softmax_is_stable():
    x = t64([[1000.0, 1001.0, 1002.0], [-1000.0, -1000.0, -1000.0]])
    s = F.softmax(x, dim=1).numpy()
    assert np.isfinite(s).all()
    np.testing.assert_allclose(s.sum(1), [1.0, 1.0])
    ls = F.log_softmax(x, dim=1).numpy()
    np.testing.assert_allclose(ls[1], np.log([1 / 3] * 3))
    x32 = tg.tensor([[100.0, 0.0, -100.0]])
    assert np.isfinite(F.log_softmax(x32, 1).numpy()).all()


def test_softmax_implicit_dim_warns():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = F.softmax(t64([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_allclose(out.numpy().sum(1), [1, 1])


def test_softmax_dtype_argument():
    assert F.softmax(tg.tensor([1.0, 2.0]), 0, dtype=tg.float64).dtype == tg.float64


# ---- dropout ----

def test_dropout_eval_returns_input_and_p_range():
    x = tg.ones(4, 5)
    assert F.dropout(x, 0.5, training=False) is x
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got"):
            F.dropout(x, p)


def test_dropout_train_scales_and_zeroes():
    tg.manual_seed(0)
    x = tg.ones(200, 50, requires_grad=True)
    y = F.dropout(x, 0.25)
    vals = y.detach().numpy()
    assert np.all(np.isclose(vals, 0) | np.isclose(vals, 1 / 0.75))
    assert 0.2 < (y.detach().numpy() == 0).mean() < 0.3
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())
    assert (F.dropout(x, 1.0).detach().numpy() == 0).all()


# ---- losses ----

def test_mse_and_l1_reductions():
    a, b = t64([[1.0, 2.0], [3.0, 5.0]]), t64([[0.0, 2.0], [1.0, 1.0]])
    assert F.mse_loss(a, b).item() == pytest.approx((1 + 0 + 4 + 16) / 4)
    assert F.mse_loss(a, b, reduction="sum").item() == pytest.approx(21)
    np.testing.assert_allclose(F.mse_loss(a, b, reduction="none").numpy(), [[1, 0], [4, 16]])
    assert F.l1_loss(a, b).item() == pytest.approx(7 / 4)
    assert F.l1_loss(a, b, reduction="sum").item() == pytest.approx(7)
    assert F.mse_loss(a, b, size_average=False).item() == pytest.approx(21)  # legacy flags
    with pytest.raises(ValueError, match="is not a valid value for reduction"):
        F.mse_loss(a, b, reduction="avg")


def test_mse_broadcast_warns():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(t64([[1.0], [2.0]]), t64([1.0, 2.0]))


def test_nll_ignore_index_and_weights():
    logp = t64(np.log(np.full((3, 4), 0.25)) + np.arange(12).reshape(3, 4) * 0.1, requires_grad=True)
    x = logp.detach().numpy()
    t = tg.tensor([1, -100, 3])
    assert F.nll_loss(logp, t).item() == pytest.approx(-(x[0, 1] + x[2, 3]) / 2)
    assert F.nll_loss(logp, tg.tensor([1, 2, 3]), ignore_index=2).item() == pytest.approx(-(x[0, 1] + x[2, 3]) / 2)
    w = t64([1.0, 2.0, 3.0, 4.0])
    assert F.nll_loss(logp, t, weight=w).item() == pytest.approx(-(2 * x[0, 1] + 4 * x[2, 3]) / 6)
    np.testing.assert_allclose(F.nll_loss(logp, t, reduction="none").detach().numpy(), [-x[0, 1], 0, -x[2, 3]])
    F.nll_loss(logp, t).backward()
    g = np.zeros((3, 4))
    g[0, 1] = g[2, 3] = -0.5
    np.testing.assert_allclose(logp.grad.numpy(), g)
    assert np.isnan(F.nll_loss(logp, tg.tensor([-100, -100, -100])).item())


def test_nll_errors():
    x = tg.zeros(3, 4)
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target batch_size \(2\)\."):
        F.nll_loss(x, tg.tensor([0, 1]))
    with pytest.raises(IndexError, match="Target 4 is out of bounds."):
        F.nll_loss(x, tg.tensor([0, 1, 4]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got Float"):
        F.nll_loss(x, tg.zeros(3))
    with pytest.raises(RuntimeError, match="0D or 1D target tensor expected, multi-target not supported"):
        F.cross_entropy(x, tg.zeros(3, 5))


def test_cross_entropy_defaults_and_shapes():
    x = t64(np.random.default_rng(0).normal(size=(2, 3)), requires_grad=True)
    t = tg.tensor([2, 0])
    out = F.cross_entropy(x, t)
    assert out.grad_fn.name() == "NllLossBackward0"
    assert out.grad_fn.next_functions[0][0].name() == "LogSoftmaxBackward0"
    a = x.detach().numpy()
    lse = np.log(np.exp(a).sum(1))
    assert out.item() == pytest.approx(np.mean([lse[0] - a[0, 2], lse[1] - a[1, 0]]))
    with pytest.raises(ValueError, match="Expected input batch_size"):
        F.cross_entropy(x, tg.tensor([0, 1, 2]))
    # a single sample (C,) with a 0-d target
    assert F.cross_entropy(tg.tensor(a[0]), tg.tensor(2)).item() == pytest.approx(lse[0] - a[0, 2])


def test_bce_errors_and_clamp():
    with pytest.raises(ValueError, match="different to the input size"):
        F.binary_cross_entropy(tg.tensor([0.5, 0.5]), tg.tensor([[1.0, 0.0]]))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(tg.tensor([1.5]), tg.tensor([1.0]))
    assert F.binary_cross_entropy(t64([0.0]), t64([1.0])).item() == pytest.approx(100.0)
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(tg.tensor([0.5, 0.5]), tg.tensor([[1.0, 0.0]]))


def test_bce_with_logits_is_stable():
    out = F.binary_cross_entropy_with_logits(t64([1000.0, -1000.0]), t64([0.0, 1.0]), reduction="none")
    np.testing.assert_allclose(out.numpy(), [1000.0, 1000.0])


# ---- layer_norm, embedding, one_hot, pad ----

def test_layer_norm_shape_error():
    with pytest.raises(RuntimeError, match="Given normalized_shape"):
        F.layer_norm(tg.zeros(2, 3), (4,))


def test_embedding_padding_idx_and_errors():
    w = t64(np.arange(12.0).reshape(4, 3), requires_grad=True)
    idx = tg.tensor([[0, 2], [2, 3]])
    out = F.embedding(idx, w, padding_idx=2)
    np.testing.assert_array_equal(out.detach().numpy(), np.arange(12.0).reshape(4, 3)[[[0, 2], [2, 3]]])
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy()[:, 0], [1, 0, 0, 1])  # the padding row gets no gradient
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(tg.tensor([4]), w)
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(tg.tensor([-1]), w)
    with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices'"):
        F.embedding(tg.tensor([1.0]), w)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        F.embedding(idx, w, padding_idx=4)


def test_one_hot():
    out = F.one_hot(tg.tensor([0, 2, 1]))
    assert out.dtype == tg.int64
    np.testing.assert_array_equal(out.numpy(), np.eye(3, dtype=np.int64)[[0, 2, 1]])
    assert tuple(F.one_hot(tg.tensor([[0], [1]]), num_classes=4).shape) == (2, 1, 4)
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes."):
        F.one_hot(tg.tensor([3]), 3)
    with pytest.raises(RuntimeError, match="Class values must be non-negative."):
        F.one_hot(tg.tensor([-1]))
    with pytest.raises(RuntimeError, match="one_hot is only applicable to index tensor"):
        F.one_hot(tg.tensor([1.0]))


def test_pad_errors():
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(tg.zeros(2, 3), (1,))
    # negative pads are cut off the input with narrow() first, as PyTorch does
    with pytest.raises(RuntimeError, match=r"narrow\(\): length must be non-negative."):
        F.pad(tg.zeros(2, 3), (-5, 1))
    with pytest.raises(RuntimeError, match=r"narrow\(\): length must be non-negative."):
        F.pad(tg.zeros(2, 3), (-2, -2))
    with pytest.raises(NotImplementedError, match="Padding size 2 is not supported for 4D input tensor."):
        F.pad(tg.zeros(1, 1, 2, 3), (1, 1), mode="reflect")
    with pytest.raises(RuntimeError, match="Padding size should be less than the corresponding input dimension"):
        F.pad(tg.zeros(1, 2, 3), (3, 0), mode="reflect")
    with pytest.raises(RuntimeError, match="Padding value causes wrapping around more than once."):
        F.pad(tg.zeros(1, 2, 3), (4, 0), mode="circular")
    with pytest.raises(NotImplementedError, match="Unrecognised padding mode"):
        F.pad(tg.zeros(1, 2, 3), (1, 1), mode="mirror")


# ---- double backward: every backward is written with tapegrad ops ----

def _grad(out, inputs, create_graph=False):
    grad = getattr(tg.autograd, "grad", None)
    if grad is None:
        pytest.skip("tapegrad.autograd.grad not available")
    return grad(out, inputs, create_graph=create_graph)


DOUBLE = [
    ("gelu", lambda F, x: F.gelu(x)),
    ("gelu_tanh", lambda F, x: F.gelu(x, approximate="tanh")),
    ("silu", lambda F, x: F.silu(x)),
    ("elu", lambda F, x: F.elu(x)),
    ("softplus", lambda F, x: F.softplus(x)),
    ("softmax", lambda F, x: F.softmax(x, dim=1) * F.softmax(x, dim=1)),
    ("log_softmax", lambda F, x: F.log_softmax(x, dim=1) ** 2),
    ("layer_norm", lambda F, x: F.layer_norm(x, (4,)) ** 3),
    ("bce_logits", lambda F, x: F.binary_cross_entropy_with_logits(x, x.detach() * 0 + 0.3)),
    ("mse", lambda F, x: F.mse_loss(x ** 2, x.detach() * 0 + 0.5)),
    ("reflect", lambda F, x: F.pad(x.view(1, 3, 4), (2, 1), mode="reflect") ** 2),
    ("replicate", lambda F, x: F.pad(x.view(1, 3, 4), (1, 2, 1, 0), mode="replicate") ** 2),
    ("circular", lambda F, x: F.pad(x.view(1, 3, 4), (1, 3), mode="circular") ** 2),
    ("constant_pad", lambda F, x: F.pad(x, (1, -1, 2, 0)) ** 2),
    ("bce", lambda F, x: F.binary_cross_entropy(F.sigmoid(x), x.detach() * 0 + 0.3)),
    ("ce_probs", lambda F, x: F.cross_entropy(x, F.softmax(x.detach(), 1))),
    ("layer_norm_affine", lambda F, x: F.layer_norm(x, (4,), x.detach().sum(0), x.detach().mean(0)) ** 2),
]

# ---- against torch ----

CASES = [
    ("relu", lambda F, x: F.relu(x)),
    ("leaky_relu", lambda F, x: F.leaky_relu(x, negative_slope=0.1)),
    ("elu", lambda F, x: F.elu(x, alpha=0.7)),
    ("softplus", lambda F, x: F.softplus(x, beta=3, threshold=2)),
    ("log_softmax", lambda F, x: F.log_softmax(x, -1)),
    ("layer_norm", lambda F, x: F.layer_norm(x, [4], eps=1e-3)),
    ("bce", lambda F, x: F.binary_cross_entropy(F.sigmoid(x), F.sigmoid(x.detach() * 2), reduction="sum")),
    ("bce_w", lambda F, x: F.binary_cross_entropy(F.sigmoid(x), F.sigmoid(x.detach() * 2), weight=x.detach() ** 2)),
    ("bcel_w", lambda F, x: F.binary_cross_entropy_with_logits(x, F.sigmoid(x.detach() * 2), weight=x.detach() ** 2,
                                                                pos_weight=x.detach().sum(0) ** 2)),
    ("pad", lambda F, x: F.pad(x, (2, 1, 1, 0), value=-1.0)),
    ("pad_reflect_crop", lambda F, x: F.pad(x, (-1, 3), mode="reflect")),
    ("pad_replicate_3d", lambda F, x: F.pad(x.view(1, 1, 3, 4), (1, 1, 2, 0, 0, 3), mode="replicate")),
    ("linear_nobias", lambda F, x: F.linear(x, x.detach().t().mm(x.detach()))),
    ("l1_none", lambda F, x: F.l1_loss(x, x.detach() * 0.5, reduction="none")),
    ("mse_bcast", lambda F, x: F.mse_loss(x, x.detach().sum(0), reduction="none")),
]


def _targets(mod):
    return {"t": mod.tensor([3, 1, -100]), "ti": mod.tensor([2, 1, 0]), "tw": mod.tensor([1.0, 2.0, 0.5, 1.5], dtype=mod.float64)}


CE_CASES = [
    ("ce", lambda F, x, T: F.cross_entropy(x, T["t"])),
    ("ce_w_sum", lambda F, x, T: F.cross_entropy(x, T["t"], weight=T["tw"], reduction="sum")),
    ("ce_smooth", lambda F, x, T: F.cross_entropy(x, T["t"], label_smoothing=0.2)),
    ("ce_smooth_w", lambda F, x, T: F.cross_entropy(x, T["t"], weight=T["tw"], label_smoothing=0.1)),
    ("ce_smooth_none", lambda F, x, T: F.cross_entropy(x, T["t"], label_smoothing=0.1, reduction="none")),
    ("ce_probs", lambda F, x, T: F.cross_entropy(x, F.softmax(x.detach() * 3, 1))),
    ("ce_probs_smooth", lambda F, x, T: F.cross_entropy(x, F.softmax(x.detach() * 3, 1), label_smoothing=0.3)),
    ("nll_none", lambda F, x, T: F.nll_loss(F.log_softmax(x, 1), T["t"], reduction="none")),
    ("nll_w", lambda F, x, T: F.nll_loss(x, T["t"], weight=T["tw"])),
    ("embedding", lambda F, x, T: F.embedding(T["ti"], x, padding_idx=-3)),
]


def _run(mod, fn, arr, *extra):
    x = mod.tensor(arr, dtype=mod.float64, requires_grad=True)
    out = fn(mod.nn.functional, x, *extra)
    g = np.random.default_rng(1).normal(size=tuple(out.shape))
    out.backward(mod.tensor(g, dtype=mod.float64))
    return out, x.grad


@pytest.mark.filterwarnings("ignore:Using a target size")  # mse_bcast broadcasts on purpose
@pytest.mark.parametrize("name,fn", CASES + [("d_" + n, f) for n, f in DOUBLE],
                         ids=[c[0] for c in CASES] + ["d_" + n for n, _ in DOUBLE])
def test_matches_torch(name, fn):
    torch = pytest.importorskip("torch")
    arr = np.random.default_rng(0).normal(size=(3, 4)) * 1.5
    out, grad = _run(tg, fn, arr)
    tout, tgrad = _run(torch, fn, arr)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad.numpy(), tgrad.numpy(), rtol=1e-9, atol=1e-12)
    if name != "d_ce_probs":  # PyTorch divides by a Python number there: DivBackward1, not in tapegrad
        assert out.grad_fn.name() == tout.grad_fn.name()


@pytest.mark.parametrize("name,fn", CE_CASES, ids=[c[0] for c in CE_CASES])
def test_losses_match_torch(name, fn):
    torch = pytest.importorskip("torch")
    arr = np.random.default_rng(2).normal(size=(3, 4))
    out, grad = _run(tg, fn, arr, _targets(tg))
    tout, tgrad = _run(torch, fn, arr, _targets(torch))
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad.numpy(), tgrad.numpy(), rtol=1e-9, atol=1e-12)
    if name in ("ce", "ce_w_sum", "nll_none", "nll_w", "embedding"):
        assert out.grad_fn.name() == tout.grad_fn.name()


@pytest.mark.parametrize("name,fn", DOUBLE, ids=[c[0] for c in DOUBLE])
def test_double_backward_matches_torch(name, fn):
    torch = pytest.importorskip("torch")
    arr = np.random.default_rng(3).normal(size=(3, 4))

    def second(mod, grad):
        x = mod.tensor(arr, dtype=mod.float64, requires_grad=True)
        (g,) = grad(fn(mod.nn.functional, x).sum(), [x], create_graph=True)
        (gg,) = grad((g * g).sum(), [x])
        return gg.detach().numpy()

    mine = second(tg, lambda o, i, create_graph=False: _grad(o, i, create_graph))
    np.testing.assert_allclose(mine, second(torch, torch.autograd.grad), rtol=1e-8, atol=1e-10)


def test_linear_nodes_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    xs, w, b = rng.normal(size=(2, 3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5,))
    for x in (xs[0], xs, xs[0, 0]):
        for bias in (b, None):
            outs = []
            for mod in (tg, torch):
                args = [mod.tensor(v, requires_grad=True) for v in (x, w)]
                if bias is not None:
                    args.append(mod.tensor(bias, requires_grad=True))
                out = mod.nn.functional.linear(*args)
                out.sum().backward()
                outs.append((out, [a.grad.numpy() for a in args]))
            (o1, g1), (o2, g2) = outs
            np.testing.assert_allclose(o1.detach().numpy(), o2.detach().numpy(), rtol=1e-10)
            for a, c in zip(g1, g2):
                np.testing.assert_allclose(a, c, rtol=1e-10)
            if x.ndim == 2 or bias is not None:
                assert o1.grad_fn.name() == o2.grad_fn.name(), (x.ndim, bias is None)
