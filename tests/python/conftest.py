import sys

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def pytest_terminal_summary(terminalreporter):
    """How many bad inputs the bad-input table (test_error_table.py) tries, when it ran."""
    table = sys.modules.get("test_error_table")
    if table is not None:
        on_torch = sum(r.torch for r in table.ROWS) if table.torch is not None else 0
        terminalreporter.write_line(
            f"bad-input table: {len(table.ROWS)} rows ({on_torch} also checked on PyTorch) and "
            f"{len(table.EMPTY_CASES)} zero-size / 0-d cases through every op and its backward")
