"""Kernels split across threads above a size threshold: same results as one thread and as
numpy, for every layout the split has to handle, and the thread-count API."""
import numpy as np
import pytest

import tapegrad as tg

BIG = 300_007  # above the split threshold, and odd so chunks don't fall on round boundaries


def rand(*shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


LAYOUTS = {
    "contiguous": lambda x: x,
    "transposed": lambda x: x.T,
    "stepped": lambda x: x[::2],
    "column": lambda x: x[:, 1:],
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_binary_and_unary_ops_on_big_tensors(threads, layout):
    a_np, b_np = rand(601, 1001), rand(601, 1001, seed=1)
    view = LAYOUTS[layout]
    a, b = view(tg.from_numpy(a_np)), view(tg.from_numpy(b_np))
    an, bn = view(a_np), view(b_np)
    np.testing.assert_array_equal((a + b).numpy(), an + bn)
    np.testing.assert_array_equal((a * 2.5).numpy(), an * np.float32(2.5))
    np.testing.assert_array_equal(tg.where(a > 0, a, b).numpy(), np.where(an > 0, an, bn))
    np.testing.assert_allclose(a.exp().numpy(), np.exp(an), rtol=2e-6)
    np.testing.assert_allclose(a.tanh().numpy(), np.tanh(an), rtol=2e-6, atol=1e-6)


def test_broadcast_row_and_single_value_operands(threads):
    a_np, row_np = rand(700, 500), rand(500, seed=1)
    a, row = tg.from_numpy(a_np), tg.from_numpy(row_np)
    np.testing.assert_array_equal((a - row).numpy(), a_np - row_np)
    one = tg.tensor(3.0).expand(700, 500)  # stride 0 everywhere: read as one value
    np.testing.assert_array_equal((one * a).numpy(), 3 * a_np)


# Results of 16 MiB and more are written with streaming stores, a page at a time through a stack
# buffer, from the first 32-byte boundary on (csrc/kernels/stream_store.h): offsets 0 and 1 put
# the head and tail of every thread's chunk at every alignment.
STREAMED = (1 << 22) + 5  # float32 elements: just over 16 MiB


@pytest.mark.parametrize("offset", [0, 1])
def test_results_bigger_than_the_cache_are_streamed(threads, offset):
    a_np, b_np = rand(STREAMED + offset), rand(STREAMED + offset, seed=1)
    a, b = tg.from_numpy(a_np)[offset:], tg.from_numpy(b_np)[offset:]
    an, bn = a_np[offset:], b_np[offset:]
    np.testing.assert_array_equal((a * b).numpy(), an * bn)
    np.testing.assert_array_equal((a - 2.0).numpy(), an - np.float32(2))   # one operand a single value
    np.testing.assert_array_equal((2.0 - a).numpy(), np.float32(2) - an)
    np.testing.assert_array_equal((-a).numpy(), -an)                      # unary
    np.testing.assert_array_equal((a > b).numpy(), an > bn)               # 1-byte results
    np.testing.assert_array_equal(a.double().numpy(), an.astype(np.float64))
    x = tg.from_numpy(an[: 4097 * 1023].reshape(4097, 1023))             # rows not 32-byte aligned
    got = tg.nn.functional.softmax(x, -1).numpy()
    xd = an[: 4097 * 1023].reshape(4097, 1023).astype(np.float64)
    e = np.exp(xd - xd.max(-1, keepdims=True))
    np.testing.assert_allclose(got, e / e.sum(-1, keepdims=True), rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("dims", [None, 0, 1, (0, 1), 2, (1, 2), (0, 2)])
def test_sums_over_every_layout_of_reduced_dims(threads, dims):
    x_np = rand(37, 91, 113, dtype=np.float64)
    x = tg.from_numpy(x_np)
    got = x.sum() if dims is None else x.sum(dims)
    np.testing.assert_allclose(got.numpy(), x_np.sum(axis=dims), rtol=1e-12, atol=1e-10)


def test_float32_sum_of_many_elements_is_accurate(threads):
    x_np = rand(2_000_003)
    got = tg.from_numpy(x_np).sum().item()
    assert abs(got - x_np.astype(np.float64).sum()) < 1e-3
    ints = np.arange(BIG, dtype=np.int64)
    assert tg.from_numpy(ints).sum().item() == int(ints.sum())


def test_big_copies_and_fills(threads):
    x_np = rand(BIG)
    x = tg.from_numpy(x_np)
    np.testing.assert_array_equal(x.clone().numpy(), x_np)
    np.testing.assert_array_equal(x.to(tg.float64).numpy(), x_np.astype(np.float64))
    np.testing.assert_array_equal(tg.full((BIG,), 7.0).numpy(), np.full(BIG, 7.0, np.float32))


def test_an_error_inside_a_chunk_reaches_python(threads):
    a = tg.ones(BIG, dtype=tg.int64)
    b = tg.ones(BIG, dtype=tg.int64)
    b[BIG - 3] = 0  # in the last chunk
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        a // b
    assert (a // tg.ones(BIG, dtype=tg.int64)).sum().item() == BIG  # and the next call works


def test_gradients_of_big_graphs_match_between_thread_counts():
    x_np = rand(513, 777, dtype=np.float64)
    results = []
    for n in (1, 2):
        tg.set_num_threads(n)
        x = tg.tensor(x_np, requires_grad=True)
        ((x * x).tanh().sum(1) * 2).mean().backward()
        results.append(x.grad.numpy())
    tg.set_num_threads(2)
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_num_threads_api():
    before = tg.get_num_threads()
    assert before >= 1
    tg.set_num_threads(1)
    assert tg.get_num_threads() == 1
    tg.set_num_threads(before)
    with pytest.raises(RuntimeError, match="set_num_threads expects a positive integer"):
        tg.set_num_threads(0)
    assert tg.get_num_threads() == before


def test_num_threads_api_matches_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as theirs:
        torch.set_num_threads(0)
    with pytest.raises(RuntimeError) as ours:
        tg.set_num_threads(0)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("shape", [(600, 8, 5, 7), (3, 300, 200, 150)])  # many small, few big
def test_batched_matmul_split_by_batch_or_within_each_product(threads, shape):
    batch, n, k, m = shape
    a_np, b_np = rand(batch, n, k, dtype=np.float64), rand(batch, k, m, dtype=np.float64, seed=1)
    a = tg.from_numpy(a_np)
    b = tg.from_numpy(b_np.transpose(0, 2, 1).copy()).transpose(1, 2)  # strided operand too
    np.testing.assert_allclose((a @ b).numpy(), a_np @ b_np, rtol=1e-12, atol=1e-12)
