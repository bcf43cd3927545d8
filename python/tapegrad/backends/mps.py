"""torch.backends.mps on a machine without Apple's Metal: neither built nor available."""


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
