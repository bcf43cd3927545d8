"""The C++ sources are layered, and includes only go down: a file may include files of its own
layer and of the layers below it, never above. This keeps the dependency direction visible in
the folders (issue 15, "Layers without loops") and stops a cycle from coming back unnoticed.

Pure text: no build, no tapegrad import.
"""
import pathlib
import re

import pytest

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
