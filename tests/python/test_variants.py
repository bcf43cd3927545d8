"""Method, function and in-place variants of an op agree in value and gradient, and operators
match their named functions."""
import numpy as np
import pytest

import tapegrad as tg

# name, extra args (tensors are made from these shapes), operator form (or None)
BINARY = [("add", "+"), ("sub", "-"), ("mul", "*"), ("div", "/"), ("pow", "**")]
UNARY = ["neg", "exp", "relu", "sigmoid", "tanh"]


def inputs(rng):
    a = tg.from_numpy(rng.uniform(0.5, 2.0, (3, 4))).requires_grad_(True)
    b = tg.from_numpy(rng.uniform(0.5, 2.0, (4,))).requires_grad_(True)
    return a, b


def grads_of(fn, rng):
    a, b = inputs(rng)
    out = fn(a, b)
    out.sum().backward()
    return out.detach().numpy(), a.grad.numpy(), (b.grad.numpy() if b.grad is not None else None)


@pytest.mark.parametrize("name,op", BINARY)
def test_binary_variants_agree(name, op):
    forms = {
        "method": lambda a, b: getattr(a, name)(b),
        "function": lambda a, b: getattr(tg, name)(a, b),
        "operator": lambda a, b: eval(f"a {op} b"),
        "in-place": lambda a, b: getattr(a * 1, name + "_")(b),
        "augmented": None,
    }
    if op in "+-*/":
        def augmented(a, b):
            c = a * 1
            c = eval(f"c.__i{ {'+': 'add', '-': 'sub', '*': 'mul', '/': 'truediv'}[op] }__(b)")
            return c
        forms["augmented"] = augmented
    results = {k: grads_of(f, np.random.default_rng(0)) for k, f in forms.items() if f}
    ref = results.pop("method")
    for k, (out, ga, gb) in results.items():
        np.testing.assert_allclose(out, ref[0], rtol=1e-12, err_msg=k)
        np.testing.assert_allclose(ga, ref[1], rtol=1e-12, err_msg=k)
        np.testing.assert_allclose(gb, ref[2], rtol=1e-12, err_msg=k)


@pytest.mark.parametrize("name", UNARY)
def test_unary_variants_agree(name):
    forms = {
        "method": lambda a, b: getattr(a, name)() * b,
        "function": lambda a, b: getattr(tg, name)(a) * b,
        "in-place": lambda a, b: getattr(a * 1, name + "_")() * b,
    }
    results = {k: grads_of(f, np.random.default_rng(1)) for k, f in forms.items()}
    ref = results.pop("method")
    for k, (out, ga, gb) in results.items():
        np.testing.assert_allclose(out, ref[0], rtol=1e-12, err_msg=k)
        np.testing.assert_allclose(ga, ref[1], rtol=1e-12, err_msg=k)


def test_clamp_variants_agree():
    forms = {
        "method": lambda a, b: a.clamp(0.8, 1.5) * b,
        "function": lambda a, b: tg.clamp(a, 0.8, 1.5) * b,
        "in-place": lambda a, b: (a * 1).clamp_(0.8, 1.5) * b,
    }
    results = {k: grads_of(f, np.random.default_rng(2)) for k, f in forms.items()}
    ref = results.pop("method")
    for k, (out, ga, _) in results.items():
        np.testing.assert_allclose(out, ref[0], err_msg=k)
        np.testing.assert_allclose(ga, ref[1], err_msg=k)


def test_floor_division_records_a_node_that_refuses_backward():
    x = tg.ones(3, requires_grad=True)
    y = x // 2
    assert y.requires_grad and repr(y.grad_fn).startswith("<NotImplemented object at 0x")
    with pytest.raises(RuntimeError, match="^derivative for aten::floor_divide is not implemented$"):
        y.sum().backward()
    with tg.no_grad():
        assert not (x // 2).requires_grad
