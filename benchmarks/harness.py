"""What every workload shares: the Workload record, library helpers, timing and the checks.

A workload is written once, against a library module `lib` (tapegrad, torch, or numpy for the
forward-only ones), as `make(lib, state) -> run(n)`: run(n) does n steps and returns the last
step's output, so the same code is timed and checked. Inputs are numpy arrays made once from a
seeded generator and copied into each library, so every library sees the same numbers.
"""
import contextlib
import gc
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np


# ---- library helpers: the few places where numpy is spelled differently -----------------------
def tensor(lib, arr, requires_grad=False):
    """A copy of numpy `arr` as a `lib` tensor (never shares memory with another library)."""
    if lib is np:
        return np.array(arr, copy=True)
    t = lib.from_numpy(np.array(arr, copy=True))
    return t.requires_grad_() if requires_grad else t


def to_numpy(x):
    if isinstance(x, np.ndarray):
        return x.copy()
    if isinstance(x, (float, int, np.generic)):
        return np.asarray(x)
    return x.detach().numpy().copy()


def no_grad(lib):
    return contextlib.nullcontext() if lib is np else lib.no_grad()


class _NumpyFunctional:
    """numpy spellings of the functional ops a forward-only workload uses (its reference)."""

    @staticmethod
    def softmax(x, dim):
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        return e / e.sum(axis=dim, keepdims=True)


def functional(lib):
    return _NumpyFunctional if lib is np else lib.nn.functional


def clear_grads(*tensors):
    """Sets .grad to None, as zero_grad() does by default, so each step starts from scratch."""
    for t in tensors:
        t.grad = None


def backward_loop(loss_fn, *leaves):
    """run(n) for a workload: n steps of loss_fn(*leaves).backward() from cleared grads; returns
    the last loss."""
    def run(n):
        for _ in range(n):
            clear_grads(*leaves)
            loss = loss_fn(*leaves)
            loss.backward()
        return loss
    return run


def loss_and_grads(s, run, *names):
    """The checked result of a backward_loop workload: one step's loss and the leaves' grads."""
    loss = run(1)
    return {"loss": to_numpy(loss), **{f"{name}.grad": to_numpy(s[name].grad) for name in names}}


def output_and_x_grad(run, name):
    """The checked result of a fresh_leaf_loop workload: one step's output and its leaf's grad."""
    x, out = run(1)
    return {name: to_numpy(out), "x.grad": to_numpy(x.grad)}


def fresh_leaf_loop(new_x, step):
    """run(n) for a workload: n steps of step(x) on a new leaf x (step runs backward and returns
    its output); returns the last (x, output)."""
    def run(n):
        for _ in range(n):
            x = new_x()
            out = step(x)
        return x, out
    return run


# ---- targets ------------------------------------------------------------------------------------
@dataclass
class Target:
    """A target from issue 6's table, in the workload's unit.

    `value` is an absolute bound (`op` is "<=" for times, ">=" for throughputs), or a factor of
    the torch median measured in the same run when `relative`. `torch_ref` is PyTorch's figure
    in the issue (a number, or {torch threads: number} where the issue gives one per thread
    count, 2 being the default); scaling the bound by (torch here / torch_ref) gives the same
    target relative to PyTorch, which survives a slower or busier machine.
    """
    text: str
    op: str
    value: float
    torch_ref: object = None
    relative: bool = False

    def ref(self, torch_threads):
        if isinstance(self.torch_ref, dict):
            return self.torch_ref.get(torch_threads, self.torch_ref[2])
        return self.torch_ref

    def bound(self, torch_here, scaled, torch_threads=2):
        if self.relative:
            return None if torch_here is None else self.value * torch_here
        if not scaled:
            return self.value
        ref = self.ref(torch_threads)
        if torch_here is None or ref is None:
            return None
        return self.value * torch_here / ref

    def met(self, tapegrad, torch_here, scaled=False, torch_threads=2):
        b = self.bound(torch_here, scaled, torch_threads)
        if b is None or tapegrad is None:
            return None
        return tapegrad <= b if self.op == "<=" else tapegrad >= b


# ---- the workload record ------------------------------------------------------------------------
@dataclass
class Workload:
    id: str                    # row id, e.g. "W6g"; --only takes it or issue_id
    issue_id: str              # the id in issue 6's table, e.g. "W6"
    title: str
    unit: str                  # ns, us, ms (per step) or GFLOP/s, GB/s (with `work`)
    inputs: Callable           # inputs(rng, check) -> dict of numpy arrays
    prepare: Callable          # prepare(lib, data) -> state (the data as lib tensors)
    make: Callable             # make(lib, state) -> run(n)
    result: Callable           # result(lib, state, run) -> {name: numpy array}, what is checked
    numpy: bool = False        # meaningful on numpy too (forward only)
    work: Optional[float] = None   # flops or bytes per step, for throughput units
    target: Optional[Target] = None
    tol: dict = field(default_factory=lambda: {"*": (1e-6, 0.0)})   # name -> (rtol, atol)
    closed_form: Optional[Callable] = None  # closed_form(data) -> {name: array}, a torch-free reference

    def display(self, ns_per_step):
        """ns per step -> the number shown in `unit`."""
        if ns_per_step is None:
            return None
        if self.unit in ("GFLOP/s", "GB/s"):
            return self.work / ns_per_step  # flops (bytes) per ns == G per s
        return ns_per_step / {"ns": 1, "us": 1e3, "ms": 1e6}[self.unit]

    def selected(self, only):
        return not only or self.id.lower() in only or self.issue_id.lower() in only

    def outputs(self, lib, data):
        state = self.prepare(lib, data)
        return self.result(lib, state, self.make(lib, state))


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
    """runs: {lib name: run(n)}. Returns {lib name: [ns per step of each repeat]}.

    Repeats are interleaved across libraries, so that drift (frequency scaling, other load) hits
    every column alike; the collector is off while timing, as in timeit.
    """
    ns = {name: calibrate(run, target_ns) for name, run in runs.items()}
    samples = {name: [] for name in runs}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            for name, run in runs.items():
                t0 = time.perf_counter_ns()
                run(ns[name])
                samples[name].append((time.perf_counter_ns() - t0) / ns[name])
    finally:
        if gc_was_enabled:
            gc.enable()
    return samples


def median(samples):
    return {name: statistics.median(s) for name, s in samples.items()}


# ---- correctness -------------------------------------------------------------------------------
def compare(got, ref, tol):
    """got, ref: {name: array}. Returns (ok, {name: description of the worst difference})."""
    ok, details = True, {}
    for name in ref:
        rtol, atol = tol.get(name, tol.get("*", (1e-6, 0.0)))
        g, r = np.asarray(got.get(name)), np.asarray(ref[name])
        if name not in got or g.shape != r.shape:
            ok = False
            details[name] = f"BAD: shape {g.shape if name in got else 'missing'} vs {r.shape}"
            continue
        good = np.allclose(g, r, rtol=rtol, atol=atol)
        err = np.abs(g.astype(np.float64) - r.astype(np.float64))
        scale = atol + rtol * np.abs(r.astype(np.float64))
        ratio = np.where(scale > 0, err / np.where(scale > 0, scale, 1), np.where(err > 0, np.inf, 0))
        worst = float(ratio.max()) if err.size else 0.0
        max_err = float(err.max()) if err.size else 0.0
        details[name] = (f"{'ok' if good else 'BAD'}: max abs diff {max_err:.3g}"
                         f" ({worst:.2g} x tolerance rtol={rtol:g} atol={atol:g})")
        ok = ok and bool(good)
    return ok, details
