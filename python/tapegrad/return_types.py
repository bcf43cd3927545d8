"""Named tuples returned by max(dim)/min(dim), as torch.return_types."""
from collections import namedtuple


def _named(kind):
    base = namedtuple(kind, ["values", "indices"])

    def __repr__(self):
        return f"tapegrad.return_types.{kind}(\nvalues={self.values!r},\nindices={self.indices!r})"

    return type(kind, (base,), {"__slots__": (), "__repr__": __repr__, "__module__": __name__})


max = _named("max")  # noqa: A001
min = _named("min")  # noqa: A001
