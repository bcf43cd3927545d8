"""Op table entries for tapegrad.nn.functional (joined into op_db.OPS)."""
from op_db_types import OpEntry, S  # noqa: F401

NN_OPS = []
