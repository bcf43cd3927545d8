"""The programs a user runs first must keep working: run them as a user would."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args, timeout=120):
    env = dict(os.environ)
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_autograd_tour_runs_and_prints_the_tour_values():
    r = run("examples/autograd_tour.py")
    assert r.returncode == 0, r.stderr
    assert "<AddBackward0 object at 0x" in r.stdout
    assert "tensor([[3., 3.],\n        [3., 3.]])" in r.stdout
