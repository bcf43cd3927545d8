"""tapegrad.backends: the flags PyTorch programs set or read. None of these backends exists in
tapegrad (a CPU-only engine), so availability is False and the flags, though settable as in torch,
change nothing."""
from . import cuda, cudnn, mps  # noqa: F401
