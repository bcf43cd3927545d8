"""Memory stays flat: a long training loop, a loop over a 100 MB graph, and a 100,000-node
random DAG built, run backward and destroyed (no recursion, nothing left alive)."""
import gc
import os

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.autograd import graph

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2 ** 20


# ASan keeps freed memory in quarantine, so resident memory says nothing in a sanitized build.
rss_meaningful = pytest.mark.skipif(tg._C._sanitized, reason="ASan's quarantine holds freed memory")


@rss_meaningful
def test_ten_thousand_training_steps_keep_resident_memory_flat():
    tg.manual_seed(0)
    model = tg.nn.Sequential(tg.nn.Linear(16, 32), tg.nn.ReLU(), tg.nn.Linear(32, 4))
    opt = tg.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = tg.randn(32, 16), tg.randint(0, 4, (32,))
    nodes = graph.live_nodes()

    def step():
        opt.zero_grad()
        loss = tg.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(1000):  # warm-up: allocator pools, caches
        step()
    gc.collect()
    before = rss_mb()
    for _ in range(9000):
        loss = step()
    del loss
    gc.collect()
    assert rss_mb() - before < 4.0
    assert graph.live_nodes() == nodes


@rss_meaningful
def test_memory_of_a_100_mb_graph_returns_after_each_backward():
    # Freed buffers go back to the caching allocator, not to the OS: what must return after
    # each backward is the allocator's in-use count, resident memory must stop growing after
    # the first step (the cache is reused, not refilled), and emptying the cache must hand
    # the memory back to the OS.
    a = tg.zeros(25_000_000, requires_grad=True)  # 100 MB
    gc.collect()
    base_rss, base_saved = rss_mb(), graph.saved_bytes()
    base_in_use = tg.memory.stats()["in_use_bytes"]
    rss_after_first = None
    for _ in range(3):
        out = (a * a + a).sum()
        assert graph.saved_bytes() >= base_saved + 200_000_000  # both operands of a * a
        out.backward()
        assert graph.saved_bytes() == base_saved  # freed as backward ran
        del out
        a.grad = None
        gc.collect()
        assert tg.memory.stats()["in_use_bytes"] == base_in_use
        if rss_after_first is None:
            rss_after_first = rss_mb()
        assert rss_mb() - rss_after_first < 50
    tg.memory.empty_cache()
    assert tg.memory.stats()["cached_bytes"] == 0
    assert rss_mb() - base_rss < 50


def test_random_dag_of_100k_nodes():
    rng = np.random.default_rng(0)
    base = graph.live_nodes()
    leaves = [tg.tensor([1.0 + 0.01 * k], dtype=tg.float64, requires_grad=True) for k in range(8)]
    pool = list(leaves)
    for k in range(50_000):  # two ops a step: 100,000 nodes
        a = pool[int(rng.integers(max(0, len(pool) - 64), len(pool)))]
        b = pool[int(rng.integers(0, len(pool)))]
        pool.append((a + b) * 0.5)
    out = pool[-1].sum()
    assert graph.live_nodes() - base >= 100_000
    out.backward()
    grads = [leaf.grad.item() for leaf in leaves if leaf.grad is not None]
    assert grads and all(np.isfinite(grads))
    # the output is an average of the leaves, so the gradients add up to 1
    assert abs(sum(grads) - 1.0) < 1e-9
    del pool, out, a, b
    gc.collect()
    assert graph.live_nodes() == base
