"""tapegrad.cuda as a CPU-only PyTorch has it: nothing is available, seeding is a no-op, and
what needs a GPU raises torch's AssertionError, so `if torch.cuda.is_available():` programs
take their CPU branch unchanged."""
from typing import Any, List, NoReturn, Optional


def _no_cuda() -> NoReturn:
    raise AssertionError("Torch not compiled with CUDA enabled")


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def get_arch_list() -> List[str]:
    return []


def manual_seed(seed: int) -> None:
    """A no-op, as in torch without CUDA (seeds are kept for a GPU that never comes)."""


def manual_seed_all(seed: int) -> None:
    """A no-op, as in torch without CUDA."""


def seed() -> None:
    """A no-op, as in torch without CUDA."""


def seed_all() -> None:
    """A no-op, as in torch without CUDA."""


def empty_cache() -> None:
    """Nothing to free without CUDA (torch returns None too)."""


def memory_allocated(device: Any = None) -> int:
    return 0


def max_memory_allocated(device: Any = None) -> int:
    return 0


def memory_reserved(device: Any = None) -> int:
    return 0


def current_device() -> int:
    _no_cuda()


def get_device_name(device: Optional[Any] = None) -> str:
    _no_cuda()


def get_device_capability(device: Optional[Any] = None) -> Any:
    _no_cuda()


def get_device_properties(device: Any = None) -> Any:
    _no_cuda()


def synchronize(device: Any = None) -> None:
    _no_cuda()


def initial_seed() -> int:
    _no_cuda()


def get_rng_state(device: Any = "cuda") -> Any:
    _no_cuda()


def set_rng_state(new_state: Any, device: Any = "cuda") -> None:
    _no_cuda()


def mem_get_info(device: Any = None) -> Any:
    _no_cuda()
