"""Issue 6's workloads, one module per family, in the order of the issue's table."""
from . import elementwise, matmul, mlp, overhead, reductions, rnn

FAMILIES = {"overhead": overhead, "rnn": rnn, "mlp": mlp, "elementwise": elementwise,
            "matmul": matmul, "reductions": reductions}
ALL = [w for family in FAMILIES.values() for w in family.WORKLOADS]
