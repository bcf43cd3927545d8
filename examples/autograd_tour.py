"""PyTorch's classic autograd tour, narrated, running on tapegrad.

The statements of the original tour are kept as they were (only the import line changed);
everything else here prints what each step shows. Swap the two import lines for
`import torch` / `from torch.autograd import Variable` and it runs the same on PyTorch.

    python examples/autograd_tour.py
"""
import math

import tapegrad as torch
from tapegrad.autograd import Variable


def section(title):
    print()
    print(f"== {title} " + "=" * max(0, 66 - len(title)))


def grad_list(t: torch.Tensor) -> object:
    """t.grad as a list (t.grad is None until a backward pass reaches t)."""
    return None if t.grad is None else t.grad.tolist()


def walk(node, depth=1, seen=None):
    """Prints the backward graph from `node` down to the leaves, one line per edge."""
    seen = set() if seen is None else seen
    pad = "    " * depth
    for fn, _ in node.next_functions:
        if fn is None:
            print(f"{pad}None  (a constant: no gradient flows there)")
        elif fn.name().endswith("AccumulateGrad"):
            print(f"{pad}{fn.name()}  (stores the gradient into the leaf's .grad)")
        elif id(fn) in seen:
            print(f"{pad}{fn.name()}  (the same node again: its output was used twice)")
        else:
            seen.add(id(fn))
            print(f"{pad}{fn.name()}")
            walk(fn, depth + 1, seen)


# ---------------------------------------------------------------------------------------------
section("1. The graph is built as the code runs")
print("A Variable is just a tensor; requires_grad=True makes it a leaf whose history we track.")
x = Variable(torch.ones(2, 2), requires_grad=True)
print("x =", x)
print("Each op records a backward node right away (no separate 'compile' step):")
y = x + 2
print("y = x + 2 -> y.grad_fn is:")
print(y.grad_fn)        # <AddBackward0 object at 0x...>
print("x was made by the user, not by an op, so x.grad_fn is:")
print(x.grad_fn)        # None
print(f"x.is_leaf = {x.is_leaf}, y.is_leaf = {y.is_leaf}, y.requires_grad = {y.requires_grad}")
z = y * y * 2
out = z.mean()
print("z = y * y * 2, out = z.mean() ->", out)
print("Walking grad_fn.next_functions from `out` back to the leaf x:")
assert out.grad_fn is not None and y.grad_fn is not None  # results of ops on x have one
print(f"    {out.grad_fn.name()}")
walk(out.grad_fn, depth=2)
leaf_node = y.grad_fn.next_functions[0][0]
assert leaf_node is not None
print(f"The AccumulateGrad node's .variable is x itself: {leaf_node.variable is x}")

# ---------------------------------------------------------------------------------------------
section("2. backward() fills the leaves' .grad")
print("out = mean(2 * (x + 2)**2) over 4 elements, so d(out)/dx = (x + 2) = 3 everywhere.")
out.backward()
print("after out.backward(), x.grad =")
print(x.grad)           # tensor([[3., 3.], [3., 3.]])

# ---------------------------------------------------------------------------------------------
section("3. The graph is freed after backward")
print("backward() releases the saved intermediate values, so a second call fails:")
try:
    out.backward()
    print("(no error raised: the graph was NOT freed)")
except RuntimeError as e:
    print("RuntimeError:", str(e).split(". ")[0].rstrip(".") + ".")

# ---------------------------------------------------------------------------------------------
section("4. Gradients accumulate; retain_graph=True keeps the graph")
print("Rebuild the graph (the code runs again, so a new graph is recorded) and keep it alive:")
out = ((x + 2) * (x + 2) * 2).mean()
print("x.grad before:", grad_list(x))
out.backward(retain_graph=True)
print("after backward #1 (retain_graph=True):", grad_list(x), "  <- 3 + 3: grads add up")
out.backward(retain_graph=True)
print("after backward #2 (retain_graph=True):", grad_list(x), "  <- + 3 again")
x.grad = None
print("x.grad = None  ->  x.grad is", x.grad)
out.backward()
print("after backward #3 (graph freed now):  ", grad_list(x), "  <- a fresh gradient")

# ---------------------------------------------------------------------------------------------
section("5. Non-scalar outputs need a gradient vector")
print("Python control flow decides the graph: keep doubling until the norm reaches 100.")
torch.manual_seed(0)  # reproducible run to run (each library has its own random stream)
x = torch.randn(3)
x = Variable(x, requires_grad=True)
y = x * 2
while y.data.norm() < 100:
    y = y * 2
k = round(math.log2((y.data.norm() / x.data.norm()).item()))
print(f"x = {x.tolist()}")
print(f"y = x * 2**{k}: {k} doublings (1 before the loop, {k - 1} inside it), |y| = {y.data.norm().item():.2f}")
print("y is a vector, so backward needs v (it computes the vector-Jacobian product v^T J):")
gradients = torch.FloatTensor([0.1, 1.0, 0.0001])
y.backward(gradients)
print("x.grad =")
print(x.grad)
expected = gradients * 2**k
# Exact comparison is fine: doubling is exact in float32. (.tolist() because tapegrad has no
# torch.equal / Tensor.all yet; on PyTorch, torch.equal(x.grad, expected) says the same.)
print(f"x.grad == gradients * 2**{k}: {grad_list(x) == expected.tolist()}")
