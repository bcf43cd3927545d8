"""Proves a sanitizer build is live: its canary's out-of-bounds read must be reported.
Runs only against an extension built with -DTAPEGRAD_SANITIZE (scripts/test_sanitized.sh)."""
import os
import subprocess
import sys

import pytest

import tapegrad as tg

pytestmark = pytest.mark.skipif(not tg._C._sanitized, reason="extension not built with sanitizers")


def test_the_canary_out_of_bounds_read_is_reported():
    r = subprocess.run([sys.executable, "-c", "import tapegrad; tapegrad._C._sanitizer_canary()"],
                       capture_output=True, text=True, env=dict(os.environ), timeout=120)
    assert r.returncode != 0
    assert "heap-buffer-overflow" in r.stderr
