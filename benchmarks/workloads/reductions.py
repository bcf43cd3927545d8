"""W7: sum of 2**24 float32 (GB/s read), softmax(x, dim=-1) on (4096, 1024) float32."""
import numpy as np

from harness import Target, Workload, functional, tensor, to_numpy

N = 2**24
ROWS, COLS = 4096, 1024


def sum_inputs(rng, check):
    return {"x": rng.uniform(0, 1, N).astype(np.float32)}  # positive: a relative tolerance means something


def softmax_inputs(rng, check):
    return {"x": (3 * rng.standard_normal((ROWS, COLS))).astype(np.float32)}


def prepare(lib, d):
    return {"x": tensor(lib, d["x"])}


def w7s(lib, s):
    x = s["x"]

    def run(n):
        for _ in range(n):
            r = x.sum()
        return r
    return run


def w7m(lib, s):
    x, F = s["x"], functional(lib)

    def run(n):
        for _ in range(n):
            r = F.softmax(x, dim=-1)
        return r
    return run


def result(name):
    return lambda lib, s, run: {name: to_numpy(run(1))}


WORKLOADS = [
    Workload("W7s", "W7", "x.sum(), 2**24 f32", "GB/s", sum_inputs, prepare, w7s, result("sum"),
             numpy=True, work=4 * N, target=Target(">= 0.9x torch", ">=", 0.9, torch_ref=60, relative=True),
             tol={"*": (1e-5, 0.0)}),
    Workload("W7m", "W7", "softmax(x, -1), (4096, 1024) f32", "ms", softmax_inputs, prepare, w7m,
             result("softmax"), numpy=True, target=Target("<= 1.2 ms", "<=", 1.2, torch_ref=1.21),
             tol={"*": (1e-5, 1e-8)}),
]
