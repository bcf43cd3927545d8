"""utils.data: TensorDataset indexing, DataLoader batching, drop_last and reproducible shuffles."""
import numpy as np
import pytest

import tapegrad as tg
from tapegrad.utils.data import DataLoader, Dataset, TensorDataset


def test_tensor_dataset():
    x, y = tg.arange(10.0).reshape(5, 2), tg.arange(5)
    ds = TensorDataset(x, y)
    assert len(ds) == 5
    a, b = ds[3]
    assert a.tolist() == [6.0, 7.0] and b.item() == 3
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(x, tg.arange(4))


def test_batches_in_order_with_and_without_drop_last():
    ds = TensorDataset(tg.arange(10.0).reshape(5, 2), tg.arange(5))
    batches = list(DataLoader(ds, batch_size=2))
    assert len(batches) == 3 == len(DataLoader(ds, batch_size=2))
    assert [b[1].tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    assert batches[0][0].tolist() == [[0.0, 1.0], [2.0, 3.0]]
    dl = DataLoader(ds, batch_size=2, drop_last=True)
    assert len(dl) == 2 and [b[1].tolist() for b in dl] == [[0, 1], [2, 3]]


def test_shuffle_is_a_permutation_reproducible_with_manual_seed():
    ds = TensorDataset(tg.arange(100))
    tg.manual_seed(3)
    first = [i for (b,) in DataLoader(ds, batch_size=7, shuffle=True) for i in b.tolist()]
    tg.manual_seed(3)
    again = [i for (b,) in DataLoader(ds, batch_size=7, shuffle=True) for i in b.tolist()]
    assert first == again and sorted(first) == list(range(100)) and first != list(range(100))
    dl = DataLoader(ds, batch_size=10, shuffle=True)
    assert sum(len(b) for (b,) in dl) == 100


def test_generic_dataset_uses_default_collate():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return tg.tensor([float(i)]), i * i

    xs, ys = next(iter(DataLoader(Squares(), batch_size=3)))
    assert xs.shape == (3, 1) and ys.tolist() == [0, 1, 4]
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        DataLoader(Squares(), batch_size=0)


def test_training_loop_over_a_loader():
    tg.manual_seed(0)
    x = tg.randn(64, 3)
    y = x @ tg.tensor([[1.0], [-2.0], [0.5]])
    model = tg.nn.Linear(3, 1)
    opt = tg.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(30):
        for xb, yb in DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True):
            opt.zero_grad()
            tg.nn.functional.mse_loss(model(xb), yb).backward()
            opt.step()
    np.testing.assert_allclose(model.weight.detach().numpy(), [[1.0, -2.0, 0.5]], atol=1e-3)
