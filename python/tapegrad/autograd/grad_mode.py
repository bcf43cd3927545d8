"""no_grad / enable_grad / set_grad_enabled, as context managers and decorators.
The flag itself is thread-local and lives in the C++ core."""
import functools
from typing import Any, Callable, TypeVar, cast

from .. import _C

F = TypeVar("F", bound=Callable[..., Any])


class _GradMode:
    """Sets grad mode to `_enabled` for a `with` block (restoring it after) or, used as a
    decorator, for every call of the function."""

    _enabled: bool
    _prev: bool

    def __enter__(self) -> "_GradMode":
        self._prev = _C.is_grad_enabled()
        _C._set_grad_enabled(self._enabled)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _C._set_grad_enabled(self._prev)

    def __call__(self, fn: F) -> F:
        enabled = self._enabled

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = _C.is_grad_enabled()
            _C._set_grad_enabled(enabled)
            try:
                return fn(*args, **kwargs)
            finally:
                _C._set_grad_enabled(prev)

        return cast(F, wrapper)


class no_grad(_GradMode):
    """Ops inside record no history (their results have requires_grad=False)."""

    def __init__(self) -> None:
        self._enabled = False


class enable_grad(_GradMode):
    def __init__(self) -> None:
        self._enabled = True


class set_grad_enabled(_GradMode):
    """set_grad_enabled(False) switches recording off at once (as a plain call) and, as a
    context manager, restores the mode that was in force before the call on exit."""

    def __init__(self, mode: bool) -> None:
        self._enabled = bool(mode)
        self._prev = _C.is_grad_enabled()
        _C._set_grad_enabled(self._enabled)

    def __enter__(self) -> "set_grad_enabled":
        return self


class inference_mode(_GradMode):
    """Like no_grad (PyTorch's inference tensors, which refuse later autograd use, are not
    modelled: results are ordinary tensors without history)."""

    def __init__(self, mode: bool = True) -> None:
        self._enabled = not mode
