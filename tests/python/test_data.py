"""utils.data: TensorDataset indexing, DataLoader batching, drop_last and reproducible shuffles,
worker threads, collate_fn and samplers."""
import gc
import re
import threading
import time

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


# ---- DataLoader options: num_workers, collate_fn, pin_memory, samplers ----

try:
    import torch
except ImportError:
    torch = None


def test_num_workers_is_validated_as_torch():
    ds = TensorDataset(tg.arange(4))
    msg = "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing."
    with pytest.raises(ValueError, match=re.escape(msg)):
        DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified in multiprocessing"):
        DataLoader(ds, prefetch_factor=2)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError, match="timeout option should be non-negative"):
        DataLoader(ds, timeout=-1)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0, 1], shuffle=True)
    if torch is not None:
        with pytest.raises(ValueError, match=re.escape(msg)):
            torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.arange(4)), num_workers=-1)


class _Squares(Dataset):
    """A dataset whose items come from Python code, in a thread when num_workers > 0."""

    def __init__(self, n):
        self.n = n
        self.threads = set()

    def __getitem__(self, i):
        self.threads.add(threading.get_ident())
        time.sleep(0.002)  # waiting (I/O-like), which worker threads overlap
        return tg.tensor([float(i)]), i * i

    def __len__(self):
        return self.n


@pytest.mark.parametrize("num_workers", [1, 3])
@pytest.mark.parametrize("shuffle", [False, True])
def test_workers_give_the_same_batches_in_the_same_order(num_workers, shuffle):
    ds = _Squares(23)
    tg.manual_seed(5)
    serial = [(x.tolist(), y.tolist()) for x, y in DataLoader(ds, batch_size=4, shuffle=shuffle)]
    main = threading.get_ident()
    ds.threads.clear()
    tg.manual_seed(5)
    loader = DataLoader(ds, batch_size=4, shuffle=shuffle, num_workers=num_workers)
    threaded = [(x.tolist(), y.tolist()) for x, y in loader]
    assert threaded == serial and len(threaded) == len(loader) == 6
    assert main not in ds.threads  # the items were fetched by the workers


def test_worker_init_fn_runs_once_per_worker_and_persistent_workers_survive_epochs():
    ids = []
    lock = threading.Lock()

    def init(worker_id):
        with lock:
            ids.append(worker_id)

    loader = DataLoader(_Squares(12), batch_size=2, num_workers=2, worker_init_fn=init, persistent_workers=True,
                        prefetch_factor=1)
    for _ in range(3):
        assert [y.tolist() for _, y in loader] == [[0, 1], [4, 9], [16, 25], [36, 49], [64, 81], [100, 121]]
    assert sorted(ids) == [0, 1]  # one pool for all three epochs


def test_breaking_out_of_a_threaded_loop_stops_the_workers():
    before = threading.active_count()
    for i, _ in enumerate(DataLoader(_Squares(40), batch_size=2, num_workers=3)):
        if i == 2:
            break
    gc.collect()
    deadline = time.time() + 5
    while threading.active_count() > before and time.time() < deadline:
        time.sleep(0.01)
    assert threading.active_count() <= before


def test_errors_in_a_worker_reach_the_main_thread():
    class Broken(Dataset):
        def __getitem__(self, i):
            if i == 3:
                raise KeyError("item 3")
            return i

        def __len__(self):
            return 6

    with pytest.raises(KeyError, match="item 3"):
        list(DataLoader(Broken(), batch_size=2, num_workers=2))


def test_collate_fn_pin_memory_samplers_and_no_batching():
    ds = _Squares(5)

    def collate(items):
        return sum(y for _, y in items)

    assert list(DataLoader(ds, batch_size=2, collate_fn=collate, pin_memory=True)) == [1, 13, 16]
    assert [y.tolist() for _, y in DataLoader(ds, batch_size=2, sampler=[4, 0, 2])] == [[16, 0], [4]]
    assert [y.tolist() for _, y in DataLoader(ds, batch_sampler=[[1, 2], [0]])] == [[1, 4], [0]]
    assert len(DataLoader(ds, batch_sampler=[[1, 2], [0]])) == 2
    single = list(DataLoader(ds, batch_size=None))
    assert [y for _, y in single] == [0, 1, 4, 9, 16] and single[2][0].tolist() == [2.0]
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_size=2, batch_sampler=[[0]])


@pytest.mark.skipif(torch is None, reason="PyTorch not installed")
def test_loader_batches_match_torch():
    x = np.arange(14.0).reshape(7, 2)
    tds = torch.utils.data.TensorDataset(torch.tensor(x), torch.arange(7))
    gds = TensorDataset(tg.tensor(x), tg.arange(7))
    for kwargs in (dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None),
                   dict(batch_size=2, sampler=[6, 1, 3]), dict(batch_sampler=[[0, 2], [5]]),
                   dict(batch_size=3, collate_fn=lambda b: len(b))):
        want = list(torch.utils.data.DataLoader(tds, **kwargs))
        got = list(DataLoader(gds, num_workers=2, **kwargs))
        assert len(got) == len(want)
        for g, w in zip(got, want):
            if isinstance(w, int):
                assert g == w
            else:
                assert [t.tolist() for t in g] == [t.tolist() for t in w]
