"""W6: 1024x1024x1024 float32 matmul, forward (W6f) and (A@B).sum() forward + backward (W6g).

Throughput counts 2*n^3 flops for the forward matmul and 6*n^3 for forward + backward (the
backward is two more matmuls of the same size: grad @ B^T and A^T @ grad).
"""
import numpy as np

from harness import Target, Workload, backward_loop, loss_and_grads, tensor, to_numpy

N = 1024


def inputs(rng, check):
    return {"A": rng.uniform(0, 1, (N, N)).astype(np.float32),
            "B": rng.uniform(0, 1, (N, N)).astype(np.float32)}


def prepare_fwd(lib, d):
    return {"A": tensor(lib, d["A"]), "B": tensor(lib, d["B"])}


def prepare_grad(lib, d):
    return {"A": tensor(lib, d["A"], requires_grad=True), "B": tensor(lib, d["B"], requires_grad=True)}


def w6f(lib, s):
    A, B = s["A"], s["B"]

    def run(n):
        for _ in range(n):
            C = A @ B
        return C
    return run


def w6f_result(lib, s, run):
    return {"A@B": to_numpy(run(1))}


def w6g(lib, s):
    return backward_loop(lambda A, B: (A @ B).sum(), s["A"], s["B"])


def w6g_result(lib, s, run):
    return loss_and_grads(s, run, "A", "B")


def w6g_closed_form(d):
    A, B = d["A"].astype(np.float64), d["B"].astype(np.float64)
    # d sum(A@B) / dA[i,k] = sum_j B[k,j];  / dB[k,j] = sum_i A[i,k]
    return {"loss": A.sum(axis=0) @ B.sum(axis=1),
            "A.grad": np.broadcast_to(B.sum(axis=1), (N, N)),
            "B.grad": np.broadcast_to(A.sum(axis=0)[:, None], (N, N))}


TARGET = Target(">= 175 GFLOP/s", ">=", 175, torch_ref=194)
WORKLOADS = [
    Workload("W6f", "W6", "matmul 1024^3 forward", "GFLOP/s", inputs, prepare_fwd, w6f, w6f_result,
             numpy=True, work=2 * N**3, target=TARGET, tol={"*": (1e-4, 1e-3)}),
    Workload("W6g", "W6", "(A@B).sum() fwd+bwd, 1024^3", "GFLOP/s", inputs, prepare_grad, w6g, w6g_result,
             work=6 * N**3, target=TARGET, tol={"*": (1e-4, 1e-3)}, closed_form=w6g_closed_form),
]
