"""Train an MLP on scikit-learn's bundled handwritten digits (8x8 images, no download) with
tapegrad, exactly as one would with PyTorch: only the import differs.

    pip install "tapegrad[examples]"
    python examples/train_digits.py            # ~98% test accuracy in a few seconds
    python examples/train_digits.py --quick    # a short smoke run (what the tests use)

Shows a tqdm progress bar (loss, accuracy), writes digits_curves.png (loss and accuracy per
epoch) and digits_mlp.tg, then reloads the model from that file and checks it scores the same.
"""
import argparse
import time
from pathlib import Path
from typing import Dict, List

import matplotlib

matplotlib.use("Agg")  # files only: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from tqdm import tqdm  # noqa: E402

import tapegrad as torch  # noqa: E402
from tapegrad import nn  # noqa: E402
from tapegrad.utils.data import DataLoader, TensorDataset  # noqa: E402


def make_model() -> nn.Module:
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 10))


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        pred = model(x).argmax(dim=1)
    model.train()
    return (pred == y).float().mean().item()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--quick", action="store_true", help="3 epochs, for a smoke test")
    ap.add_argument("--out", type=Path, default=Path("."), help="folder for the PNG and the model file")
    args = ap.parse_args()
    epochs = 3 if args.quick else args.epochs
    args.out.mkdir(parents=True, exist_ok=True)

    torch.manual_seed(0)
    digits = load_digits()
    x_tr, x_te, y_tr, y_te = train_test_split(digits.data / 16.0, digits.target, test_size=0.25,
                                              random_state=0, stratify=digits.target)
    x_tr, x_te = torch.tensor(x_tr, dtype=torch.float32), torch.tensor(x_te, dtype=torch.float32)
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)
    loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=32, shuffle=True)

    model = make_model()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=15, gamma=0.3)
    loss_fn = nn.CrossEntropyLoss()
    history: Dict[str, List[float]] = {"loss": [], "train": [], "test": []}

    start = time.perf_counter()
    bar = tqdm(range(epochs), desc="digits", unit="epoch")
    for _ in bar:
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
        sched.step()
        history["loss"].append(total / len(y_tr))
        history["train"].append(accuracy(model, x_tr, y_tr))
        history["test"].append(accuracy(model, x_te, y_te))
        bar.set_postfix(loss=f"{history['loss'][-1]:.4f}", acc=f"{history['test'][-1]:.3f}")
    elapsed = time.perf_counter() - start

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    ax1.plot(history["loss"])
    ax1.set(title="training loss", xlabel="epoch")
    ax2.plot(history["train"], label="train")
    ax2.plot(history["test"], label="test")
    ax2.set(title="accuracy", xlabel="epoch")
    ax2.legend()
    fig.tight_layout()
    png = args.out / "digits_curves.png"
    fig.savefig(png, dpi=100)

    path = args.out / "digits_mlp.tg"
    torch.save(model.state_dict(), path)
    reloaded = make_model()
    reloaded.load_state_dict(torch.load(path))
    test_acc, reloaded_acc = accuracy(model, x_te, y_te), accuracy(reloaded, x_te, y_te)

    print(f"trained {epochs} epochs in {elapsed:.1f}s")
    print(f"test accuracy: {test_acc:.4f}")
    print(f"reloaded model test accuracy: {reloaded_acc:.4f} (from {path})")
    print(f"curves written to {png}")
    assert np.isclose(test_acc, reloaded_acc), "the reloaded model should score the same"


if __name__ == "__main__":
    main()
