"""The benchmark driver runs and its correctness checks pass (smoke test: no timing assertions)."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks"
HAS_TORCH = importlib.util.find_spec("torch") is not None
# cheap ones from each kind: overhead, autograd with a closed form, nn + optim, RNN
SUBSET = "W1,W1g,W2,W3,W4s,W8"
PACKAGE_ROOT = str(Path(__import__("tapegrad").__file__).resolve().parents[1])


def run_bench(*args, timeout=300):
    env = dict(os.environ)
    # The child imports the tapegrad this test imported (installed, or the source tree with a
    # built _C): a clean checkout's python/ has no extension, only its stubs.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_ROOT, env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, str(BENCH / "bench.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture
def bench_modules(monkeypatch):
    monkeypatch.syspath_prepend(PACKAGE_ROOT)
    monkeypatch.syspath_prepend(str(BENCH))
    import bench
    import harness
    import workloads
    return bench, harness, workloads


def test_quick_subset_runs_and_checks_pass(tmp_path):
    out = tmp_path / "bench.json"
    r = run_bench("--quick", "--only", SUBSET, "--json", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "MISMATCH" not in r.stdout and "ERROR" not in r.stdout
    data = json.loads(out.read_text())
    assert sorted(row["id"] for row in data["results"]) == sorted(SUBSET.split(","))
    assert data["failures"] == []
    for row in data["results"]:
        assert row["check"]["ok"] is True, row
        assert row["tapegrad"] > 0
        if HAS_TORCH:
            assert "torch" in row["check"]["against"]
            assert row["torch"] > 0 and row["ratio_tapegrad_torch"] > 0
    assert data["results"][0]["numpy"] > 0  # W1 runs on numpy too


def test_without_torch_the_checks_fall_back_to_numpy_and_closed_forms(tmp_path):
    out = tmp_path / "bench.json"
    r = run_bench("--quick", "--no-torch", "--only", "W1,W2,W8", "--json", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    rows = json.loads(out.read_text())["results"]
    assert all(row["torch"] is None and row["check"]["ok"] is True for row in rows), rows
    assert [row["check"]["against"] for row in rows] == ["numpy", "closed form", "closed form"]


def test_every_workload_of_the_issue_is_there(bench_modules):
    _, _, workloads = bench_modules
    assert {w.issue_id for w in workloads.ALL} == {
        "W1", "W1g", "W2", "W3", "W4s", "W4b", "W5", "W5f", "W6", "W7", "W8"}
    for w in workloads.ALL:
        assert w.target is not None and w.unit
        assert w.closed_form is not None or w.numpy, f"{w.id} has no torch-free reference"


def test_unknown_workload_id_is_refused():
    r = run_bench("--only", "W99")
    assert r.returncode == 2 and "unknown workload" in r.stderr


def test_a_mismatch_is_loud_and_fails(bench_modules, monkeypatch, capsys):
    bench, _, workloads = bench_modules
    w2 = next(w for w in workloads.ALL if w.id == "W2")
    monkeypatch.setattr(w2, "closed_form", lambda d: {"out": np.float32(0), "x.grad": d["x"]})
    assert bench.main(["--quick", "--no-torch", "--only", "W2"]) == 1
    captured = capsys.readouterr()
    assert "MISMATCH" in captured.out and "BENCHMARK CORRECTNESS FAILURES" in captured.err


def test_targets_and_tolerances(bench_modules):
    _, harness, _ = bench_modules
    t = harness.Target("<= 12 us", "<=", 12, torch_ref=60)
    assert t.met(10, 70) and not t.met(13, 70)
    assert t.met(13, 70, scaled=True)          # 12 * 70/60 = 14
    rel = harness.Target(">= 0.9x torch", ">=", 0.9, relative=True)
    assert rel.met(9.5, 10) and not rel.met(8, 10) and rel.met(8, None) is None
    per_threads = harness.Target("<= 150 us", "<=", 150, torch_ref={2: 500, 1: 330})
    assert per_threads.met(160, 352, scaled=True, torch_threads=1)      # 150 * 352/330 = 160
    assert not per_threads.met(160, 500, scaled=True, torch_threads=2)
    ok, _ = harness.compare({"a": np.ones(3)}, {"a": np.ones(3) + 1e-9}, {"*": (1e-6, 0)})
    assert ok
    ok, details = harness.compare({"a": np.ones(2)}, {"a": np.ones(3)}, {"*": (1e-6, 0)})
    assert not ok and details["a"].startswith("BAD: shape")


def test_plot_draws_a_png(bench_modules, monkeypatch, tmp_path):
    pytest.importorskip("matplotlib")
    import plot
    import tapegrad
    monkeypatch.setattr(plot, "ELEMENTWISE_SIZES", [1, 64])
    monkeypatch.setattr(plot, "MATMUL_SIDES_QUICK", [1, 8])
    data = plot.sweep({"tapegrad": tapegrad, "numpy": np}, quick=True, log=lambda *a: None)
    assert set(data) == {"add", "mul", "sum", "matmul"}
    assert [e for e, _ in data["matmul"]["tapegrad"]] == [1, 64]
    path = tmp_path / "sizes.png"
    plot.draw(data, path, "test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
