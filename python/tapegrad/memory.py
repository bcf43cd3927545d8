"""The caching allocator behind every tensor buffer.

Freed buffers are kept on per-size free lists and handed to the next tensor of about the same
size, so a training loop's big temporaries reuse memory that is already mapped instead of
page-faulting in fresh memory at every step. Set ``TAPEGRAD_CACHING_ALLOCATOR=0`` in the
environment before import to turn the cache off (for sanitizers and leak hunting);
``TAPEGRAD_CACHE_LIMIT_MB`` bounds how much it keeps (2048 MB by default). The cache follows
recent use: buffers that no allocation has drawn on for an epoch of 8,192 allocator calls are
freed, so the memory of a one-off spike goes back to the OS while a loop keeps what it reuses.
"""
from typing import Dict

from ._C import _memory


def empty_cache() -> None:
    """Frees every cached buffer back to the operating system."""
    _memory.empty_cache()


def stats() -> Dict[str, int]:
    """``in_use_bytes``, ``cached_bytes``, and the allocations served from the cache (``hits``)
    or from the OS (``misses``) since start-up."""
    return dict(_memory.stats())


def caching_enabled() -> bool:
    return bool(_memory.caching_enabled())


def set_caching_enabled(enabled: bool) -> None:
    """Turns the cache on or off; turning it off empties it."""
    _memory.set_caching_enabled(enabled)


def set_cache_limit(nbytes: int) -> None:
    """Keeps at most ``nbytes`` bytes cached (freeing the largest buffers first)."""
    _memory.set_cache_limit(nbytes)


__all__ = ["empty_cache", "stats", "caching_enabled", "set_caching_enabled", "set_cache_limit"]
