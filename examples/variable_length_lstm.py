"""The dynamic-graph point of PyTorch's autograd tour: the graph is built by running the code,
so a plain Python loop unrolls an LSTMCell over each sequence's own length (no padding, no
masks), and every sample's backward pass runs through a graph exactly as deep as it is long.

The task (generated here, no download): sequences of 3-20 tokens over {a, b, c, d}; say
whether 'a' occurs more often than 'b'. Counting across the whole sequence is what the LSTM's
cell state is for.

    python examples/variable_length_lstm.py           # trains to ~100% test accuracy
    python examples/variable_length_lstm.py --quick   # a short smoke run (what the tests use)
"""
import argparse
import random
import time
from typing import Dict, List, Optional, Tuple

import tapegrad as torch
from tapegrad import nn


def make_data(n: int, rng: random.Random) -> List[Tuple[List[int], int]]:
    data: List[Tuple[List[int], int]] = []
    while len(data) < n:
        seq = [rng.randrange(4) for _ in range(rng.randint(3, 20))]
        a, b = seq.count(0), seq.count(1)
        if a != b:  # no ties: every sample has a clear answer
            data.append((seq, int(a > b)))
    return data


class Classifier(nn.Module):
    def __init__(self, vocab: int = 4, embed: int = 8, hidden: int = 24) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.cell = nn.LSTMCell(embed, hidden)
        self.head = nn.Linear(hidden, 2)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        state: Optional[Tuple[torch.Tensor, torch.Tensor]] = None  # (h, c); zeros at the first step
        for x in self.embed(tokens):  # one step per token: this sample's length sets the depth
            state = self.cell(x, state)
        assert state is not None, "an empty sequence"
        return self.head(state[0])


def graph_depth(root: Optional[torch.autograd.graph.Node]) -> int:
    """Longest chain of grad_fn nodes from root to a leaf, walked with an explicit stack."""
    if root is None:  # a tensor that no op made
        return 0
    depth: Dict[torch.autograd.graph.Node, int] = {}
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if node in depth:
            continue
        children = [f for f, _ in node.next_functions if f is not None]
        if expanded:
            depth[node] = 1 + max((depth[c] for c in children), default=0)
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in children if c not in depth)
    return depth[root]


def accuracy(model: Classifier, data: List[Tuple[List[int], int]]) -> float:
    with torch.no_grad():
        hits = sum(int(model(torch.tensor(s)).argmax().item() == y) for s, y in data)
    return hits / len(data)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="a short smoke run")
    ap.add_argument("--epochs", type=int, default=6)
    args = ap.parse_args()
    rng = random.Random(0)
    torch.manual_seed(0)
    train, test = make_data(200 if args.quick else 800, rng), make_data(100 if args.quick else 300, rng)
    epochs = 1 if args.quick else args.epochs

    model = Classifier()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()

    print("graph depth per sample (one LSTMCell step per token):")
    for seq, label in train[:6]:
        out = loss_fn(model(torch.tensor(seq)).unsqueeze(0), torch.tensor([label]))
        print(f"  length {len(seq):2d} -> loss graph depth {graph_depth(out.grad_fn)}")

    start = time.perf_counter()
    batch = 16
    for epoch in range(epochs):
        rng.shuffle(train)
        total = 0.0
        for i in range(0, len(train), batch):
            opt.zero_grad()
            # Each sample builds its own graph of its own depth; their losses sum into one backward.
            losses = [loss_fn(model(torch.tensor(s)).unsqueeze(0), torch.tensor([y])) for s, y in train[i:i + batch]]
            loss = torch.stack(losses).mean()
            loss.backward()
            opt.step()
            total += loss.item() * len(losses)
        print(f"epoch {epoch + 1}: loss {total / len(train):.4f}  test accuracy {accuracy(model, test):.3f}")
    print(f"trained in {time.perf_counter() - start:.1f}s; final test accuracy: {accuracy(model, test):.3f}")


if __name__ == "__main__":
    main()
