"""tapegrad.nn: PyTorch's nn namespace. For now the functional API (tapegrad.nn.functional);
modules build on it."""
from . import functional  # noqa: F401
