"""W8: a tanh RNN cell unrolled 50 steps (h=64, x=32, batch 1), then h.sum().backward().

The 50 inputs x_t are separate (1, 32) tensors made before timing, as a data loader hands them.
"""
import numpy as np

from harness import Target, Workload, backward_loop, loss_and_grads, tensor

STEPS, HIDDEN, INPUT = 50, 64, 32


def inputs(rng, check):
    return {"xs": rng.standard_normal((STEPS, 1, INPUT)).astype(np.float32),
            "Wx": (rng.uniform(-1, 1, (INPUT, HIDDEN)) / np.sqrt(INPUT)).astype(np.float32),
            "Wh": (rng.uniform(-1, 1, (HIDDEN, HIDDEN)) / np.sqrt(HIDDEN)).astype(np.float32),
            "b": rng.uniform(-0.1, 0.1, HIDDEN).astype(np.float32)}


def prepare(lib, d):
    return {"xs": [tensor(lib, x) for x in d["xs"]], "h0": lib.zeros(1, HIDDEN),
            **{k: tensor(lib, d[k], requires_grad=True) for k in ("Wx", "Wh", "b")}}


def w8(lib, s):
    xs, h0 = s["xs"], s["h0"]

    def loss(Wx, Wh, b):
        h = h0
        for x_t in xs:
            h = lib.tanh(x_t @ Wx + h @ Wh + b)
        return h.sum()
    return backward_loop(loss, s["Wx"], s["Wh"], s["b"])


def result(lib, s, run):
    return loss_and_grads(s, run, "Wx", "Wh", "b")


def closed_form(d):
    """The same forward and its hand-written backward in float64 numpy (the torch-free reference)."""
    xs, Wx, Wh, b = (d[k].astype(np.float64) for k in ("xs", "Wx", "Wh", "b"))
    hs = [np.zeros((1, HIDDEN))]
    for x_t in xs:
        hs.append(np.tanh(x_t @ Wx + hs[-1] @ Wh + b))
    g = {"Wx.grad": np.zeros_like(Wx), "Wh.grad": np.zeros_like(Wh), "b.grad": np.zeros_like(b)}
    dh = np.ones((1, HIDDEN))
    for t in range(STEPS - 1, -1, -1):
        da = dh * (1 - hs[t + 1] ** 2)
        g["Wx.grad"] += xs[t].T @ da
        g["Wh.grad"] += hs[t].T @ da
        g["b.grad"] += da[0]
        dh = da @ Wh.T
    return {"loss": hs[-1].sum(), **g}


WORKLOADS = [
    Workload("W8", "W8", "RNN cell x50, h=64, x=32, b=1 +bwd", "ms", inputs, prepare, w8, result,
             target=Target("<= 0.33 ms", "<=", 0.33, torch_ref=1.66), tol={"*": (1e-4, 1e-6)},
             closed_form=closed_form),
]
