"""DataLoader: batches of a dataset, in order or shuffled by tapegrad's own generator (so
tapegrad.manual_seed makes the order reproducible).

num_workers > 0 loads batches in that many worker *threads* of this process (PyTorch uses
worker processes): while the main thread trains on one batch, the workers fetch and collate
the next ones (num_workers * prefetch_factor batches ahead), and batches still come out in
sampler order. That overlaps waiting (file reads, decoding in code that releases the GIL) with
training; pure-Python per-item work is still serialised by the GIL.
"""
import itertools
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError  # not the builtin before 3.11
from typing import Any, Callable, Deque, Iterable, Iterator, List, Optional, Sequence, Union

import numpy as np

from ... import _creation
from ..._C import Tensor, dtype
from .dataset import Dataset, TensorDataset


def default_collate(batch: List[Any]) -> Any:
    """Stacks a list of samples into a batch: tensors along a new dim 0, numbers into a tensor,
    and tuples/lists/dicts of those element by element (as torch's default_collate)."""
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
    """Iterates over `dataset` in batches of `batch_size` (None: sample by sample).

    shuffle draws a new order every epoch from tapegrad's generator; sampler (an iterable of
    indices) or batch_sampler (an iterable of index lists) choose the order instead. Each batch
    is collate_fn(list of samples) (default_collate). pin_memory is accepted and does nothing
    (tapegrad is CPU only). num_workers > 0 fetches batches ahead in worker threads (see the
    module docstring); worker_init_fn(worker_id) runs once in each worker, timeout bounds the
    wait for one batch. multiprocessing_context and pin_memory_device are accepted for
    PyTorch compatibility and ignored.
    """

    def __init__(self, dataset: Union[Dataset, Sequence[Any]], batch_size: Optional[int] = 1,
                 shuffle: Optional[bool] = None,
                 sampler: Optional[Iterable[int]] = None, batch_sampler: Optional[Iterable[Sequence[int]]] = None,
                 num_workers: int = 0, collate_fn: Optional[Callable[[List[Any]], Any]] = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Optional[Callable[[int], None]] = None, multiprocessing_context: Any = None,
                 generator: Any = None, *, prefetch_factor: Optional[int] = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        # PyTorch's checks, in PyTorch's order and words.
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                 "sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is not None and batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.drop_last = drop_last
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self.generator = generator
        self.collate_fn: Callable[[List[Any]], Any] = collate_fn or default_collate
        self._pool: Optional[ThreadPoolExecutor] = None  # kept across epochs when persistent_workers

    # ---- which indices, in which batches ----
    def _order(self) -> Iterable[int]:
        if self.sampler is not None:
            return self.sampler
        n = len(self.dataset)  # type: ignore[arg-type]  # a map-style dataset has __len__
        if not self.shuffle:
            return range(n)
        # A permutation from tapegrad's generator: the ranks of n uniform draws.
        return np.argsort(_creation.rand(n, dtype=dtype.float64).numpy(), kind="stable").tolist()

    def _index_batches(self) -> Iterator[List[int]]:
        """Index lists, one per batch (one index per sample when batch_size is None)."""
        if self.batch_sampler is not None:
            for b in self.batch_sampler:
                yield [int(i) for i in b]
            return
        if self.batch_size is None:
            for i in self._order():
                yield [int(i)]
            return
        batch: List[int] = []
        for i in self._order():
            batch.append(int(i))
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def _fetch(self, indices: List[int]) -> Any:
        if self.batch_size is None and self.batch_sampler is None:
            return self.dataset[indices[0]]  # no auto-batching: the sample as it is
        if isinstance(self.dataset, TensorDataset) and self.collate_fn is default_collate:
            # One gather per tensor instead of stacking rows one by one.
            rows = _creation.tensor(indices, dtype=dtype.int64)
            return [t.index_select(0, rows) for t in self.dataset.tensors]
        return self.collate_fn([self.dataset[i] for i in indices])

    # ---- iteration ----
    def __iter__(self) -> Iterator[Any]:
        if self.num_workers == 0:
            return map(self._fetch, self._index_batches())
        return self._threaded()

    def _make_pool(self) -> ThreadPoolExecutor:
        ids = itertools.count()
        lock = threading.Lock()
        init_fn = self.worker_init_fn

        def init_worker() -> None:
            with lock:
                worker_id = next(ids)
            if init_fn is not None:
                init_fn(worker_id)

        return ThreadPoolExecutor(max_workers=self.num_workers, thread_name_prefix="tapegrad-DataLoader",
                                  initializer=init_worker)

    def _threaded(self) -> Iterator[Any]:
        pool = self._pool or self._make_pool()
        if self.persistent_workers:
            self._pool = pool
        ahead = self.num_workers * (self.prefetch_factor or 2)
        pending: Deque["Future[Any]"] = deque()
        batches = self._index_batches()
        try:
            for indices in itertools.islice(batches, max(ahead, 1)):
                pending.append(pool.submit(self._fetch, indices))
            while pending:
                future = pending.popleft()
                try:
                    batch = future.result(timeout=self.timeout or None)
                except FutureTimeoutError:
                    raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds") from None
                for indices in itertools.islice(batches, 1):
                    pending.append(pool.submit(self._fetch, indices))
                yield batch
        finally:
            for f in pending:
                f.cancel()
            if not self.persistent_workers:
                pool.shutdown(wait=True)

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        n = len(self.sampler if self.sampler is not None else self.dataset)  # type: ignore[arg-type]
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else (n + self.batch_size - 1) // self.batch_size

    def __del__(self) -> None:
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown(wait=False)
