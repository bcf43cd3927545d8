"""--plot: time per op vs tensor size (1 to 2**24 elements) for add, mul, sum and matmul.

Each op is written once against `lib`, as the workloads are; matmul is square, n x n @ n x n,
plotted at n^2 elements per operand. Log-log, one panel per op, one line per library.
"""
import numpy as np

from harness import measure, median, tensor

ELEMENTWISE_SIZES = [4**k for k in range(13)]          # 1 .. 2**24 elements
MATMUL_SIDES = [2**k for k in range(12)]               # n = 1 .. 2048 (n^2 = 2**22 elements)
MATMUL_SIDES_QUICK = [2**k for k in range(0, 10)]      # n = 1 .. 512


def op_runner(op, lib, n):
    """run(k) that does k ops on fresh inputs of n elements (n x n for matmul)."""
    rng = np.random.default_rng(0)
    shape = (n, n) if op == "matmul" else (n,)
    a = tensor(lib, rng.standard_normal(shape).astype(np.float32))
    b = tensor(lib, rng.standard_normal(shape).astype(np.float32))
    if op == "add":
        def run(k):
            for _ in range(k):
                a + b
    elif op == "mul":
        def run(k):
            for _ in range(k):
                a * b
    elif op == "sum":
        def run(k):
            for _ in range(k):
                a.sum()
    else:
        def run(k):
            for _ in range(k):
                a @ b
    return run


def on_one_thread(lib, run):
    """run(k) with lib's intra-op threads set to 1 for its duration."""
    def wrapped(k):
        before = lib.get_num_threads()
        lib.set_num_threads(1)
        try:
            run(k)
        finally:
            lib.set_num_threads(before)
    return wrapped


def sweep(libs, quick, log=print):
    """{op: {lib name: [(elements, seconds per op)]}}, the libraries interleaved at each size.

    When tapegrad runs on several threads, a "tapegrad, 1 thread" line is drawn too: the split
    across threads must never make an op slower than the single-threaded one at any size."""
    repeats, target_ns = (3, 1e6) if quick else (5, 5e6)
    tg = libs.get("tapegrad")
    one_thread = tg is not None and hasattr(tg, "set_num_threads") and tg.get_num_threads() > 1
    out = {}
    for op in ("add", "mul", "sum", "matmul"):
        sizes = (MATMUL_SIDES_QUICK if quick else MATMUL_SIDES) if op == "matmul" else ELEMENTWISE_SIZES
        out[op] = {name: [] for name in libs}
        if one_thread:
            out[op]["tapegrad, 1 thread"] = []
        for n in sizes:
            runs = {name: op_runner(op, lib, n) for name, lib in libs.items()}
            if one_thread:
                runs["tapegrad, 1 thread"] = on_one_thread(tg, op_runner(op, tg, n))
            med = median(measure(runs, repeats, target_ns))
            elements = n * n if op == "matmul" else n
            for name, ns in med.items():
                out[op][name].append((elements, ns * 1e-9))
        log(f"  plot: {op} done ({len(sizes)} sizes)")
    return out


def draw(data, path, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    style = {"tapegrad": dict(color="C0", marker="o"), "torch": dict(color="C3", marker="s"),
             "tapegrad, 1 thread": dict(color="C0", marker="x", linestyle=":"),
             "numpy": dict(color="0.5", marker=".", linestyle="--")}
    fig, axes = plt.subplots(2, 2, figsize=(11, 8.5))
    for ax, (op, by_lib) in zip(axes.flat, data.items()):
        for name, points in by_lib.items():
            xs, ys = zip(*points)
            ax.loglog(xs, ys, label=name, **style.get(name, {}))
        ax.set_title("matmul n x n @ n x n (x: n^2 elements)" if op == "matmul"
                     else f"{op}, float32, no grad")
        ax.set_xlabel("elements per operand")
        ax.set_ylabel("seconds per op (median)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
