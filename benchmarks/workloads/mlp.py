"""W4s, W4b: one MLP training step (Linear + relu, cross_entropy, backward, SGD update).

Both libraries start from the same weights (made in numpy, copied in) and see the same batch, so
the check can compare the losses of three consecutive steps, the last step's gradients and the
updated weights.
"""
import numpy as np

from harness import Target, Workload, functional, tensor, to_numpy

LR = 0.1
CHECK_STEPS = 3


def mlp_inputs(sizes, batch):
    def inputs(rng, check):
        d = {"x": rng.standard_normal((batch, sizes[0])).astype(np.float32),
             "y": rng.integers(0, sizes[-1], size=batch).astype(np.int64)}
        for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
            bound = 1 / np.sqrt(fan_in)  # nn.Linear's default init range
            d[f"w{i}"] = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
            d[f"b{i}"] = rng.uniform(-bound, bound, fan_out).astype(np.float32)
        return d
    return inputs


def mlp_prepare(sizes):
    def prepare(lib, d):
        nn = lib.nn
        layers = []
        for fan_in, fan_out in zip(sizes, sizes[1:]):
            layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
        model = nn.Sequential(*layers[:-1])  # no relu after the last layer
        linears = [m for m in model if isinstance(m, nn.Linear)]
        with lib.no_grad():
            for i, m in enumerate(linears):
                m.weight.copy_(tensor(lib, d[f"w{i}"]))
                m.bias.copy_(tensor(lib, d[f"b{i}"]))
        return {"model": model, "linears": linears, "opt": lib.optim.SGD(model.parameters(), lr=LR),
                "x": tensor(lib, d["x"]), "y": tensor(lib, d["y"])}
    return prepare


def mlp_step(lib, s):
    F = functional(lib)
    model, opt, x, y = s["model"], s["opt"], s["x"], s["y"]

    def run(n):
        for _ in range(n):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        return loss
    return run


def mlp_result(lib, s, run):
    out = {f"loss{k}": to_numpy(run(1)) for k in range(CHECK_STEPS)}
    for i, m in enumerate(s["linears"]):
        out[f"w{i}.grad"] = to_numpy(m.weight.grad)
        out[f"b{i}.grad"] = to_numpy(m.bias.grad)
        out[f"w{i}"] = to_numpy(m.weight)
        out[f"b{i}"] = to_numpy(m.bias)
    return out


def mlp_closed_form(sizes):
    def reference(d):
        """The same steps with a hand-written backward in float64 numpy (the torch-free reference)."""
        L = len(sizes) - 1
        W = [d[f"w{i}"].astype(np.float64) for i in range(L)]
        b = [d[f"b{i}"].astype(np.float64) for i in range(L)]
        x, y = d["x"].astype(np.float64), d["y"]
        out = {}
        for k in range(CHECK_STEPS):
            hs = [x]
            for i in range(L):
                z = hs[-1] @ W[i].T + b[i]
                hs.append(np.maximum(z, 0) if i < L - 1 else z)
            logits = hs[-1]
            m = logits.max(axis=1, keepdims=True)
            logp = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
            out[f"loss{k}"] = -logp[np.arange(len(y)), y].mean()
            g = np.exp(logp)
            g[np.arange(len(y)), y] -= 1
            g /= len(y)
            gW, gb = [None] * L, [None] * L
            for i in range(L - 1, -1, -1):
                gW[i], gb[i] = g.T @ hs[i], g.sum(axis=0)
                g = (g @ W[i]) * (hs[i] > 0)
            for i in range(L):
                W[i] -= LR * gW[i]
                b[i] -= LR * gb[i]
        for i in range(L):
            out.update({f"w{i}.grad": gW[i], f"b{i}.grad": gb[i], f"w{i}": W[i], f"b{i}": b[i]})
        return out
    return reference


def mlp(id, title, sizes, batch, target):
    return Workload(id, id, title, "us" if id == "W4s" else "ms", mlp_inputs(sizes, batch),
                    mlp_prepare(sizes), mlp_step, mlp_result, target=target,
                    tol={"*": (1e-4, 1e-6)}, closed_form=mlp_closed_form(sizes))


WORKLOADS = [
    mlp("W4s", "MLP step, b64, 64-128-128-10", (64, 128, 128, 10), 64,
        Target("<= 150 us", "<=", 150, torch_ref={2: 500, 1: 330})),
    mlp("W4b", "MLP step, b256, 784-512-512-10", (784, 512, 512, 10), 256,
        Target("<= 6.5 ms", "<=", 6.5, torch_ref=7.2)),
]
