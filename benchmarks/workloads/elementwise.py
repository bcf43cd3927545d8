"""W5, W5f: large elementwise work, a*b + a on 2**24 float32 (with and without autograd)."""
import numpy as np

from harness import Target, Workload, backward_loop, loss_and_grads, no_grad, tensor, to_numpy

N = 2**24


def inputs(rng, check):
    # positive values, so that the checked sum has a meaningful relative tolerance
    return {"a": rng.uniform(0.5, 1.5, N).astype(np.float32),
            "b": rng.uniform(0.5, 1.5, N).astype(np.float32)}


def prepare(lib, d):
    grad = lib is not np
    return {"a": tensor(lib, d["a"], requires_grad=grad), "b": tensor(lib, d["b"], requires_grad=grad)}


def w5(lib, s):
    return backward_loop(lambda a, b: (a * b + a).sum(), s["a"], s["b"])


def w5_result(lib, s, run):
    return loss_and_grads(s, run, "a", "b")


def w5_closed_form(d):
    a, b = d["a"].astype(np.float64), d["b"].astype(np.float64)
    return {"loss": (a * b + a).sum(), "a.grad": (b + 1).astype(np.float32), "b.grad": d["a"]}


def w5f(lib, s):
    a, b = s["a"], s["b"]

    def run(n):
        with no_grad(lib):
            for _ in range(n):
                c = a * b + a
        return c
    return run


def w5f_result(lib, s, run):
    return {"a*b+a": to_numpy(run(1))}


WORKLOADS = [
    Workload("W5", "W5", "(a*b + a).sum().backward(), 2**24", "ms", inputs, prepare, w5, w5_result,
             target=Target("<= 22 ms", "<=", 22, torch_ref=110), closed_form=w5_closed_form,
             tol={"loss": (1e-4, 0.0), "*": (1e-6, 0.0)}),
    Workload("W5f", "W5f", "a*b + a under no_grad, 2**24", "ms", inputs, prepare, w5f, w5f_result,
             numpy=True, target=Target("<= 10 ms", "<=", 10, torch_ref=45), tol={"*": (1e-6, 0.0)}),
]
