"""DataLoader: batches of a dataset, in order or shuffled by tapegrad's own generator (so
tapegrad.manual_seed makes the order reproducible)."""
from typing import Any, Iterator, List, Optional

import numpy as np

from ... import _creation
from ..._C import Tensor, dtype
from .dataset import Dataset, TensorDataset


def default_collate(batch: List[Any]) -> Any:
    first = batch[0]
    if isinstance(first, Tensor):
        from ... import stack
        return stack(batch, 0)
    if isinstance(first, (bool, int, float)):
        return _creation.tensor(batch)
    if isinstance(first, (tuple, list)):
        return [default_collate(list(items)) for items in zip(*batch)]
    if isinstance(first, dict):
        return {k: default_collate([b[k] for b in batch]) for k in first}
    return batch


class DataLoader:
    def __init__(self, dataset: Dataset, batch_size: Optional[int] = 1, shuffle: bool = False,
                 drop_last: bool = False, collate_fn=None, generator=None, **kwargs: Any) -> None:
        if batch_size is not None and batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.collate_fn = collate_fn or default_collate

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        # A permutation from tapegrad's generator: the ranks of n uniform draws.
        return np.argsort(_creation.rand(n, dtype=dtype.float64).numpy(), kind="stable")

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        if self.batch_size is None:  # no batching: items one by one
            for i in order:
                yield self.dataset[int(i)]
            return
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            if len(idx) < self.batch_size and self.drop_last:
                return
            if isinstance(self.dataset, TensorDataset) and self.collate_fn is default_collate:
                # One gather per tensor instead of stacking rows one by one.
                rows = _creation.tensor(idx.astype(np.int64))
                yield [t.index_select(0, rows) for t in self.dataset.tensors]
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in idx])

    def __len__(self) -> int:
        if self.batch_size is None:
            return len(self.dataset)
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else (n + self.batch_size - 1) // self.batch_size
