"""
The caching allocator behind every tensor buffer.
"""
from __future__ import annotations
import typing
__all__: list[str] = ['cache_limit', 'caching_enabled', 'empty_cache', 'set_cache_limit', 'set_caching_enabled', 'stats']
def cache_limit() -> int:
    """
    Most bytes kept cached.
    """
def caching_enabled() -> bool:
    ...
def empty_cache() -> None:
    """
    Frees every cached buffer back to the OS.
    """
def set_cache_limit(nbytes: typing.SupportsInt | typing.SupportsIndex) -> None:
    ...
def set_caching_enabled(enabled: bool) -> None:
    """
    Turns the cache on or off; off also empties it.
    """
def stats() -> dict:
    """
    Bytes in use and cached, and how many allocations the cache served (hits) or not (misses).
    """
