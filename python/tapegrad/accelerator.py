"""tapegrad.accelerator: a CPU-only build has none, so the usual prologue
`device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else 'cpu'`
picks the CPU."""
from typing import Any, NoReturn, Optional

from ._device import device


def _none() -> NoReturn:
    raise RuntimeError("Cannot access accelerator device when none is available.")


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False) -> Optional[device]:
    return None


def device_count() -> int:
    return 0


def current_device_index() -> int:
    _none()


current_device_idx = current_device_index


def set_device_index(device: Any) -> None:
    _none()


def synchronize(device: Any = None) -> None:
    _none()
