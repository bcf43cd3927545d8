"""tapegrad.utils: data loading (tapegrad.utils.data) and hook handles (tapegrad.utils.hooks)."""
from . import data, hooks  # noqa: F401
