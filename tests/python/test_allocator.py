"""The caching allocator: freed buffers are reused, the cache can be emptied, limited and
turned off, and none of it changes what tensors hold."""
import numpy as np
import pytest

import tapegrad as tg

sanitized = pytest.mark.skipif(tg._C._sanitized, reason="sanitized runs turn the cache off")


@pytest.fixture
def caching():
    before = tg.memory.caching_enabled()
    tg.memory.set_caching_enabled(True)
    yield
    tg.memory.set_caching_enabled(before)


def test_a_freed_buffer_is_reused_by_the_next_tensor_of_its_size(caching):
    x = tg.empty(1_000_000)
    del x
    hits = tg.memory.stats()["hits"]
    y = tg.ones(1_000_000)  # same size class
    assert tg.memory.stats()["hits"] == hits + 1
    assert y.sum().item() == 1_000_000  # recycled memory holds the new values


def test_in_use_bytes_follow_tensor_lifetimes(caching):
    before = tg.memory.stats()["in_use_bytes"]
    x = tg.zeros(250_000)  # 1 MB
    assert tg.memory.stats()["in_use_bytes"] >= before + 1_000_000
    del x
    assert tg.memory.stats()["in_use_bytes"] == before


def test_empty_cache_and_limit(caching):
    x = tg.zeros(500_000)
    del x
    assert tg.memory.stats()["cached_bytes"] >= 2_000_000
    tg.memory.empty_cache()
    assert tg.memory.stats()["cached_bytes"] == 0
    tg.memory.set_cache_limit(1_000_000)
    try:
        x = tg.zeros(500_000)  # 2 MB: over the limit, so freed instead of cached
        del x
        assert tg.memory.stats()["cached_bytes"] <= 1_000_000
    finally:
        tg.memory.set_cache_limit(2 << 30)


def test_turning_the_cache_off_frees_everything_and_keeps_working():
    before = tg.memory.caching_enabled()
    tg.memory.set_caching_enabled(False)
    try:
        assert tg.memory.stats()["cached_bytes"] == 0
        x = tg.arange(10.0) * 2
        del x
        assert tg.memory.stats()["cached_bytes"] == 0
        np.testing.assert_array_equal((tg.arange(4.0) + 1).numpy(), [1, 2, 3, 4])
    finally:
        tg.memory.set_caching_enabled(before)


@sanitized
def test_environment_switch_turns_the_cache_off_at_start_up():
    import subprocess
    import sys
    code = "import tapegrad as tg; x = tg.zeros(1000); del x; print(tg.memory.caching_enabled(), tg.memory.stats()['cached_bytes'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "TAPEGRAD_CACHING_ALLOCATOR": "0"}).stdout
    assert out.split() == ["False", "0"]


def test_huge_allocation_still_reports_the_byte_count(caching):
    with pytest.raises(RuntimeError, match="you tried to allocate 4000000000000 bytes"):
        tg.empty(10 ** 12)


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


@sanitized
def test_a_spike_goes_back_to_the_os_once_the_program_stops_reusing_it(caching):
    """Issue 14: freeing 1.5 GB used to leave it all cached (and resident) for good. Buffers that
    sit unused through an epoch of allocator calls are now freed (Note [The cache follows recent use])."""
    tg.memory.empty_cache()
    spike = [tg.ones(2_000_000) for _ in range(48)]  # 384 MB, faulted in
    rss_at_peak = _rss_bytes()
    del spike
    assert tg.memory.stats()["cached_bytes"] >= 380_000_000  # kept while it may come back
    small = tg.ones(64)  # big enough to come from the allocator (up to 32 bytes live in the Storage)
    for _ in range(20_000):  # 40,000 allocator calls: past two epochs
        small = small + 1
    assert tg.memory.stats()["cached_bytes"] < 8_000_000
    assert _rss_bytes() < rss_at_peak - 300_000_000
    assert small[0].item() == 20_001


@sanitized
def test_a_loop_that_reuses_its_buffers_keeps_them_across_epochs(caching):
    tg.memory.empty_cache()
    x = tg.ones(10_000)
    for _ in range(100):  # warm up: every class the loop uses is cached
        y = x * 2
        del y
    misses = tg.memory.stats()["misses"]
    for _ in range(20_000):  # 40,000 allocator calls: several epochs
        y = x * 2
        del y
    assert tg.memory.stats()["misses"] == misses
