"""Anomaly detection: a NaN produced in backward raises at once, naming the node and showing
the Python stack of the forward call that created it."""
import functools
from typing import Any, Callable, TypeVar, cast

from .. import _C

F = TypeVar("F", bound=Callable[..., Any])


def set_detect_anomaly(mode: bool) -> None:
    _C._set_anomaly_enabled(bool(mode))


def is_anomaly_enabled() -> bool:
    return _C.is_anomaly_enabled()


class detect_anomaly:
    """Context manager and decorator that turns anomaly detection on for its scope."""

    _prev: bool

    def __enter__(self) -> "detect_anomaly":
        self._prev = _C.is_anomaly_enabled()
        _C._set_anomaly_enabled(True)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _C._set_anomaly_enabled(self._prev)

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly():
                return fn(*args, **kwargs)

        return cast(F, wrapper)
