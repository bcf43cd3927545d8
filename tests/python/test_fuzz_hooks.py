"""Fuzzing (hypothesis) of what hooks hand back to the engine (issue 14).

test_hook_results: a random op of the op table (op_db.OPS, op_db_nn's entries included) on fresh
leaves, one or two random hooks (a tensor hook on the output or on a leaf, a pre-hook or a
post-hook on the output's node or on a leaf's AccumulateGrad) that return a random value: None,
the gradient(s) scaled, a tuple of Nones, a wrong size, a wrong dtype, too many or too few values,
a list instead of a tuple, a number, a string, or the right size laid out with stride 0 or a step. Every case must either work or raise a clean
RuntimeError / TypeError (no crash, no pybind11 text), and leave the leaves' values unchanged.
With PyTorch installed, tensor hooks and pre-hooks must give PyTorch's outcome: the same
exception type, or the same gradients.

Profiles as in test_fuzz.py (TAPEGRAD_FUZZ_PROFILE: "ci" default, "sanitized", "long").
"""
import os

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import tapegrad as tg  # noqa: E402
from op_db import OPS  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

PROFILE = os.environ.get("TAPEGRAD_FUZZ_PROFILE", os.environ.get("HYPOTHESIS_PROFILE", "ci"))
EXAMPLES = {"ci": 1200, "sanitized": 200, "long": 5000}.get(PROFILE, 1200)
if os.environ.get("TAPEGRAD_FUZZ_EXAMPLES"):
    EXAMPLES = int(os.environ["TAPEGRAD_FUZZ_EXAMPLES"])
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=PROFILE != "long", database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

def _each(g, f):
    return f(g) if not isinstance(g, tuple) else tuple(None if t is None else f(t) for t in g)


WHERE = ["tensor_out", "tensor_leaf", "pre_out", "post_out", "pre_acc"]
# What a hook returns, given the library L and the gradient(s) g it received (a tensor for a
# tensor hook, a tuple for node hooks).
VALUES = {
    "none": lambda L, g: None,
    "scaled": lambda L, g: g * 2 if not isinstance(g, tuple) else tuple(None if t is None else t * 2 for t in g),
    "all none": lambda L, g: None if not isinstance(g, tuple) else (None,) * len(g),
    "wrong size": lambda L, g: L.ones(7) if not isinstance(g, tuple) else (L.ones(7),) + g[1:],
    "wrong dtype": lambda L, g: (g.double() if g.dtype == L.float32 else g.float()) if not isinstance(g, tuple)
    else tuple(None if t is None else (t.double() if t.dtype == L.float32 else t.float()) for t in g),
    "int dtype": lambda L, g: g.long() if not isinstance(g, tuple) else tuple(None if t is None else t.long()
                                                                             for t in g),
    # The right size and dtype, laid out as no kernel produces it: stride 0, or every other element.
    "expanded": lambda L, g: _each(g, lambda t: (t.sum() * 0 + 1.5).expand(t.shape)),
    "strided": lambda L, g: _each(g, lambda t: L.stack([t * 3, t], -1)[..., 0]),
    "too many": lambda L, g: (g, g) if not isinstance(g, tuple) else g + (None,),
    "too few": lambda L, g: () if isinstance(g, tuple) else (),
    "list": lambda L, g: list(g) if isinstance(g, tuple) else [g],
    "number": lambda L, g: 5,
    "numbers": lambda L, g: (5,) * len(g) if isinstance(g, tuple) else 5.0,
    "string": lambda L, g: "ab",
}


def hook_value(L, make, g):
    # PyTorch still runs the nodes below a dropped gradient and calls their hooks with None;
    # tapegrad does not run them (Note [Hook results]). A hook that leaves None alone behaves
    # the same in both.
    if g is None or (isinstance(g, tuple) and all(t is None for t in g)):
        return None
    return make(L, g)


def build(L, entry, sample, hooks, seed):
    rng = np.random.default_rng(seed)
    leaves = [L.tensor(rng.uniform(entry.low, entry.high, size=s), dtype=L.float64).requires_grad_()
              for s in sample.shapes]
    before = [x.detach().clone() for x in leaves]
    out = entry.fn(L, *leaves)
    if not isinstance(out, L.Tensor) or out.grad_fn is None:
        return None
    for where, value in hooks:
        make = VALUES[value]
        if where == "tensor_out":
            out.register_hook(lambda g, make=make: hook_value(L, make, g))
        elif where == "tensor_leaf":
            leaves[0].register_hook(lambda g, make=make: hook_value(L, make, g))
        elif where == "pre_out":
            out.grad_fn.register_prehook(lambda g, make=make: hook_value(L, make, g))
        elif where == "post_out":
            out.grad_fn.register_hook(lambda gi, go, make=make: hook_value(L, make, gi))
        else:
            acc = leaves[0].grad_fn if leaves[0].grad_fn is not None else (leaves[0] * 1).grad_fn.next_functions[0][0]
            acc.register_prehook(lambda g, make=make: hook_value(L, make, g))
    return out, leaves, before


def run(L, entry, sample, hooks, seed):
    built = build(L, entry, sample, hooks, seed)
    if built is None:
        return None
    out, leaves, before = built
    try:
        out.sum().backward()
        result = ("ok", [None if x.grad is None else x.grad.detach().numpy().copy() for x in leaves])
    except (RuntimeError, TypeError) as e:
        msg = str(e)
        assert "Unable to cast" not in msg and "incompatible function" not in msg, msg
        result = (type(e).__name__, msg)
    for x, b in zip(leaves, before):
        assert np.array_equal(x.detach().numpy(), b.numpy()), "a leaf's value changed"
    return result


@SETTINGS
@given(entry=st.sampled_from(OPS), data=st.data())
def test_hook_results(entry, data):
    sample = data.draw(st.sampled_from(list(entry.samples)), label="sample")
    n = data.draw(st.integers(1, 2), label="hooks")
    hooks = [(data.draw(st.sampled_from(WHERE)), data.draw(st.sampled_from(sorted(VALUES)))) for _ in range(n)]
    seed = data.draw(st.integers(0, 2**16), label="seed")
    got = run(tg, entry, sample, hooks, seed)
    if got is None or torch is None or any(w in ("post_out", "pre_acc") for w, _ in hooks):
        return  # post-hooks see each library's own edges; only a clean outcome is required there
    expected = run(torch, entry, sample, hooks, seed)
    if expected is None:
        return
    assert got[0] == expected[0], (got, expected)
    if got[0] == "ok":
        for g, e in zip(got[1], expected[1]):
            assert (g is None) == (e is None)
            if g is not None:
                np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-8)
