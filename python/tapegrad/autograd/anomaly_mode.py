"""Anomaly detection: a NaN produced in backward raises at once, naming the node and showing
the Python stack of the forward call that created it."""
import functools

from .. import _C


def set_detect_anomaly(mode: bool):
    _C._set_anomaly_enabled(bool(mode))


def is_anomaly_enabled() -> bool:
    return _C.is_anomaly_enabled()


class detect_anomaly:
    """Context manager and decorator that turns anomaly detection on for its scope."""

    def __enter__(self):
        self._prev = _C.is_anomaly_enabled()
        _C._set_anomaly_enabled(True)
        return self

    def __exit__(self, *exc):
        _C._set_anomaly_enabled(self._prev)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly():
                return fn(*args, **kwargs)

        return wrapper
