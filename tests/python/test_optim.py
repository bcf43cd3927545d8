"""Optimizers: the same parameters as PyTorch after N steps from the same start (float64
tight, float32 within rounding), a numpy reference of each update rule that runs without
PyTorch, param_groups, state_dict round trips and StepLR."""
import numpy as np
import pytest

import tapegrad as tg
from tapegrad import nn, optim

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed")

CONFIGS = {
    "sgd": ("SGD", dict(lr=0.1)),
    "sgd_momentum": ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    "sgd_nesterov": ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.02)),
    "sgd_maximize": ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    "adam": ("Adam", dict(lr=0.05, betas=(0.8, 0.95), weight_decay=0.01)),
    "adam_amsgrad": ("Adam", dict(lr=0.05, amsgrad=True)),
    "adamw": ("AdamW", dict(lr=0.05, weight_decay=0.1)),
    "adamw_amsgrad": ("AdamW", dict(lr=0.05, amsgrad=True, eps=1e-6)),
}


def _model(lib, dt):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Tanh(), lib.nn.Linear(8, 3)).to(getattr(lib, dt))


@needs_torch
@pytest.mark.parametrize("name", sorted(CONFIGS))
@pytest.mark.parametrize("dt", ["float64", "float32"])
def test_params_match_torch_after_five_steps(name, dt):
    cls, kw = CONFIGS[name]
    tmod, gmod = _model(torch, dt), _model(tg, dt)
    with tg.no_grad():
        for gp, tp in zip(gmod.parameters(), tmod.parameters()):
            gp.copy_(tg.tensor(tp.detach().numpy()))
    topt, gopt = getattr(torch.optim, cls)(tmod.parameters(), **kw), getattr(optim, cls)(gmod.parameters(), **kw)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x, y = rng.standard_normal((6, 4)).astype(dt), rng.integers(0, 3, 6)
        for lib, mod, opt in ((torch, tmod, topt), (tg, gmod, gopt)):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(mod(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            opt.step()
    tol = dict(rtol=1e-10, atol=1e-12) if dt == "float64" else dict(rtol=2e-5, atol=2e-6)
    for gp, tp in zip(gmod.parameters(), tmod.parameters()):
        np.testing.assert_allclose(gp.detach().numpy(), tp.detach().numpy(), **tol)


# ---- a numpy reference, written from the published update rules ----

def _numpy_steps(cls, kw, w, grads):
    lr, wd = kw["lr"], kw.get("weight_decay", 0.0 if cls != "AdamW" else 1e-2)
    m = v = vmax = buf = None
    for t in range(1, 6):
        g = grads(w)
        if kw.get("maximize"):
            g = -g
        if cls == "SGD":
            mom, damp = kw.get("momentum", 0), kw.get("dampening", 0)
            g = g + wd * w
            if mom:
                buf = g.copy() if buf is None else mom * buf + (1 - damp) * g
                g = g + mom * buf if kw.get("nesterov") else buf
            w = w - lr * g
        else:
            b1, b2 = kw.get("betas", (0.9, 0.999))
            eps = kw.get("eps", 1e-8)
            if cls == "AdamW":
                w = w * (1 - lr * wd)
            else:
                g = g + wd * w
            m = (1 - b1) * g if m is None else b1 * m + (1 - b1) * g
            v = (1 - b2) * g * g if v is None else b2 * v + (1 - b2) * g * g
            s = v
            if kw.get("amsgrad"):
                vmax = v if vmax is None else np.maximum(vmax, v)
                s = vmax
            w = w - lr / (1 - b1 ** t) * m / (np.sqrt(s) / np.sqrt(1 - b2 ** t) + eps)
    return w


@pytest.mark.parametrize("name", sorted(CONFIGS))
@pytest.mark.parametrize("dt", ["float64", "float32"])
def test_params_match_numpy_reference(name, dt):
    _check_against_numpy_steps(*CONFIGS[name], dt, shape=(3, 5), seed=1)


def _check_against_numpy_steps(cls, kw, dt, shape, seed):
    """Five steps on sum(a * (w - c)**2 / 2) against _numpy_steps in float64."""
    rng = np.random.default_rng(seed)
    w0 = rng.standard_normal(shape).astype(dt)
    a, c = rng.uniform(0.5, 2, shape).astype(dt), rng.standard_normal(shape).astype(dt)
    expected = _numpy_steps(cls, kw, w0.astype(np.float64), lambda w: a * (w - c))  # grad of sum(a(w-c)^2)/2
    p = nn.Parameter(tg.tensor(w0))
    opt = getattr(optim, cls)([p], **kw)
    ta, tc = tg.tensor(a), tg.tensor(c)
    for _ in range(5):
        opt.zero_grad()
        (ta * (p - tc) ** 2 / 2).sum().backward()
        opt.step()
    tol = dict(rtol=1e-12, atol=1e-13) if dt == "float64" else dict(rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(p.detach().numpy(), expected, **tol)


def test_step_is_one_inplace_write_that_bumps_the_version():
    p = nn.Parameter(tg.ones(3))
    opt = optim.SGD([p], lr=0.5)
    p.sum().backward()
    v = p._version
    opt.step()
    assert p._version > v and p.tolist() == [0.5, 0.5, 0.5] and p.is_leaf and p.grad_fn is None


def test_params_without_grad_are_skipped_and_zero_grad_resets():
    a, b = nn.Parameter(tg.ones(2)), nn.Parameter(tg.ones(2))
    opt = optim.Adam([a, b], lr=0.1)
    (a * 2).sum().backward()
    opt.step()
    assert b.tolist() == [1.0, 1.0] and b not in opt.state and opt.state[a]["step"] == 1
    opt.zero_grad(set_to_none=False)
    assert a.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert a.grad is None


def test_zero_grad_in_place_keeps_the_grad_tensor_and_cuts_its_graph():
    p = nn.Parameter(tg.ones(3))
    (p * p).sum().backward(create_graph=True)
    g = p.grad
    assert g.grad_fn is not None and g.tolist() == [2.0, 2.0, 2.0]
    v = g._version
    optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    assert p.grad is g and g.tolist() == [0.0, 0.0, 0.0] and g._version > v
    assert g.grad_fn is None and not g.requires_grad  # as PyTorch, which detach_()es it first


def test_param_groups_and_validation():
    m1, m2 = nn.Linear(2, 2), nn.Linear(2, 2)
    opt = optim.SGD([{"params": m1.parameters()}, {"params": m2.parameters(), "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.9 and len(opt.param_groups[0]["params"]) == 2
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.Adam(m1.parameters(), lr=-1)
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero dampening"):
        optim.SGD(m1.parameters(), lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": m1.parameters()}, {"params": m1.parameters()}], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([m1.weight * 2], lr=0.1)


@pytest.mark.parametrize("cls", ["SGD", "Adam", "AdamW"])
def test_state_dict_round_trip_continues_identically(cls, tmp_path):
    def train(opt, model, steps):
        rng = np.random.default_rng(5)
        for _ in range(steps):
            opt.zero_grad()
            model(tg.tensor(rng.standard_normal((4, 3)))).pow(2).sum().backward()
            opt.step()

    kw = dict(lr=0.05, momentum=0.9) if cls == "SGD" else dict(lr=0.05)
    tg.manual_seed(0)
    a = nn.Linear(3, 2).double()
    b = nn.Linear(3, 2).double()
    b.load_state_dict(a.state_dict())
    oa, ob = getattr(optim, cls)(a.parameters(), **kw), getattr(optim, cls)(b.parameters(), **kw)
    train(oa, a, 3)
    train(ob, b, 3)
    tg.save(ob.state_dict(), tmp_path / "opt.tg")
    ob2 = getattr(optim, cls)(b.parameters(), lr=1.0)
    ob2.load_state_dict(tg.load(tmp_path / "opt.tg"))
    assert ob2.param_groups[0]["lr"] == 0.05
    train(oa, a, 2)
    train(ob2, b, 2)
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(pa.detach().numpy(), pb.detach().numpy())


@needs_torch
def test_state_dict_layout_matches_torch():
    def layout(lib):
        m = lib.nn.Linear(2, 2)
        o = lib.optim.Adam(m.parameters(), lr=0.1)
        m(lib.ones(1, 2)).sum().backward()
        o.step()
        sd = o.state_dict()
        return sorted(sd), sd["param_groups"][0]["params"], sorted(sd["state"]), sorted(sd["state"][0])
    assert layout(tg) == layout(torch)


def test_step_lr():
    p = nn.Parameter(tg.ones(1))
    opt = optim.SGD([p], lr=1.0)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    lrs = []
    for _ in range(6):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    assert sched.get_last_lr() == [0.125]


@needs_torch
def test_step_lr_matches_torch():
    def lrs(lib):
        o = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.3)
        s = lib.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.1)
        out = []
        for _ in range(10):
            o.step()
            s.step()
            out.append(s.get_last_lr()[0])
        return out
    np.testing.assert_allclose(lrs(tg), lrs(torch), rtol=1e-15)


def test_kernel_rejects_mismatched_buffers():
    p = nn.Parameter(tg.ones(3))
    with pytest.raises(RuntimeError, match="grad has 2 elements"):
        tg._C._optim.sgd_step(p, tg.ones(2), None, 0.1, 0.0, 0.0, 0.0, False, False, False)
    with pytest.raises(RuntimeError, match="float32 or float64"):
        tg._C._optim.sgd_step(tg.ones(3, dtype=tg.int64), tg.ones(3, dtype=tg.int64), None, 0.1, 0.0, 0.0, 0.0,
                              False, False, False)


@pytest.mark.parametrize("cls", ["SGD", "Adam"])
def test_strided_parameter_is_updated_like_a_contiguous_one(cls):
    base = np.arange(6.0).reshape(2, 3)
    p1 = nn.Parameter(tg.tensor(base).t())  # a transposed (non-contiguous) leaf
    p2 = nn.Parameter(tg.tensor(base.T.copy()))
    assert not p1.is_contiguous()
    kw = dict(lr=0.1, momentum=0.9) if cls == "SGD" else dict(lr=0.1)
    o1, o2 = getattr(optim, cls)([p1], **kw), getattr(optim, cls)([p2], **kw)
    for _ in range(3):
        for p, o in ((p1, o1), (p2, o2)):
            o.zero_grad()
            (p * tg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).pow(2).sum().backward()
            o.step()
    np.testing.assert_array_equal(p1.detach().numpy(), p2.detach().numpy())


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_group_step_skips_params_without_grad_and_reads_strided_grads(momentum):
    # SGD.step runs a whole group in one native call (_optim.sgd_step_group).
    a, b, c = (nn.Parameter(tg.ones(2, 3)) for _ in range(3))
    opt = optim.SGD([a, b, c], lr=0.5, momentum=momentum)
    a.grad = tg.tensor(np.arange(6.0).reshape(3, 2), dtype=tg.float32).t()  # a strided gradient
    c.grad = tg.full((2, 3), 2.0)
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), 1 - 0.5 * np.arange(6.0).reshape(3, 2).T)
    np.testing.assert_array_equal(b.detach().numpy(), np.ones((2, 3)))  # no grad: untouched
    np.testing.assert_array_equal(c.detach().numpy(), np.zeros((2, 3)))
    # As in PyTorch: state (a momentum buffer) only with momentum, and only for params updated.
    assert (b in opt.state) is False
    assert (a in opt.state) is (momentum != 0)
    with pytest.raises(RuntimeError, match="one momentum buffer"):
        tg._C._optim.sgd_step_group([a, c], [None], [False], 0.1, 0.9, 0.0, 0.0, False, False)


def test_adam_group_step_counts_steps_only_for_params_with_a_grad():
    # Adam.step also runs a whole group in one native call (_optim.adam_step_group).
    a, b = nn.Parameter(tg.ones(3)), nn.Parameter(tg.ones(3))
    opt = optim.Adam([a, b], lr=0.1)
    for k in range(3):
        opt.zero_grad()
        a.grad = tg.tensor(np.arange(6.0).reshape(3, 2), dtype=tg.float32).t()[0]  # a strided gradient
        if k == 2:
            b.grad = tg.full((3,), 2.0)
        opt.step()
    assert opt.state[a]["step"] == 3 and opt.state[b]["step"] == 1
    # Adam's first step moves each element by lr against the sign of its gradient (0 stays put).
    np.testing.assert_allclose(b.detach().numpy(), np.full(3, 0.9), rtol=1e-6)
    with pytest.raises(RuntimeError, match="one exp_avg"):
        tg._C._optim.adam_step_group([a, b], [None], [None], [None], [1], 0.1, 0.9, 0.999, 1e-8, 0.0, False, False)


# Every combination of options is its own branch-free loop in csrc/kernels/optim.cpp, so each
# is checked: 37 elements run the vectorised body and its scalar tail.
SGD_COMBOS = [dict(lr=0.1, momentum=mom, dampening=damp, weight_decay=wd, nesterov=nest, maximize=mx)
              for mom in (0.0, 0.9) for damp in (0.0, 0.3) for wd in (0.0, 0.05) for nest in (False, True)
              for mx in (False, True) if not (nest and (mom == 0 or damp != 0))]
ADAM_COMBOS = [(cls, dict(lr=0.05, weight_decay=wd, amsgrad=ams, maximize=mx))
               for cls in ("Adam", "AdamW") for wd in (0.0, 0.05) for ams in (False, True) for mx in (False, True)]


@pytest.mark.parametrize("dt", ["float64", "float32"])
@pytest.mark.parametrize("cls, kw", [("SGD", kw) for kw in SGD_COMBOS] + ADAM_COMBOS)
def test_every_option_combination_matches_the_numpy_reference(cls, kw, dt):
    _check_against_numpy_steps(cls, kw, dt, shape=(37,), seed=2)


@pytest.mark.parametrize("kernel", ["sgd", "adam"])
def test_a_gradient_sharing_the_parameter_s_memory_is_read_before_it_is_overwritten(kernel):
    p = tg.tensor([1.0, -2.0, 4.0] * 5, dtype=tg.float64)
    if kernel == "sgd":
        tg._C._optim.sgd_step(p, p, None, 0.5, 0.0, 0.0, 0.0, False, False, False)
        expected = np.array([1.0, -2.0, 4.0] * 5) * 0.5
    else:
        m, v = tg.zeros_like(p), tg.zeros_like(p)
        tg._C._optim.adam_step(p, p, m, v, None, 1, 0.1, 0.9, 0.999, 1e-8, 0.0, False, False)
        expected = np.array([1.0, -2.0, 4.0] * 5) - 0.1 * np.sign([1.0, -2.0, 4.0] * 5)
    np.testing.assert_allclose(p.numpy(), expected, rtol=1e-7)
