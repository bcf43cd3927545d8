import sys

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(params=[1, 2, 3], ids=lambda n: f"{n}threads")
def threads(request):
    """Runs the test with tapegrad set to 1, 2 and 3 intra-op threads (restored afterwards)."""
    import tapegrad as tg
    before = tg.get_num_threads()
    tg.set_num_threads(request.param)
    yield request.param
    tg.set_num_threads(before)


def pytest_terminal_summary(terminalreporter):
    """How many bad inputs the bad-input table (test_error_table.py) tries, when it ran."""
    table = sys.modules.get("test_error_table")
    if table is not None:
        on_torch = sum(r.torch for r in table.ROWS) if table.torch is not None else 0
        terminalreporter.write_line(
            f"bad-input table: {len(table.ROWS)} rows ({on_torch} also checked on PyTorch) and "
            f"{len(table.EMPTY_CASES)} zero-size / 0-d cases through every op and its backward")
