"""no_grad / enable_grad / set_grad_enabled, as context managers and decorators.
The flag itself is thread-local and lives in the C++ core."""
import contextlib
import functools
import inspect
from typing import Any, Callable, Generator, Iterator, TypeVar, cast

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
        if inspect.isgeneratorfunction(fn):
            return cast(F, _generator_in_mode(fn, enabled))

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _mode(enabled):
                return fn(*args, **kwargs)

        return cast(F, wrapper)


@contextlib.contextmanager
def _mode(enabled: bool) -> Iterator[None]:
    prev = _C.is_grad_enabled()
    _C._set_grad_enabled(enabled)
    try:
        yield
    finally:
        _C._set_grad_enabled(prev)


def _generator_in_mode(fn: Callable[..., Generator[Any, Any, Any]], enabled: bool) -> Callable[..., Any]:
    """A generator function decorated with a grad mode runs in that mode each time it resumes,
    and gives the caller's mode back at each yield (as torch's decorators do)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        gen = fn(*args, **kwargs)
        try:
            with _mode(enabled):
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with _mode(enabled):
                        gen.close()
                    raise
                except BaseException as e:  # thrown in by the caller: into the generator
                    with _mode(enabled):
                        response = gen.throw(e)
                else:
                    with _mode(enabled):
                        response = gen.send(request)
        except StopIteration as stop:
            return stop.value

    return wrapper


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

    def __call__(self, fn: F) -> F:
        # As a decorator, the constructor's switch must not outlive the decoration.
        _C._set_grad_enabled(self._prev)
        return super().__call__(fn)


class inference_mode(_GradMode):
    """Like no_grad (PyTorch's inference tensors, which refuse later autograd use, are not
    modelled: results are ordinary tensors without history)."""

    def __init__(self, mode: bool = True) -> None:
        self._enabled = not mode
