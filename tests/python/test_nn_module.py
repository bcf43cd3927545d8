"""nn.Module registration, traversal, modes, state dicts, dtype moves and repr; the layers'
forward/backward against PyTorch (when importable) after copying its weights."""
import math

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import nn

try:
    import torch
except ImportError:  # parity tests skip; everything else runs
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(3, 2, bias=False)
        self.register_buffer("steps", tg.zeros(1))
        self.register_buffer("scratch", tg.zeros(2), persistent=False)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def test_parameter_is_a_leaf_that_shares_data_and_passes_isinstance():
    t = tg.zeros(3)
    p = nn.Parameter(t)
    assert isinstance(p, nn.Parameter) and isinstance(p, tg.Tensor)
    assert p.is_leaf and p.requires_grad
    assert not isinstance(t, nn.Parameter) and not isinstance(p * 2, nn.Parameter)
    with tg.no_grad():
        p.add_(1)
    assert t.tolist() == [1.0, 1.0, 1.0]
    assert not nn.Parameter(tg.zeros(1), requires_grad=False).requires_grad


def test_attribute_registration_and_traversals():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight"]
    assert len(list(net.parameters())) == 3
    assert [n for n, _ in net.named_buffers()] == ["steps", "scratch"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "fc2"]
    assert list(net.modules())[0] is net
    assert net.fc2.bias is None
    net.extra = tg.ones(2)  # a plain tensor is an attribute, not a parameter
    assert len(list(net.parameters())) == 3
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        net.nope
    del net.fc2
    assert [n for n, _ in net.named_children()] == ["fc1", "act"]


def test_shared_parameters_are_listed_once():
    a = nn.Linear(2, 2)
    seq = nn.Sequential(a, a)
    assert len(list(seq.parameters())) == 2
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_assigning_before_init_or_wrong_types_raises():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()
    net = Net()
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        net.fc1.weight = tg.ones(3, 4)


def test_train_eval_propagates_and_dropout_obeys_it():
    net = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
    assert net.training and net[1].training
    net.eval()
    assert not net.training and not net[1].training
    x = tg.ones(8, 4)
    assert np.array_equal(net(x).detach().numpy(), net[0](x).detach().numpy())
    net.train()
    tg.manual_seed(0)
    assert (net[1](tg.ones(1000)) == 0).sum().item() > 300


def test_zero_grad_sets_to_none_or_zeros():
    net = Net()
    net(tg.ones(2, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_state_dict_round_trip_and_persistence():
    a, b = Net(), Net()
    sd = a.state_dict()
    assert list(sd) == ["steps", "fc1.weight", "fc1.bias", "fc2.weight"]  # own entries before children
    assert not sd["fc1.weight"].requires_grad
    result = b.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (n, p), q in zip(a.named_parameters(), b.parameters()):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy()), n
    assert b.fc1.weight.is_leaf and isinstance(b.fc1.weight, nn.Parameter)


def test_load_state_dict_errors_use_pytorchs_wording():
    net = Net()
    sd = net.state_dict()
    del sd["fc1.bias"]
    sd["extra.weight"] = tg.zeros(1)
    msg = ('Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: "fc1.bias". \n\t'
           'Unexpected key(s) in state_dict: "extra.weight". ')
    with pytest.raises(RuntimeError) as e:
        net.load_state_dict(sd)
    assert str(e.value) == msg
    keys = net.load_state_dict(sd, strict=False)
    assert keys.missing_keys == ["fc1.bias"] and keys.unexpected_keys == ["extra.weight"]
    bad = Net().state_dict()
    bad["fc1.weight"] = tg.zeros(2, 2)
    with pytest.raises(RuntimeError, match=r"size mismatch for fc1.weight: copying a param with shape "
                                           r"torch.Size\(\[2, 2\]\) from checkpoint, the shape in current model "
                                           r"is torch.Size\(\[3, 4\]\)."):
        net.load_state_dict(bad, strict=False)


@needs_torch
def test_load_state_dict_message_matches_torch_exactly():
    class TNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(4, 3)

    tnet = TNet()
    sd = {"fc1.weight": torch.zeros(3, 4), "x": torch.zeros(1), "y": torch.zeros(1)}

    class Net2(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 3)

    with pytest.raises(RuntimeError) as te:
        tnet.load_state_dict(sd)
    with pytest.raises(RuntimeError) as ge:
        Net2().load_state_dict({k: tg.zeros(*v.shape) for k, v in sd.items()})
    assert str(ge.value).replace("Net2", "TNet") == str(te.value)


def test_to_dtype_keeps_parameter_identity():
    net = Net()
    w = net.fc1.weight
    assert net.double() is net
    assert w.dtype == tg.float64 and net.fc1.weight is w and w.is_leaf and w.requires_grad
    assert net.steps.dtype == tg.float64
    assert net(tg.ones(1, 4, dtype=tg.float64)).dtype == tg.float64
    net.float()
    assert w.dtype == tg.float32
    assert net.to(tg.float64).fc2.weight.dtype == tg.float64


@needs_torch
def test_repr_matches_torch():
    def build(lib):
        n = lib.nn
        return n.Sequential(n.Linear(3, 4), n.ReLU(), n.Sequential(n.LayerNorm(4), n.Dropout(0.1), n.GELU("tanh")),
                            n.Embedding(5, 2, padding_idx=0), n.LSTMCell(4, 2), n.RNNCell(2, 3, nonlinearity="relu"),
                            n.ModuleList([n.Tanh(), n.Sigmoid()]), n.Linear(2, 2, bias=False), n.CrossEntropyLoss(),
                            n.LayerNorm(3, elementwise_affine=False), n.ReLU(inplace=True))
    assert repr(build(tg)) == repr(build(torch))


def test_containers():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear) and len(seq[:2]) == 2
    assert seq(tg.ones(5, 2)).shape == (5, 1)
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml.append(nn.Linear(1, 1))
    ml.extend([nn.Tanh()])
    assert len(ml) == 3 and [n for n, _ in ml.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    with pytest.raises(IndexError):
        ml[3]


def test_default_initialisation_bounds():
    tg.manual_seed(0)
    lin = nn.Linear(100, 50)
    bound = 1 / math.sqrt(100)
    w = lin.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * 1.5
    assert np.abs(lin.bias.detach().numpy()).max() <= bound
    cell = nn.LSTMCell(10, 25)
    for p in cell.parameters():
        assert np.abs(p.detach().numpy()).max() <= 1 / 5
    emb = nn.Embedding(1000, 20, padding_idx=3).weight.detach().numpy()
    assert abs(emb.std() - 1) < 0.05 and np.all(emb[3] == 0)
    ln = nn.LayerNorm(4)
    assert ln.weight.tolist() == [1.0] * 4 and ln.bias.tolist() == [0.0] * 4


def test_init_functions():
    t = tg.empty(200, 300)
    nn.init.xavier_uniform_(t)
    b = math.sqrt(6 / 500)
    assert np.abs(t.numpy()).max() <= b and np.abs(t.numpy()).max() > 0.95 * b
    nn.init.kaiming_uniform_(t, nonlinearity="relu")
    b = math.sqrt(2) * math.sqrt(3 / 300)
    assert np.abs(t.numpy()).max() <= b
    nn.init.normal_(t, 2.0, 0.5)
    assert abs(t.numpy().mean() - 2) < 0.01 and abs(t.numpy().std() - 0.5) < 0.01
    nn.init.uniform_(t, -3, -2)
    assert t.numpy().min() >= -3 and t.numpy().max() <= -2
    assert nn.init.zeros_(t) is t and t.numpy().sum() == 0
    nn.init.ones_(t)
    assert t.numpy().sum() == 60000
    assert nn.init.calculate_fan_in_and_fan_out(tg.empty(4, 3, 5, 5)) == (75, 100)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(tg.empty(3))
    p = nn.Parameter(tg.empty(3, 3))
    nn.init.normal_(p)
    assert p.is_leaf and p.grad_fn is None


# ---- parity with PyTorch after copying its weights ----

def _copy_from_torch(gmod, tmod):
    for (gn, gp), (tn, tp) in zip(gmod.named_parameters(), tmod.named_parameters()):
        assert gn == tn
        with tg.no_grad():
            gp.copy_(tg.tensor(tp.detach().numpy()))


def _same(g, t, tol):
    np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


def _layers(lib):
    n = lib.nn
    return {
        "mlp": (lambda: n.Sequential(n.Linear(5, 8), n.GELU(), n.LayerNorm(8), n.Linear(8, 4), n.Sigmoid()), "x"),
        "tanh": (lambda: n.Sequential(n.Linear(5, 3), n.Tanh(), n.Linear(3, 2, bias=False), n.ReLU()), "x"),
        "emb": (lambda: n.Sequential(n.Embedding(7, 5, padding_idx=1), n.Linear(5, 2)), "idx"),
    }


@needs_torch
@pytest.mark.parametrize("name", ["mlp", "tanh", "emb"])
@pytest.mark.parametrize("dt", ["float64", "float32"])
def test_layers_match_torch(name, dt):
    tol = 1e-12 if dt == "float64" else 2e-5
    rng = np.random.default_rng(0)
    tmod = _layers(torch)[name][0]().to(getattr(torch, dt))
    gmod = _layers(tg)[name][0]().to(getattr(tg, dt))
    _copy_from_torch(gmod, tmod)
    x = rng.integers(0, 7, (3, 4)) if _layers(tg)[name][1] == "idx" else rng.standard_normal((6, 5)).astype(dt)
    tout, gout = tmod(torch.tensor(x)), gmod(tg.tensor(x))
    _same(gout, tout, tol)
    (tout ** 2).sum().backward()
    (gout ** 2).sum().backward()
    for gp, tp in zip(gmod.parameters(), tmod.parameters()):
        _same(gp.grad, tp.grad, tol)


@needs_torch
@pytest.mark.parametrize("cell", ["LSTMCell", "RNNCell"])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(cell, batched):
    tc = getattr(torch.nn, cell)(3, 4).double()
    gc = getattr(nn, cell)(3, 4).double()
    _copy_from_torch(gc, tc)
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal((2, 3) if batched else (3,)) for _ in range(5)]
    th, gh = None, None
    for x in xs:
        th = tc(torch.tensor(x), th)
        gh = gc(tg.tensor(x), gh)
    tout = th[0] if cell == "LSTMCell" else th
    gout = gh[0] if cell == "LSTMCell" else gh
    _same(gout, tout, 1e-12)
    tout.sum().backward()
    gout.sum().backward()
    for gp, tp in zip(gc.parameters(), tc.parameters()):
        _same(gp.grad, tp.grad, 1e-12)


@needs_torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_match_torch(reduction):
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((6, 4))
    target = rng.integers(0, 4, 6)
    y = rng.standard_normal((6, 4))
    w = np.array([1.0, 2.0, 0.5, 1.5])
    cases = [("MSELoss", {}, logits, y), ("CrossEntropyLoss", {}, logits, target),
             ("CrossEntropyLoss", {"label_smoothing": 0.1}, logits, target),
             ("NLLLoss", {}, logits, target), ("BCEWithLogitsLoss", {}, logits, (y > 0).astype(float))]
    for name, kw, inp, tgt in cases:
        outs = []
        for lib in (tg, torch):
            x = lib.tensor(inp, requires_grad=True)
            loss = getattr(lib.nn, name)(reduction=reduction, **kw)(x, lib.tensor(tgt))
            loss.sum().backward()
            outs.append((loss, x.grad))
        _same(outs[0][0], outs[1][0], 1e-12)
        _same(outs[0][1], outs[1][1], 1e-12)
    for lib_loss in ("CrossEntropyLoss", "NLLLoss"):
        g = getattr(nn, lib_loss)(weight=tg.tensor(w))(tg.tensor(logits), tg.tensor(target))
        t = getattr(torch.nn, lib_loss)(weight=torch.tensor(w))(torch.tensor(logits), torch.tensor(target))
        _same(g, t, 1e-12)


def test_losses_against_numpy():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    assert np.isclose(nn.MSELoss()(tg.tensor(x), tg.tensor(y)).item(), ((x - y) ** 2).mean())
    assert np.isclose(nn.MSELoss(reduction="sum")(tg.tensor(x), tg.tensor(y)).item(), ((x - y) ** 2).sum())
    t = np.array([0, 2, 1, 1, 0])
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    assert np.isclose(nn.CrossEntropyLoss()(tg.tensor(x), tg.tensor(t)).item(), -logp[np.arange(5), t].mean())
    assert np.isclose(nn.NLLLoss()(tg.tensor(logp), tg.tensor(t)).item(), -logp[np.arange(5), t].mean())


# ---- Parameter repr and forward hooks ----

def test_parameter_repr_as_torch():
    p = nn.Parameter(tg.ones(2))
    assert repr(p) == str(p) == "Parameter containing:\ntensor([1., 1.], requires_grad=True)"
    frozen = nn.Parameter(tg.ones(2, dtype=tg.float64), requires_grad=False)
    assert repr(frozen) == "Parameter containing:\ntensor([1., 1.], dtype=tapegrad.float64)"
    assert repr(p * 1) == "tensor([1., 1.], grad_fn=<MulBackward0>)"  # results are not parameters
    assert not repr(tg.ones(2)).startswith("Parameter")
    if torch is not None:
        for data in ([1.0, 2.0], [[0.5, -1.0], [3.0, 4.0]]):
            for rg in (True, False):
                want = repr(torch.nn.Parameter(torch.tensor(data), requires_grad=rg))
                assert repr(nn.Parameter(tg.tensor(data), requires_grad=rg)) == want


def _hooks_trace(lib):
    """Runs the same hook scenario on tapegrad or torch; returns what it observed."""
    lib.manual_seed(0)
    lin = lib.nn.Linear(3, 2)
    x = lib.ones(4, 3)
    seen = []

    def pre(module, args):
        seen.append(("pre", type(module).__name__, len(args), tuple(args[0].shape)))
        return args[0] * 2  # not a tuple: wrapped into (value,)

    def pre_kw(module, args, kwargs):
        seen.append(("pre_kw", sorted(kwargs)))
        return (args[0] + 1,), kwargs

    def post(module, args, output):
        seen.append(("post", tuple(args[0].shape), tuple(output.shape)))
        return output * 10

    def post_kw(module, args, kwargs, output):
        seen.append(("post_kw", sorted(kwargs)))

    h1 = lin.register_forward_pre_hook(pre)
    h2 = lin.register_forward_pre_hook(pre_kw, with_kwargs=True, prepend=True)
    h3 = lin.register_forward_hook(post)
    h4 = lin.register_forward_hook(post_kw, with_kwargs=True)
    hooked = lin(x)
    expected = lin.weight.detach()  # forward saw (x + 1) * 2, and the output was scaled by 10
    values = [hooked.detach().numpy().tolist(),
              ((((x + 1) * 2) @ expected.t() + lin.bias.detach()) * 10).numpy().tolist()]
    for h in (h1, h2, h3, h4):
        h.remove()
    h1.remove()  # removing twice is harmless
    values.append(lin(x).detach().numpy().tolist())
    values.append((x @ expected.t() + lin.bias.detach()).numpy().tolist())
    return seen, values


def test_forward_hooks_modify_input_and_output():
    seen, (hooked, want_hooked, plain, want_plain) = _hooks_trace(tg)
    assert seen == [("pre_kw", []), ("pre", "Linear", 1, (4, 3)), ("post", (4, 3), (4, 2)), ("post_kw", [])]
    np.testing.assert_allclose(hooked, want_hooked, rtol=1e-5)
    np.testing.assert_allclose(plain, want_plain, rtol=1e-5)
    if torch is not None:
        assert seen == _hooks_trace(torch)[0]


def test_forward_hook_handles_order_and_context_manager():
    lin = nn.Linear(2, 2)
    order = []
    a = lin.register_forward_hook(lambda m, i, o: order.append("a"))
    lin.register_forward_hook(lambda m, i, o: order.append("b"))
    lin.register_forward_hook(lambda m, i, o: order.append("first"), prepend=True)
    lin(tg.ones(1, 2))
    assert order == ["first", "a", "b"]
    a.remove()
    order.clear()
    lin(tg.ones(1, 2))
    assert order == ["first", "b"]
    seq = nn.Sequential(nn.Linear(2, 2))
    calls = []
    with seq[0].register_forward_pre_hook(lambda m, args: calls.append(m)) as handle:
        seq(tg.ones(1, 2))
    seq(tg.ones(1, 2))
    assert calls == [seq[0]] and handle.id >= 0


def test_forward_hook_always_call_runs_when_forward_raises():
    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    m = Boom()
    ran = []
    m.register_forward_hook(lambda mod, args, out: ran.append(("always", out)), always_call=True)
    m.register_forward_hook(lambda mod, args, out: ran.append("normal"))
    with pytest.raises(ValueError, match="boom"):
        m(tg.ones(1))
    assert ran == [("always", None)]


def test_forward_pre_hook_with_kwargs_must_return_args_and_kwargs():
    lin = nn.Linear(2, 2)
    lin.register_forward_pre_hook(lambda m, args, kwargs: args[0], with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"forward pre-hook must return None or a tuple of \(new_args, new_kwargs\)"):
        lin(tg.ones(1, 2))


def test_hook_handles_do_not_keep_the_module_alive():
    import gc
    import weakref

    lin = nn.Linear(2, 2)
    handle = lin.register_forward_hook(lambda m, i, o: None)
    ref = weakref.ref(lin)
    del lin
    gc.collect()
    assert ref() is None
    handle.remove()  # a handle outliving its module is harmless


def test_load_state_dict_result_and_to_tensor_as_torch():
    m = nn.Linear(2, 2)
    result = m.load_state_dict(m.state_dict())
    assert repr(result) == "<All keys matched successfully>" and result.missing_keys == []
    partial = m.load_state_dict({"weight": tg.zeros(2, 2)}, strict=False)
    assert repr(partial) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])"
    assert m.to(tg.zeros(1, dtype=tg.float64)).weight.dtype == tg.float64  # to(tensor): its dtype
    assert m.to("cpu", tg.float32).weight.dtype == tg.float32
    if torch is not None:
        t = torch.nn.Linear(2, 2)
        assert repr(t.load_state_dict(t.state_dict())) == repr(result)
        assert repr(t.load_state_dict({"weight": torch.zeros(2, 2)}, strict=False)) == repr(partial)
