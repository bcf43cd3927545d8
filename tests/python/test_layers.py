"""The C++ sources are layered, and includes only go down: a file may include files of its own
layer and of the layers below it, never above. This keeps the dependency direction visible in
the folders (issue 15, "Layers without loops") and stops a cycle from coming back unnoticed.

The include checks are pure text (no build). The second part checks what cutting the last loop
changed hands: a view whose base was modified in place gets its history remade by an explicit
step where its history is read (ops/view_history.h), no longer inside Tensor's getters; each
case runs on PyTorch too when it is installed.
"""
import pathlib
import re

import pytest

import tapegrad as tg

# Lowest first. Each folder of csrc/ is one layer:
#   core      buffers, storage, tensors (with their autograd data, not autograd), dtypes, scalar,
#             errors, grad mode, parallel
#   kernels   loops and math over raw tensors, no autograd
#   graph     what a tensor points to: Node, edges, hooks, AccumulateGrad, anomaly bits
#   ops       op structs, apply_op, SavedTensor, registry, in-place and view history
#   engine    runs backward; uses ops for sums and casts, adds into .grad
#   bindings  pybind11, the top
LAYERS = ["core", "kernels", "graph", "ops", "engine", "bindings"]

CSRC = pathlib.Path(__file__).resolve().parents[2] / "csrc"
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def layer_of(path):
    """The layer of a path relative to csrc/ ("ops/op.h" -> "ops"), or None outside the layers."""
    top = path.split("/", 1)[0]
    return top if top in LAYERS else None


def violations(includes):
    """(file, included) pairs, paths relative to csrc/, where `file` reaches up a layer or out of
    the layers; returns one message per offending pair."""
    found = []
    for source, target in includes:
        src_layer, dst_layer = layer_of(source), layer_of(target)
        if src_layer is None:
            found.append(f"{source}: not in a layer folder ({', '.join(LAYERS)})")
        elif dst_layer is None:
            found.append(f"{source} includes {target}, which is not in a layer folder")
        elif LAYERS.index(dst_layer) > LAYERS.index(src_layer):
            found.append(f"{source} ({src_layer}) includes {target} ({dst_layer}), a higher layer")
    return found


def project_includes():
    pairs = []
    for path in sorted(CSRC.rglob("*")):
        if path.suffix not in (".h", ".cpp") or not path.is_file():
            continue
        source = path.relative_to(CSRC).as_posix()
        for target in INCLUDE.findall(path.read_text()):
            pairs.append((source, target))
    return pairs


def test_no_layer_includes_a_higher_one():
    pairs = project_includes()
    assert len(pairs) > 100, "the include parser found almost nothing: is csrc/ where it used to be?"
    assert violations(pairs) == []


def test_every_csrc_folder_is_a_layer():
    # (Folders with no file in them, like one left behind by a checkout, do not count.)
    folders = {p.name for p in CSRC.iterdir() if p.is_dir() and any(f.is_file() for f in p.rglob("*"))}
    assert folders == set(LAYERS)


def test_every_include_names_an_existing_file():
    # A quoted include that is not relative to csrc/ would escape the check above.
    missing = [f"{s} includes {t}" for s, t in project_includes() if not (CSRC / t).is_file()]
    assert missing == []


@pytest.mark.parametrize("source,target,ok", [
    ("core/tensor.cpp", "core/error.h", True),           # same layer
    ("ops/op.h", "graph/node.h", True),                  # downwards
    ("bindings/module.h", "core/tensor.h", True),
    ("engine/engine.cpp", "ops/ops.h", True),
    ("core/tensor.cpp", "graph/node.h", False),          # the loops this test was written against
    ("graph/hooks.cpp", "ops/ops.h", False),
    ("graph/accumulate_grad.cpp", "engine/engine.h", False),
    ("kernels/loop.h", "bindings/convert.h", False),
    ("ops/op.h", "autograd/node.h", False),              # outside the layers
    ("misc/x.cpp", "core/tensor.h", False),
])
def test_the_checker_catches_an_upward_include(source, target, ok):
    assert (violations([(source, target)]) == []) == ok


# ---- views whose base was modified in place (Note [Views of a base modified in place]) --------

try:  # each case runs on PyTorch too when it is installed
    import torch
    LIBS = [tg, torch]
except ImportError:
    LIBS = [tg]


def _stale_view(lib, size=3, op="add_"):
    """A view taken before its base gained history through an in-place op."""
    base = lib.zeros(size)
    v = base[0:2]
    w = lib.ones(size, requires_grad=True)
    getattr(base, op)(w)
    return base, v, w


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_a_stale_view_reports_its_new_history(lib):
    _, v, _ = _stale_view(lib)
    assert (v.requires_grad, v.is_leaf) == (True, False)
    assert v.grad_fn.name() == "AsStridedBackward0"


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_gradients_flow_through_a_stale_view(lib):
    _, v, w = _stale_view(lib)
    (v * 3).sum().backward()                           # as an op's input
    assert w.grad.tolist() == [3.0, 3.0, 0.0]
    _, v, w = _stale_view(lib)
    v.backward(lib.ones(2))                            # as a backward root
    assert w.grad.tolist() == [1.0, 1.0, 0.0]
    _, v, w = _stale_view(lib, op="mul_")
    (g,) = lib.autograd.grad(v.sum(), [w])             # autograd.grad's root
    assert g.tolist() == [0.0, 0.0, 0.0]
    _, v, w = _stale_view(lib)
    assert lib.stack([v, v]).requires_grad             # a list op's input


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_writing_into_a_stale_view(lib):
    a = lib.ones(3, requires_grad=True)
    b = a * 2
    v = b[1:]
    b.mul_(3)
    v[0] = 5.0                                         # setitem
    b.sum().backward()
    assert a.grad.tolist() == [6.0, 0.0, 6.0]
    a = lib.ones(3, requires_grad=True)
    b = a * 2
    v = b[1:]
    b.mul_(3)
    v.mul_(5.0)                                        # an in-place op
    b.sum().backward()
    assert a.grad.tolist() == [6.0, 30.0, 30.0]


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_a_custom_function_on_a_stale_view(lib):
    x = lib.ones(4, requires_grad=True)
    b = x * 1
    v = b[:2]
    b.add_(1)

    class Twice(lib.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    Twice.apply(v).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 0.0, 0.0]


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_a_saved_stale_view_names_its_new_producer(lib):
    a = lib.ones(3, requires_grad=True)
    b = a * 1
    v = b[0:2]
    y = v * v                                          # saves v
    b.add_(1)
    with pytest.raises(RuntimeError, match=r"\[torch.FloatTensor \[2\]\], which is output 0 of AsStrided, is at "
                                           r"version 1; expected version 0"):
        y.sum().backward()


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_a_split_piece_whose_base_changed_refuses_where_its_history_is_asked_for(lib):
    def piece():
        a = lib.ones(4, requires_grad=True)
        b = a * 1
        _, q = b.split(2)
        b.mul_(2)
        return q

    message = "Output 1 of Split is a view and its base or another view of its base has been modified inplace"
    assert piece().requires_grad                       # a plain read lets it pass
    with pytest.raises(RuntimeError, match=message):
        piece().grad_fn
    with pytest.raises(RuntimeError, match=message):
        piece() * 2
    with pytest.raises(RuntimeError, match=message):
        piece().register_hook(lambda g: g)


# Three readers outside apply_op decide from a tensor's history themselves, so they refresh it
# first too: masked_fill's tensor value (bindings/bind_indexing.cpp), floor_divide, which records
# a node that refuses backward (ops/binary.cpp), and x[key] = v into a view (ops/index.cpp).
@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_masked_fill_with_a_stale_0d_view_as_value(lib):
    base = lib.zeros(3)
    v = base[0]
    w = lib.ones(3, requires_grad=True)
    base.add_(w)
    r = lib.zeros(3).masked_fill(lib.tensor([True, False, True]), v)
    r.sum().backward()
    assert w.grad.tolist() == [2.0, 0.0, 0.0]


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_floor_divide_of_a_stale_view_records_history(lib):
    _, v, _ = _stale_view(lib)
    assert lib.floor_divide(v, 2.0).requires_grad


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_setitem_into_a_stale_view_that_was_a_leaf(lib):
    base = lib.zeros(3)
    v = base[0:2]
    v.requires_grad_()
    base.add_(lib.ones(3, requires_grad=True))
    v[0] = 1.0  # v's history now goes through base's add_: not a leaf any more, so allowed
    assert (v.requires_grad, v.is_leaf) == (True, False)
