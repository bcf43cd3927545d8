"""W1, W1g, W2, W3: per-op overhead on tiny tensors (dispatch, allocation, graph recording)."""
import numpy as np

from harness import Target, Workload, fresh_leaf_loop, output_and_x_grad, tensor, to_numpy


# ---- W1 / W1g: a + b on 2x2 float32 -------------------------------------------------------------
def w1_inputs(rng, check):
    return {"a": rng.standard_normal((2, 2)).astype(np.float32),
            "b": rng.standard_normal((2, 2)).astype(np.float32)}


def w1_prepare(grad):
    def prepare(lib, d):
        return {"a": tensor(lib, d["a"], requires_grad=grad), "b": tensor(lib, d["b"])}
    return prepare


def w1(lib, s):
    a, b = s["a"], s["b"]

    def run(n):
        for _ in range(n):
            c = a + b
        return c
    return run


def w1_result(lib, s, run):
    return {"a+b": to_numpy(run(1))}


# ---- W2: the autograd tour's first step ---------------------------------------------------------
# The timed step makes its own x as the tour does (ones); the check feeds random x instead, so
# that the gradient it compares is not a constant. Both go through the same new_x() call.
def w2_inputs(rng, check):
    return {"x": rng.standard_normal((2, 2)).astype(np.float32)} if check else {}


def w2_prepare(lib, d):
    if "x" in d:
        x = d["x"]
        return {"new_x": lambda: tensor(lib, x, requires_grad=True)}
    return {"new_x": lambda: lib.ones(2, 2, requires_grad=True)}


def w2(lib, s):
    def step(x):
        y = x + 2
        z = y * y * 2
        out = z.mean()
        out.backward()
        return out
    return fresh_leaf_loop(s["new_x"], step)


def w2_result(lib, s, run):
    return output_and_x_grad(run, "out")


def w2_closed_form(d):
    y = d["x"].astype(np.float64) + 2
    return {"out": np.float32((2 * y * y).mean()), "x.grad": y}  # d mean(2y^2)/dx = y


# ---- W3: the tour's while loop, fixed at 10 doublings, then y.backward(v) -----------------------
V = np.array([0.1, 1.0, 0.0001], dtype=np.float32)


def w3_inputs(rng, check):
    return {"x": rng.standard_normal(3).astype(np.float32), "v": V} if check else {"v": V}


def w3_prepare(lib, d):
    s = {"v": tensor(lib, d["v"])}
    if "x" in d:
        x = d["x"]
        s["new_x"] = lambda: tensor(lib, x, requires_grad=True)
    else:
        s["new_x"] = lambda: lib.randn(3, requires_grad=True)
    return s


def w3(lib, s):
    v = s["v"]

    def step(x):
        y = x * 2
        for _ in range(10):
            y = y * 2
        y.backward(v)
        return y
    return fresh_leaf_loop(s["new_x"], step)


def w3_result(lib, s, run):
    return output_and_x_grad(run, "y")


def w3_closed_form(d):
    return {"y": d["x"] * 2.0**11, "x.grad": d["v"] * 2.0**11}


WORKLOADS = [
    Workload("W1", "W1", "a + b, 2x2 f32, no grad", "ns", w1_inputs, w1_prepare(False), w1, w1_result,
             numpy=True, target=Target("<= 0.35 us", "<=", 350, torch_ref=1200)),
    Workload("W1g", "W1g", "a + b, 2x2 f32, a.requires_grad", "ns", w1_inputs, w1_prepare(True), w1,
             w1_result, target=Target("<= 0.50 us", "<=", 500, torch_ref=1440),
             closed_form=lambda d: {"a+b": d["a"] + d["b"]}),
    Workload("W2", "W2", "tour step + mean().backward()", "us", w2_inputs, w2_prepare, w2, w2_result,
             target=Target("<= 12 us", "<=", 12, torch_ref=60), closed_form=w2_closed_form,
             tol={"*": (1e-5, 0.0)}),
    Workload("W3", "W3", "tour loop, 10 doublings, backward(v)", "us", w3_inputs, w3_prepare, w3,
             w3_result, target=Target("<= 40 us", "<=", 40, torch_ref=187), closed_form=w3_closed_form),
]
