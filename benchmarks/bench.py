"""tapegrad vs PyTorch vs numpy on issue 6's workloads (W1-W8), side by side in one process.

Each workload is written once against a library module (benchmarks/workloads/, one module per
family) and run on tapegrad and, when importable, torch and numpy (forward-only workloads).
Before timing, each workload's outputs and gradients from tapegrad are checked against torch's
(same inputs, copied through numpy), or against numpy / a closed form when torch is absent; a
mismatch is printed loudly and makes the exit status 1.

    PYTHONPATH=python python benchmarks/bench.py                      # all workloads
    PYTHONPATH=python python benchmarks/bench.py --quick --only W1,W5 # smoke run of two
    PYTHONPATH=python python benchmarks/bench.py --threads 1,2 --json out.json --plot sizes.png
"""
# Only the standard library up here: --threads must set the BLAS/OpenMP environment before
# numpy, torch or tapegrad are imported.
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback

THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
LIBS = ("tapegrad", "torch", "numpy")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smoke run: 3 short repeats (same sizes)")
    p.add_argument("--repeats", type=int, default=None, help="repeats per library (default 7, --quick 3)")
    p.add_argument("--only", default="", metavar="IDS",
                   help="comma-separated ids, e.g. W1,W5 (W6 selects W6f and W6g, W7 both W7s and W7m)")
    p.add_argument("--threads", default=None, metavar="N[,N...]",
                   help="threads for every library (set_num_threads, OMP/BLAS env before import); "
                        "several counts run one child process each")
    p.add_argument("--json", metavar="PATH", help="write machine-readable results here")
    p.add_argument("--plot", metavar="PNG", help="also draw time vs size for add, mul, sum, matmul")
    p.add_argument("--no-torch", action="store_true", help="run as if torch were not installed")
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    args = p.parse_args(argv)
    args.only = {s.strip().lower() for s in args.only.split(",") if s.strip()}
    if args.threads is not None:
        try:
            args.threads = [int(t) for t in args.threads.split(",")]
        except ValueError:
            p.error(f"--threads takes counts like 2 or 1,2, not {args.threads!r}")
        if any(t < 1 for t in args.threads):
            p.error("--threads counts must be >= 1")
    return args


def run_per_thread_count(args, argv):
    """--threads 1,2: one child process per count (the environment must be set before import)."""
    child_argv = []
    skip = False
    for a in argv:  # drop --threads/--json/--plot; they are given per child
        if skip:
            skip = False
        elif a in ("--threads", "--json", "--plot"):
            skip = True
        elif not a.startswith(("--threads=", "--json=", "--plot=")):
            child_argv.append(a)
    runs, status = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, n in enumerate(args.threads):
            out = os.path.join(tmp, f"threads{n}.json")
            extra = ["--threads", str(n), "--json", out]
            if args.plot:
                root, ext = os.path.splitext(args.plot)
                extra += ["--plot", f"{root}_threads{n}{ext or '.png'}"]
            print(f"=== --threads {n} ===", flush=True)
            rc = subprocess.call([sys.executable, os.path.abspath(__file__), *child_argv, *extra])
            status = max(status, rc)
            if os.path.exists(out):
                with open(out) as f:
                    runs.append(json.load(f))
            if i + 1 < len(args.threads):
                print(flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"runs": runs}, f, indent=2)
        print(f"wrote {args.json}")
    return status


def set_thread_env(n):
    for var in THREAD_ENV:
        os.environ[var] = str(n)


def quiet_idle_threads():
    # The libraries take turns inside one process, and OpenBLAS's idle threads (numpy's) spin for
    # about 2**28 cycles after each call by default: on a 2-core machine they take a whole core
    # from whichever library runs next (tapegrad's 1024^3 matmul measured 40-57 GFLOP/s instead of
    # 130 after an interleaved numpy matmul). 2**4 cycles makes them go to sleep at once.
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")


def fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    return f"{v:.0f}" if a >= 100 else f"{v:.1f}" if a >= 10 else f"{v:.2f}" if a >= 1 else f"{v:.3f}"


def yes_no(b):
    return "-" if b is None else "yes" if b else "NO"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.threads and len(args.threads) > 1:
        return run_per_thread_count(args, argv)
    threads_arg = args.threads[0] if args.threads else None
    if threads_arg is not None:
        set_thread_env(threads_arg)
    quiet_idle_threads()

    import numpy as np
    import tapegrad
    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            pass

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import harness
    import workloads

    if args.list:
        for w in workloads.ALL:
            print(f"{w.id:<4} ({w.issue_id:<3}) {w.title}  [{w.unit}]  target {w.target.text}")
        return 0
    known = {w.id.lower() for w in workloads.ALL} | {w.issue_id.lower() for w in workloads.ALL}
    unknown = args.only - known
    if unknown:
        print(f"unknown workload id(s): {', '.join(sorted(unknown))}; try --list", file=sys.stderr)
        return 2
    selected = [w for w in workloads.ALL if w.selected(args.only)]
    if args.plot:
        try:
            import matplotlib  # noqa: F401  (fail now, not after the workloads ran)
        except ImportError:
            print("--plot needs matplotlib (pip install matplotlib)", file=sys.stderr)
            return 2

    libs = {"tapegrad": tapegrad, "torch": torch, "numpy": np}
    threads = {}
    for name in ("tapegrad", "torch"):
        lib = libs[name]
        if lib is None:
            threads[name] = "not importable" if not args.no_torch else "disabled (--no-torch)"
        elif hasattr(lib, "set_num_threads"):
            if threads_arg is not None:
                lib.set_num_threads(threads_arg)
            threads[name] = f"{lib.get_num_threads()} intra-op" if hasattr(lib, "get_num_threads") else "set"
        else:
            threads[name] = "no set_num_threads"
    threads["env"] = {v: os.environ[v] for v in THREAD_ENV if v in os.environ}
    torch_threads = torch.get_num_threads() if torch is not None else None
    env = threads["env"]
    if len(env) == len(THREAD_ENV) and len(set(env.values())) == 1:
        env_text = f"OMP/BLAS *_NUM_THREADS={next(iter(env.values()))}"
    else:
        env_text = ", ".join(f"{k}={v}" for k, v in env.items()) or "OMP/BLAS *_NUM_THREADS unset"
    versions = {n: getattr(m, "__version__", "?") for n, m in libs.items() if m is not None}
    repeats = args.repeats or (3 if args.quick else 7)
    target_ns = 2e6 if args.quick else 2e7  # time per repeat per library (big workloads: 1 step)

    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
          + ", ".join(f"{n} {v}" for n, v in versions.items()))
    print("threads: " + "; ".join(f"{n}: {t}" for n, t in threads.items() if n != "env")
          + "; " + env_text)
    print(f"median of {repeats} repeats{' (--quick)' if args.quick else ''}; tg/torch is the ratio "
          "of times (< 1: tapegrad faster); met*: the target scaled by torch here / torch in the issue\n")

    cols = (f"{'id':<4} {'workload':<35} {'unit':>7} {'tapegrad':>9} {'torch':>9} {'numpy':>9} "
            f"{'tg/torch':>8}  {'target':<16} {'met':>3} {'met*':>4}  check")
    print(cols + "\n" + "-" * len(cols), flush=True)

    rows, failures = [], []
    t_start = time.perf_counter()
    for w in selected:
        row = {"id": w.id, "issue_id": w.issue_id, "workload": w.title, "unit": w.unit}
        try:
            check = run_check(harness, w, libs)
            row["check"] = check
            if check["ok"] is False:
                bad = "; ".join(f"{k}: {v}" for k, v in check["details"].items() if v.startswith("BAD"))
                failures.append(f"{w.id}: MISMATCH {bad}")
            names = ["tapegrad"] + [n for n in ("torch", "numpy")
                                    if libs[n] is not None and (n == "torch" or w.numpy)]
            data = w.inputs(np.random.default_rng(1), False)
            runs = {}
            for n in names:
                runs[n] = w.make(libs[n], w.prepare(libs[n], data))
            samples = harness.measure(runs, repeats, target_ns)
            ns = harness.median(samples)
            del runs, data
        except Exception as e:  # a missing op or a crash: report it and go on with the others
            traceback.print_exc()
            failures.append(f"{w.id}: ERROR {type(e).__name__}: {e}")
            row["error"] = f"{type(e).__name__}: {e}"
            print(f"{w.id:<4} {w.title:<35} ERROR {type(e).__name__}: {e}", flush=True)
            rows.append(row)
            continue
        val = {n: w.display(ns.get(n)) for n in LIBS}
        ratio = ns["tapegrad"] / ns["torch"] if "torch" in ns else None
        met = w.target.met(val["tapegrad"], val["torch"])
        met_scaled = w.target.met(val["tapegrad"], val["torch"], scaled=True, torch_threads=torch_threads)
        row.update({"ns_per_step": {n: ns.get(n) for n in LIBS}, "ns_samples": samples,
                    **{n: val[n] for n in LIBS},
                    "ratio_tapegrad_torch": ratio, "target": w.target.text, "target_met": met,
                    "target_met_scaled": met_scaled})
        rows.append(row)
        status = {True: "OK", False: "MISMATCH", None: "skipped"}[check["ok"]]
        print(f"{w.id:<4} {w.title:<35} {w.unit:>7} {fmt(val['tapegrad']):>9} {fmt(val['torch']):>9} "
              f"{fmt(val['numpy']):>9} {(fmt(ratio) + 'x') if ratio else '-':>8}  {w.target.text:<16} "
              f"{yes_no(met):>3} {yes_no(met_scaled):>4}  {status} vs {check['against']}", flush=True)
    print(f"\n{len(selected)} workloads in {time.perf_counter() - t_start:.1f} s")

    for r in rows:
        c = r.get("check")
        if c and c["ok"] is False:
            print(f"MISMATCH {r['id']} tapegrad vs {c['against']}:")
            for name, d in c["details"].items():
                if d.startswith("BAD"):
                    print(f"    {name}: {d}")

    plot_data = None
    if args.plot:
        plot_libs = {n: m for n, m in libs.items() if m is not None}
        print(f"\nplot: timing add, mul, sum, matmul over sizes for {', '.join(plot_libs)} ...", flush=True)
        import plot
        plot_data = plot.sweep(plot_libs, args.quick)
        title = (f"tapegrad {versions['tapegrad']} vs " + ", ".join(f"{n} {versions[n]}" for n in plot_libs
                                                                      if n != "tapegrad")
                 + f"; threads {threads_arg if threads_arg else 'default'}")
        plot.draw(plot_data, args.plot, title)
        print(f"wrote {args.plot}")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": platform.python_version(), "machine": platform.machine(),
                       "cpus": os.cpu_count(), "versions": versions, "threads": threads,
                       "threads_arg": threads_arg, "repeats": repeats, "quick": args.quick,
                       "results": rows, "plot": plot_data, "failures": failures}, f, indent=2,
                      default=float)
        print(f"wrote {args.json}")

    if failures:
        msg = "\n".join(["", "*" * 70, "BENCHMARK CORRECTNESS FAILURES:", *failures, "*" * 70])
        print(msg)
        print(msg, file=sys.stderr)
        return 1
    return 0


def run_check(harness, w, libs):
    """tapegrad's outputs vs every reference available: torch, numpy (forward-only), closed form."""
    np = libs["numpy"]
    data = w.inputs(np.random.default_rng(0), True)
    got = w.outputs(libs["tapegrad"], data)
    refs = []
    if libs["torch"] is not None:
        refs.append(("torch", w.outputs(libs["torch"], data)))
    if w.numpy:
        refs.append(("numpy", w.outputs(np, data)))
    if w.closed_form is not None:
        refs.append(("closed form", w.closed_form(data)))
    if not refs:
        return {"ok": None, "against": "no reference", "details": {}}
    ok, details = True, {}
    for name, ref in refs:
        good, d = harness.compare(got, ref, w.tol)
        ok = ok and good
        details.update({f"{k} vs {name}": v for k, v in d.items()})
    return {"ok": ok, "against": "+".join(n for n, _ in refs), "details": details}


if __name__ == "__main__":
    sys.exit(main())
