"""Under CI=true a test that skips for a missing oracle fails (conftest.py), so a fresh machine
that lost PyTorch shows red instead of silently checking less."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SKIPPING_TEST = '''
import pytest

def test_needs_missing_module():
    pytest.importorskip("tapegrad_no_such_oracle_module")

needs_torch = pytest.mark.skipif(True, reason="PyTorch not installed")

@needs_torch
def test_marked():
    pass
'''


@pytest.mark.parametrize("ci", ["", "true"])
def test_missing_oracle_fails_only_under_ci(tmp_path: Path, ci: str) -> None:
    shutil.copy(Path(__file__).with_name("conftest.py"), tmp_path / "conftest.py")
    (tmp_path / "test_skips.py").write_text(SKIPPING_TEST)
    env = dict(os.environ, CI=ci)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    if ci:
        assert run.returncode != 0, run.stdout
        # a skip in the call phase is reported as a failure, one at setup (skipif) as an error
        assert "1 failed, 1 error" in run.stdout, run.stdout
        assert "skipped" not in run.stdout.splitlines()[-1], run.stdout
    else:
        assert run.returncode == 0, run.stdout
        assert "2 skipped" in run.stdout, run.stdout
