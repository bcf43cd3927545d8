"""The training examples run end to end in their --quick mode, as a user would run them."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args, timeout=180):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ))


def test_train_digits_quick(tmp_path):
    for mod in ("sklearn", "tqdm", "matplotlib"):
        pytest.importorskip(mod)
    r = run("examples/train_digits.py", "--quick", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    acc = float(r.stdout.split("test accuracy: ")[1].split()[0])
    reloaded = float(r.stdout.split("reloaded model test accuracy: ")[1].split()[0])
    assert acc == reloaded and acc > 0.8  # 3 epochs; the full run reaches >= 97%
    assert (tmp_path / "digits_curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "digits_mlp.tg").exists()
    assert "epoch" in r.stderr  # the tqdm bar


def test_variable_length_lstm_quick():
    r = run("examples/variable_length_lstm.py", "--quick")
    assert r.returncode == 0, r.stderr
    depths = {}
    for line in r.stdout.splitlines():
        if "-> loss graph depth" in line:
            length, depth = line.split("length")[1].split("-> loss graph depth")
            depths[int(length)] = int(depth)
    assert len(depths) >= 3  # different lengths give graphs of different depths, growing with length
    ordered = [depths[k] for k in sorted(depths)]
    assert ordered == sorted(ordered) and len(set(ordered)) == len(ordered)
    assert float(r.stdout.split("final test accuracy: ")[1]) > 0.75
