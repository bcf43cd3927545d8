"""torch.backends.cudnn without CUDA: the flags keep torch's defaults and can be set (programs
set `benchmark = True` or `deterministic = True` unconditionally); nothing reads them."""
from typing import Optional

enabled = True
benchmark = False
benchmark_limit = 10
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    return False


def version() -> Optional[int]:
    return None
