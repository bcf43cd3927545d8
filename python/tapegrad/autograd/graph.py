"""Looking at a backward graph: walk it, draw it, count what it keeps alive.

    for node in graph.walk(loss):          # newest first: the order backward runs them
        print(node.name, node.input_shapes, node.saved)
    print(graph.to_dot(loss))              # Graphviz text
    graph.render(loss, "graph.svg")        # needs Graphviz's `dot`
    graph.live_nodes(), graph.saved_bytes()

Nodes are yielded in tape order (highest sequence number first, leaves' AccumulateGrad nodes
last). Each NodeInfo lists the nodes it sends gradients to (`inputs`), the shapes of the
gradients it receives, and the tensors it saved for backward with their shapes and bytes.
"""
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Tuple, Union

from .. import _C
from .._C import Node, Tensor


@dataclass
class SavedTensorInfo:
    shape: Tuple[int, ...]
    dtype: _C.dtype
    nbytes: int


@dataclass
class NodeInfo:
    node: Node                        # the grad_fn object itself
    name: str
    inputs: List[Tuple[Optional[Node], int]] = field(default_factory=list)  # next_functions
    input_shapes: List[Tuple[int, ...]] = field(default_factory=list)
    saved: List[SavedTensorInfo] = field(default_factory=list)
    variable: Optional[Tensor] = None  # the leaf, for AccumulateGrad nodes


def walk(output: Union[Tensor, Node]) -> Iterator[NodeInfo]:
    """Yields a NodeInfo for every node reachable from `output` (a tensor or a grad_fn)."""
    root = output.grad_fn if isinstance(output, _C.Tensor) else output
    if root is None:
        return
    seen, stack, nodes = {root}, [root], []
    while stack:  # explicit stack: graphs can be very deep
        node = stack.pop()
        nodes.append(node)
        for child, _ in node.next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                stack.append(child)
    # Newest first; AccumulateGrad nodes carry the largest number (they run as soon as they are
    # ready) but are listed last, as the leaves of the tape.
    nodes.sort(key=lambda n: (n.name() != "torch::autograd::AccumulateGrad", n._sequence_nr()), reverse=True)
    for node in nodes:
        info = NodeInfo(node=node, name=node.name(), inputs=list(node.next_functions),
                        input_shapes=[tuple(s) for s in node._input_shapes()],
                        saved=[SavedTensorInfo(tuple(s), d, b) for s, d, b in node._saved_info()])
        if info.name == "torch::autograd::AccumulateGrad":
            info.variable = node.variable
        yield info


def _label_shape(shape: Tuple[int, ...]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ")"


def to_dot(output: Union[Tensor, Node]) -> str:
    """Graphviz text of the backward graph: leaves (blue), nodes, their saved tensors (orange)."""
    lines = ["digraph backward {", '  node [shape=box, fontname="Helvetica", fontsize=10];']
    ids: Dict[Node, str] = {}
    for info in walk(output):
        ids[info.node] = f"n{len(ids)}"
    for info in walk(output):
        nid = ids[info.node]
        if info.variable is not None:
            label = f"leaf {_label_shape(info.variable.shape)}\\n{info.variable.dtype}"
            lines.append(f'  {nid} [label="{label}", style=filled, fillcolor="lightblue"];')
        else:
            shapes = ", ".join(_label_shape(s) for s in info.input_shapes)
            lines.append(f'  {nid} [label="{info.name}\\ngrad {shapes}"];')
        for k, s in enumerate(info.saved):
            sid = f"{nid}_s{k}"
            lines.append(f'  {sid} [label="saved {_label_shape(s.shape)}\\n{s.nbytes} bytes", '
                         'style=filled, fillcolor="orange", shape=oval];')
            lines.append(f"  {sid} -> {nid} [style=dashed];")
        for child, _ in info.inputs:
            if child is not None:
                lines.append(f"  {nid} -> {ids[child]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(output: Union[Tensor, Node], path: str, format: Optional[str] = None) -> str:
    """Draws the graph to `path` (svg/png/pdf by its extension) with Graphviz's `dot`."""
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError("render() needs Graphviz's `dot` program, which is not installed. Install it with "
                           "`apt-get install graphviz` (Debian/Ubuntu) or `brew install graphviz` (macOS); "
                           "to_dot() gives the same graph as text without it.")
    fmt = format or path.rsplit(".", 1)[-1]
    subprocess.run([dot, f"-T{fmt}", "-o", path], input=to_dot(output).encode(), check=True)
    return path


def live_nodes() -> int:
    """How many graph nodes exist in this process right now."""
    return _C._live_nodes()


def saved_bytes() -> int:
    """Bytes of tensor data that live nodes hold as saved tensors."""
    return _C._saved_bytes()
