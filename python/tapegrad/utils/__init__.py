"""tapegrad.utils: data loading (tapegrad.utils.data), hook handles (tapegrad.utils.hooks) and
activation checkpointing (tapegrad.utils.checkpoint)."""
from . import checkpoint, data, hooks  # noqa: F401
