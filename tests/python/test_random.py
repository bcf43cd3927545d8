"""Generators and random sampling: reproducibility with seeds, independent generators, state
save/restore (and its validation), statistics of every sampler, and torch 2.13's errors. The
numbers themselves are not torch's (another stream), only their distributions are."""
import copy
import pickle
import threading

import numpy as np
import pytest

import tapegrad as tg

torch = pytest.importorskip("torch")


def outcome(fn, L):
    try:
        r = fn(L)
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e).split("\n")[0]
    if isinstance(r, (tg.Tensor, torch.Tensor)):
        return "tensor", repr(r.dtype).split(".")[-1], tuple(r.shape)
    return "ok", repr(r).replace("torch.", "tapegrad.")


def same(fn):
    got = outcome(fn, tg)
    assert got == outcome(fn, torch)
    return got


# ---- generators ----

def test_generator_object():
    g = tg.Generator()
    assert g.device == tg.device("cpu") and tg.Generator(device="cpu").device.type == "cpu"
    assert g.manual_seed(3) is g and g.initial_seed() == 3
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s
    assert tg.manual_seed(5) is tg.default_generator and tg.initial_seed() == 5
    assert isinstance(tg.seed(), int)
    assert tg.Generator().manual_seed(-1).initial_seed() == 2 ** 64 - 1
    assert tg.Generator().manual_seed(2 ** 64 - 1).initial_seed() == 2 ** 64 - 1


GENERATOR_ERRORS = {
    "seed overflow": lambda L: L.Generator().manual_seed(2 ** 64),
    "seed float": lambda L: L.Generator().manual_seed(1.5),
    "seed str": lambda L: L.Generator().manual_seed("a"),
    "cuda": lambda L: L.Generator(device="cuda"),
    "mps": lambda L: L.Generator(device="mps"),
    "foo": lambda L: L.Generator(device="foo"),
    "int device": lambda L: L.Generator(device=0),
    "state list": lambda L: L.Generator().set_state([1, 2]),
    "rng state list": lambda L: L.set_rng_state([1]),
    "set_state returns self": lambda L: (lambda g: g.set_state(g.get_state()) is g)(L.Generator()),
}


@pytest.mark.parametrize("case", GENERATOR_ERRORS, ids=list(GENERATOR_ERRORS))
def test_generator_errors_as_torch(case):
    same(GENERATOR_ERRORS[case])


def test_state_round_trip_and_validation():
    g = tg.Generator().manual_seed(7)
    state = g.get_state()
    assert state.dtype == tg.int64 and state.dim() == 1 and 0 <= int(state.min()) and int(state.max()) <= 255
    a = tg.rand(5, generator=g)
    g.set_state(state)
    assert tg.rand(5, generator=g).tolist() == a.tolist()
    before = g.get_state()
    bad = [tg.zeros(3), tg.zeros(3, dtype=tg.int64), state[:-5], tg.cat([state, tg.tensor([300])]),
           tg.cat([state, tg.tensor([65])]), state.reshape(1, -1), tg.cat([state, tg.tensor([49])]),
           tg.cat([state[:-1], tg.tensor([48 if int(state[-1]) != 48 else 49])])]
    for b in bad:
        with pytest.raises((RuntimeError, TypeError)):
            g.set_state(b)
        assert g.get_state().tolist() == before.tolist()  # bad input leaves the generator as it was
    with pytest.raises(TypeError, match="RNG state must be a torch.ByteTensor"):
        tg.set_rng_state(tg.zeros(3))
    saved = tg.get_rng_state()
    x = tg.randn(4)
    tg.set_rng_state(saved)
    assert tg.randn(4).tolist() == x.tolist()


def test_generator_has_no_python_attributes():
    g = tg.Generator()
    with pytest.raises(AttributeError):
        g.anything = 1  # type: ignore[attr-defined]


SAMPLERS = {
    "rand": lambda g: tg.rand(3, generator=g),
    "randn": lambda g: tg.randn(3, generator=g, dtype=tg.float64),
    "randint": lambda g: tg.randint(0, 100, (3,), generator=g),
    "randperm": lambda g: tg.randperm(10, generator=g),
    "bernoulli": lambda g: tg.bernoulli(tg.full((8,), 0.5), generator=g),
    "multinomial": lambda g: tg.multinomial(tg.ones(10), 4, generator=g),
    "multinomial replacement": lambda g: tg.multinomial(tg.ones(2, 10), 4, True, generator=g),
    "normal": lambda g: tg.normal(tg.zeros(3), 1.0, generator=g),
    "normal size": lambda g: tg.normal(0.0, 1.0, (3,), generator=g),
    "poisson": lambda g: tg.poisson(tg.full((5,), 3.0), generator=g),
    "uniform_": lambda g: tg.empty(3).uniform_(generator=g),
    "normal_": lambda g: tg.empty(3).normal_(generator=g),
    "exponential_": lambda g: tg.empty(3).exponential_(generator=g),
    "random_": lambda g: tg.empty(3).random_(generator=g),
    "bernoulli_": lambda g: tg.empty(8).bernoulli_(generator=g),
    "geometric_": lambda g: tg.empty(3).geometric_(0.3, generator=g),
    "cauchy_": lambda g: tg.empty(3).cauchy_(generator=g),
    "log_normal_": lambda g: tg.empty(3).log_normal_(generator=g),
}


@pytest.mark.parametrize("name", SAMPLERS, ids=list(SAMPLERS))
def test_seeded_generators_reproduce_and_are_independent(name):
    draw = SAMPLERS[name]
    a = draw(tg.Generator().manual_seed(1)).tolist()
    assert draw(tg.Generator().manual_seed(1)).tolist() == a
    g = tg.Generator().manual_seed(1)
    tg.manual_seed(99)
    tg.rand(100)  # drawing from the default generator does not move g
    assert draw(g).tolist() == a
    runs = {str(draw(tg.Generator().manual_seed(s)).tolist()) for s in range(6)}
    assert len(runs) > 1  # other seeds, other numbers


@pytest.mark.parametrize("name", ["rand", "randn", "randperm", "multinomial", "uniform_", "random_"])
def test_default_generator_is_used_without_generator(name):
    def draw():
        return SAMPLERS[name](None).tolist()
    tg.manual_seed(123)
    a = draw()
    tg.manual_seed(123)
    assert draw() == a


def test_threads_drawing_from_one_generator_get_distinct_numbers():
    g = tg.Generator().manual_seed(0)
    out = []

    def work():
        out.append(tg.rand(1000, generator=g).tolist())
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = [v for chunk in out for v in chunk]
    assert len(set(flat)) == len(flat) == 4000


# ---- statistics ----

N = 20000


def close(value, expected, tol):
    assert abs(value - expected) <= tol, (value, expected)


def test_moments_of_continuous_samplers():
    g = tg.Generator().manual_seed(2024)
    u = tg.empty(N, dtype=tg.float64).uniform_(-2, 4, generator=g).numpy()
    close(u.mean(), 1.0, 0.05), close(u.var(), 3.0, 0.1)
    assert u.min() >= -2 and u.max() < 4
    z = tg.empty(N, dtype=tg.float64).normal_(3, 2, generator=g).numpy()
    close(z.mean(), 3.0, 0.06), close(z.std(), 2.0, 0.05)
    e = tg.empty(N, dtype=tg.float64).exponential_(2.0, generator=g).numpy()
    close(e.mean(), 0.5, 0.02), close(e.var(), 0.25, 0.03)
    assert e.min() >= 0
    c = tg.empty(N, dtype=tg.float64).cauchy_(1.0, 2.0, generator=g).numpy()
    close(np.median(c), 1.0, 0.1)
    close(np.percentile(c, 75) - np.percentile(c, 25), 4.0, 0.3)  # the IQR is 2 sigma
    ln = tg.empty(N, dtype=tg.float64).log_normal_(0.5, 0.25, generator=g).numpy()
    close(np.log(ln).mean(), 0.5, 0.01), close(np.log(ln).std(), 0.25, 0.01)
    m = tg.normal(tg.full((N,), 5.0), tg.full((N,), 0.5), generator=g).numpy()
    close(m.mean(), 5.0, 0.02), close(m.std(), 0.5, 0.02)


def test_moments_of_discrete_samplers():
    g = tg.Generator().manual_seed(7)
    b = tg.bernoulli(tg.full((N,), 0.3), generator=g).numpy()
    assert set(np.unique(b)) <= {0.0, 1.0}
    close(b.mean(), 0.3, 0.015)
    b2 = tg.zeros(N, dtype=tg.bool).bernoulli_(0.8, generator=g)
    assert b2.dtype == tg.bool
    close(b2.numpy().mean(), 0.8, 0.015)
    geo = tg.empty(N, dtype=tg.float64).geometric_(0.25, generator=g).numpy()
    assert geo.min() >= 1 and (geo == np.round(geo)).all()
    close(geo.mean(), 4.0, 0.15)
    p = tg.poisson(tg.full((N,), 4.0, dtype=tg.float64), generator=g).numpy()
    close(p.mean(), 4.0, 0.08), close(p.var(), 4.0, 0.2)
    assert tg.poisson(tg.zeros(5)).tolist() == [0.0] * 5
    r = tg.empty(N, dtype=tg.int64).random_(3, 9, generator=g).numpy()
    assert r.min() == 3 and r.max() == 8
    close(r.mean(), 5.5, 0.05)
    r2 = tg.empty(N).random_(4, generator=g).numpy()
    assert set(np.unique(r2)) == {0.0, 1.0, 2.0, 3.0}
    ri = tg.randint(-5, 5, (N,), generator=g).numpy()
    assert ri.min() == -5 and ri.max() == 4
    perm = tg.randperm(50, generator=g)
    assert perm.dtype == tg.int64 and sorted(perm.tolist()) == list(range(50))
    assert tg.randperm(5, dtype=tg.float32).dtype == tg.float32
    assert tg.randperm(0).shape == (0,)


def chi_square(counts, probs):
    expected = probs * counts.sum()
    return float(((counts - expected) ** 2 / expected).sum())


def test_multinomial_with_replacement_matches_the_weights():
    g = tg.Generator().manual_seed(11)
    w = tg.tensor([1.0, 2.0, 0.0, 5.0, 2.0])
    s = tg.multinomial(w, N, replacement=True, generator=g)
    assert s.dtype == tg.int64 and s.shape == (N,)
    counts = np.bincount(s.numpy(), minlength=5).astype(float)
    assert counts[2] == 0  # a zero weight is never drawn
    probs = np.array([1, 2, 5, 2]) / 10
    assert chi_square(counts[[0, 1, 3, 4]], probs) < 16.3  # chi-square, 3 dof, p = 0.001
    rows = tg.multinomial(tg.tensor([[1.0, 0.0], [0.0, 1.0]]), 6, True, generator=g)
    assert rows.tolist() == [[0] * 6, [1] * 6]


def test_multinomial_without_replacement():
    g = tg.Generator().manual_seed(5)
    for _ in range(20):
        s = tg.multinomial(tg.tensor([1.0, 3.0, 0.5, 2.0]), 4, generator=g).tolist()
        assert sorted(s) == [0, 1, 2, 3]
    assert tg.multinomial(tg.tensor([1.0, 0.0]), 2, generator=g).tolist() == [0, 1]
    firsts = np.array([tg.multinomial(tg.tensor([1.0, 3.0]), 1, generator=g).item() for _ in range(2000)])
    close(firsts.mean(), 0.75, 0.04)  # the first pick follows the weights
    rows = tg.multinomial(tg.rand(3, 6, generator=g) + 0.1, 6, generator=g)
    assert all(sorted(r) == list(range(6)) for r in rows.tolist())


def test_in_place_samplers_keep_the_tensor_and_bump_its_version():
    x = tg.zeros(2, 3)
    view = x[:, 1]
    v0 = x._version
    assert view.uniform_(5, 6) is view
    assert x._version > v0
    col = x.numpy()
    assert ((col[:, 1] >= 5) & (col[:, 1] < 6)).all() and (col[:, 0] == 0).all()
    y = tg.zeros(2, requires_grad=True)
    with tg.no_grad():
        y.normal_()
    assert y.requires_grad and y.is_leaf


def test_normal_is_differentiable_in_mean_and_std():
    m = tg.zeros(4, requires_grad=True)
    s = tg.ones(4, requires_grad=True)
    out = tg.normal(m, s, generator=tg.Generator().manual_seed(0))
    out.sum().backward()
    assert m.grad.tolist() == [1.0] * 4
    np.testing.assert_allclose(s.grad.numpy(), out.detach().numpy(), rtol=1e-6)  # d out / d std = eps


# ---- errors against torch ----

ERRORS = {
    "bernoulli p>1": lambda L: L.bernoulli(L.tensor([0.5, 2.0])),
    "bernoulli long": lambda L: L.bernoulli(L.tensor([1, 0])),
    "bernoulli p arg": lambda L: L.bernoulli(L.tensor([0.5]), p=0.3),
    "multinomial n>k": lambda L: L.multinomial(L.tensor([0.5, 0.5]), 3),
    "multinomial negative": lambda L: L.multinomial(L.tensor([0.5, -0.5]), 1),
    "multinomial zero sum": lambda L: L.multinomial(L.tensor([0.0, 0.0]), 1),
    "multinomial nan": lambda L: L.multinomial(L.tensor([1.0, float("nan")]), 1),
    "multinomial inf": lambda L: L.multinomial(L.tensor([1.0, float("inf")]), 1),
    "multinomial long": lambda L: L.multinomial(L.tensor([1, 1]), 1),
    "multinomial 3-d": lambda L: L.multinomial(L.ones(2, 2, 2), 1),
    "multinomial 0-d": lambda L: L.multinomial(L.ones(()), 1),
    "multinomial zero samples": lambda L: L.multinomial(L.ones(2), 0),
    "multinomial negative samples": lambda L: L.multinomial(L.ones(2), -1),
    "multinomial empty": lambda L: L.multinomial(L.ones(0), 1),
    "multinomial shape": lambda L: L.multinomial(L.ones(3, 4), 2),
    "multinomial method": lambda L: L.ones(4).multinomial(2, replacement=True),
    "randperm negative": lambda L: L.randperm(-1),
    "randperm dtype": lambda L: L.randperm(3, dtype=L.float32),
    "poisson negative": lambda L: L.poisson(L.tensor([-1.0])),
    "poisson long": lambda L: L.poisson(L.tensor([1])),
    "poisson dtype": lambda L: L.poisson(L.tensor([1.0], dtype=L.float64)),
    "normal floats": lambda L: L.normal(0.0, 1.0),
    "normal sizes": lambda L: L.normal(0.0, 1.0, size=(2,)),
    "normal tensor float": lambda L: L.normal(L.zeros(2), 1.0),
    "normal float tensor": lambda L: L.normal(0.0, L.ones(2)),
    "normal broadcast error": lambda L: L.normal(L.zeros(2), L.ones(3)),
    "normal negative std": lambda L: L.normal(L.zeros(2), -1.0),
    "normal negative std size": lambda L: L.normal(0.0, -1.0, size=(2,)),
    "normal long mean": lambda L: L.normal(L.zeros(2, dtype=L.int64), 1.0),
    "uniform_ bounds": lambda L: L.zeros(2).uniform_(1, 0),
    "normal_ std": lambda L: L.zeros(2).normal_(0, -1),
    "exponential_ negative": lambda L: L.zeros(2).exponential_(-1),
    "exponential_ zero": lambda L: L.zeros(2).exponential_(0),
    "random_ bounds": lambda L: L.zeros(2).random_(5, 3),
    "random_ to": lambda L: L.zeros(2).random_(3),
    "uniform_ long": lambda L: L.zeros(2, dtype=L.int64).uniform_(),
    "bernoulli_ p": lambda L: L.zeros(2).bernoulli_(2.0),
    "geometric_ zero": lambda L: L.zeros(2).geometric_(0),
    "geometric_ big": lambda L: L.zeros(2).geometric_(1.5),
    "cauchy_ sigma": lambda L: L.zeros(2).cauchy_(0, -1),
    "log_normal_ std": lambda L: L.zeros(2).log_normal_(0, -1),
    "leaf requires grad": lambda L: L.zeros(2, requires_grad=True).uniform_(),
    "random_ int64 range": lambda L: L.zeros(2, dtype=L.int64).random_(0, 2 ** 63 - 1),
    "bernoulli_ bool": lambda L: L.zeros(2, dtype=L.bool).bernoulli_(0.5),
    "bernoulli_ long": lambda L: L.zeros(2, dtype=L.int64).bernoulli_(0.5),
    "bernoulli_ tensor p": lambda L: L.zeros(2).bernoulli_(L.tensor([0.5, 0.5])),
    "bernoulli method": lambda L: L.zeros(2).bernoulli(),
    "bernoulli method p": lambda L: L.zeros(2).bernoulli(0.5),
    "randint generator": lambda L: L.randint(3, (2,), generator=L.Generator()),
    "randn generator dtype": lambda L: L.randn(2, generator=L.Generator(), dtype=L.float64),
    "manual_seed float": lambda L: L.manual_seed(1.5).initial_seed(),
}


@pytest.mark.parametrize("case", ERRORS, ids=list(ERRORS))
def test_sampler_errors_and_results_as_torch(case):
    same(ERRORS[case])


@pytest.mark.parametrize("fn", ["rand", "randn"])
def test_bad_generator_is_a_type_error_as_torch(fn):
    for L in (tg, torch):
        with pytest.raises(TypeError):
            getattr(L, fn)(2, generator=5)


def test_generator_pickles_and_deepcopies_with_its_position():
    g = tg.Generator().manual_seed(42)
    tg.rand(3, generator=g)
    for clone in (pickle.loads(pickle.dumps(g)), copy.deepcopy(g)):
        assert clone is not g and clone.initial_seed() == 42
        assert tg.rand(4, generator=clone).tolist() == tg.rand(4, generator=copy.deepcopy(g)).tolist()


@pytest.mark.parametrize("fn", ["rand_like", "randn_like"])
def test_like_samplers_take_a_generator(fn):
    x = tg.ones(2, 3, dtype=tg.float64)
    a = getattr(tg, fn)(x, generator=tg.Generator().manual_seed(3))
    assert a.dtype == tg.float64 and a.tolist() == getattr(tg, fn)(x, generator=tg.Generator().manual_seed(3)).tolist()


def test_randint_like_as_torch():
    for L in (tg, torch):
        r = L.randint_like(L.ones(200), 5)
        assert r.dtype == L.float32 and set(r.tolist()) == {0.0, 1.0, 2.0, 3.0, 4.0}
        r = L.randint_like(L.ones(200, dtype=L.int64), 3, 6)
        assert r.dtype == L.int64 and set(r.tolist()) == {3, 4, 5}
