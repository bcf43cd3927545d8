"""Per-op overhead of tapegrad vs PyTorch (and numpy where it makes sense), side by side.

Tiny tensors, so what is measured is the cost of dispatch, allocation and graph recording,
not arithmetic. Each workload is written once, against a library module `lib`, and run on
every library in the same process; repeats are interleaved across libraries so that drift
(frequency scaling, other load) hits all columns alike.

    PYTHONPATH=python python benchmarks/bench_overhead.py [--threads N] [--json out.json] [--quick]
"""
import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

import tapegrad
try:
    import torch
except ImportError:
    torch = None


# ---- workloads: the same code runs on every library --------------------------------------------
def w1(lib, grad=False):
    """`a + b` on 2x2 float32; returns run(n), which does n additions."""
    kw = {"requires_grad": True} if grad else {}
    a = lib.ones((2, 2), dtype=lib.float32, **kw)
    b = lib.ones((2, 2), dtype=lib.float32)

    def run(n):
        for _ in range(n):
            a + b
    return run


def w2(lib, x=None):
    """The tour's first step; returns x.grad."""
    x = lib.ones(2, 2, requires_grad=True) if x is None else x
    y = x + 2
    z = y * y * 2
    z.mean().backward()
    return x.grad


def w3(lib, v, x=None):
    """The tour's while loop with a fixed 10 doublings, then a vector backward; returns x.grad."""
    x = lib.randn(3, requires_grad=True) if x is None else x
    y = x * 2
    for _ in range(10):
        y = y * 2
    y.backward(v)
    return x.grad


V = np.array([0.1, 1.0, 0.0001], dtype=np.float32)  # W3's gradient vector


def steps(fn, *args):
    """Wraps a one-step workload as run(n)."""
    def run(n):
        for _ in range(n):
            fn(*args)
    return run


# name, unit, ns per unit, per-library factory of run(n), numpy meaningful?
WORKLOADS = [
    ("W1  a+b 2x2, no grad", "ns", 1, lambda lib: w1(lib), True),
    ("W1g a+b 2x2, a.requires_grad", "ns", 1, lambda lib: w1(lib, grad=True), False),
    ("W2  tour step + backward", "us", 1000, lambda lib: steps(w2, lib), False),
    ("W3  10 doublings + backward(v)", "us", 1000, lambda lib: steps(w3, lib, lib.tensor(V)), False),
]


# ---- timing ------------------------------------------------------------------------------------
def calibrate(run, target_ns):
    """Warms up (first calls pay for lazy init), then picks n so that run(n) takes ~target_ns."""
    run(1), run(1)
    n = 1
    while True:
        t0 = time.perf_counter_ns()
        run(n)
        dt = time.perf_counter_ns() - t0
        if dt >= target_ns / 10:
            return max(1, round(n * target_ns / dt))
        n *= 2


def measure(runs, repeats, target_ns):
    """runs: {lib name: run(n)}. Returns {lib name: median ns per op}."""
    ns = {name: calibrate(run, target_ns) for name, run in runs.items()}
    samples = {name: [] for name in runs}
    gc_was_enabled = gc.isenabled()
    gc.disable()  # as timeit does: a collection landing in one sample is noise, not overhead
    try:
        for _ in range(repeats):
            for name, run in runs.items():
                t0 = time.perf_counter_ns()
                run(ns[name])
                samples[name].append((time.perf_counter_ns() - t0) / ns[name])
    finally:
        if gc_was_enabled:
            gc.enable()
    return {name: statistics.median(s) for name, s in samples.items()}


# ---- correctness -------------------------------------------------------------------------------
def check_grads():
    """x.grad of W2/W3 from the same numpy inputs: tapegrad vs PyTorch (or vs the closed form)."""
    rng = np.random.default_rng(0)
    x2 = rng.standard_normal((2, 2)).astype(np.float32)
    x3 = rng.standard_normal(3).astype(np.float32)
    cases = {
        "W2": (lambda lib: w2(lib, lib.tensor(x2, requires_grad=True)), x2 + 2),  # d mean(2y^2)/dx = y
        "W3": (lambda lib: w3(lib, lib.from_numpy(V), lib.tensor(x3, requires_grad=True)), V * 2.0**11),
    }
    results = {}
    for name, (fn, closed_form) in cases.items():
        got = fn(tapegrad).numpy()
        ref, against = (fn(torch).numpy(), "PyTorch") if torch else (closed_form, "closed form")
        diff = float(np.max(np.abs(got - ref))) if got.shape == ref.shape else None  # shapes differ
        ok = got.shape == ref.shape and np.allclose(got, ref, rtol=1e-6, atol=0)
        results[name] = {"ok": bool(ok), "against": against, "max_abs_diff": diff}
    return results


# ---- main --------------------------------------------------------------------------------------
def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=None, help="set_num_threads for each library that has it")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--json", metavar="PATH", help="write machine-readable results here")
    p.add_argument("--quick", action="store_true", help="fast smoke run (3 short repeats)")
    args = p.parse_args(argv)
    repeats = 3 if args.quick else args.repeats
    target_ns = 2e6 if args.quick else 2e7  # time per repeat per library

    libs = {"tapegrad": tapegrad, "torch": torch, "numpy": np}
    threads = {}
    for name, lib in (("tapegrad", tapegrad), ("torch", torch)):
        if lib is None:
            threads[name] = "not importable"
        elif hasattr(lib, "set_num_threads"):
            if args.threads is not None:
                lib.set_num_threads(args.threads)
            threads[name] = f"{lib.get_num_threads()} intra-op"
            if hasattr(lib, "get_num_interop_threads"):
                threads[name] += f", {lib.get_num_interop_threads()} inter-op"
        else:
            threads[name] = "no set_num_threads (thread count not settable)"
    versions = {n: getattr(m, "__version__", "?") for n, m in libs.items() if m is not None}
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
          + ", ".join(f"{n} {v}" for n, v in versions.items()))
    print("threads: " + "; ".join(f"{n}: {t}" for n, t in threads.items())
          + f"; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    print(f"median of {repeats} repeats{' (--quick)' if args.quick else ''}\n")

    rows = []
    head = f"{'workload':<32} {'unit':>4} {'tapegrad':>10} {'torch':>10} {'numpy':>10} {'tg/torch':>9}"
    print(head + "\n" + "-" * len(head))
    for name, unit, scale, make, with_numpy in WORKLOADS:
        runs = {"tapegrad": make(tapegrad)}
        if torch is not None:
            runs["torch"] = make(torch)
        if with_numpy:
            runs["numpy"] = make(np)
        med = {lib: t / scale for lib, t in measure(runs, repeats, target_ns).items()}
        ratio = med["tapegrad"] / med["torch"] if "torch" in med else None
        cells = [f"{med[k]:>10.{1 if scale == 1 else 2}f}" if k in med else f"{'-':>10}"
                 for k in ("tapegrad", "torch", "numpy")]
        print(f"{name:<32} {unit:>4} {' '.join(cells)} {f'{ratio:.2f}x' if ratio else '-':>9}")
        rows.append({"workload": name.split()[0], "description": name, "unit": unit,
                     **{k: med.get(k) for k in ("tapegrad", "torch", "numpy")}, "ratio_tapegrad_torch": ratio})

    checks = check_grads()
    print()  # blank line before the checks
    for name, c in checks.items():
        status = "OK" if c["ok"] else f"MISMATCH (max abs diff {c['max_abs_diff']})"
        print(f"check {name} x.grad, tapegrad vs {c['against']}: {status}")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": platform.python_version(), "versions": versions, "threads": threads,
                       "repeats": repeats, "quick": args.quick, "results": rows, "checks": checks}, f, indent=2)
        print(f"wrote {args.json}")
    return 0 if all(c["ok"] for c in checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
