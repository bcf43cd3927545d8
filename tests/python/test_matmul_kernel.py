"""The float32 matrix product (csrc/kernels/sgemm.cpp where the build has AVX2, Eigen otherwise)
against numpy in float64: every operand layout its packing reads, every edge of its 6x16
register tile and of its 120 x 256 x 2048 cache blocks, split over 1 to 3 threads."""
import numpy as np
import pytest

import tapegrad as tg


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# Operand layouts: each makes a (rows, cols) tapegrad view of a numpy array with other strides.
LAYOUTS = {
    "rowmajor": lambda x: tg.from_numpy(x),
    "transposed": lambda x: tg.from_numpy(np.ascontiguousarray(x.T)).t(),
    "stepped": lambda x: tg.from_numpy(np.repeat(x, 2, axis=0))[::2],
    "column_slice": lambda x: tg.from_numpy(np.concatenate([x, x[:, :3]], axis=1))[:, : x.shape[1]],
}

SHAPES = [
    (2, 3, 8),          # the smallest the packed kernel takes
    (6, 256, 16),       # exactly one register tile, exactly one k block
    (7, 257, 17),       # one past every tile and block edge
    (5, 40, 15),        # short of a full tile in both directions
    (121, 300, 33),     # past one 120-row block of A
    (64, 128, 10),      # the MLP's last layer: 10 of 16 columns real
    (13, 600, 2049),    # past one 2048-column block of B and two k blocks
    (250, 70, 260),     # split across threads by rows and by columns alike
]


def check(a, b, a_np, b_np):
    got = (a @ b).numpy()
    want = a_np.astype(np.float64) @ b_np.astype(np.float64)
    scale = np.sqrt(a_np.shape[1])  # float32 rounding grows with the length of each dot product
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=2e-6 * scale)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("layout_a", list(LAYOUTS))
@pytest.mark.parametrize("layout_b", list(LAYOUTS))
def test_float32_products_match_numpy(threads, shape, layout_a, layout_b):
    n, k, m = shape
    a_np, b_np = rand(n, k), rand(k, m, seed=1)
    a, b = LAYOUTS[layout_a](a_np), LAYOUTS[layout_b](b_np)
    assert a.shape == (n, k) and b.shape == (k, m)
    check(a, b, a_np, b_np)


def test_broadcast_operands(threads):
    # Stride-0 operands: every row of A, or every column of B, is the same memory.
    row, col = rand(1, 300), rand(300, 1, seed=1)
    a, b = tg.from_numpy(row).expand(50, 300), tg.from_numpy(col).expand(300, 70)
    assert a.stride() == (0, 1) and b.stride() == (1, 0)
    check(a, b, np.broadcast_to(row, (50, 300)), np.broadcast_to(col, (300, 70)))


def test_results_do_not_depend_on_the_thread_count():
    a, b = tg.from_numpy(rand(250, 300)), tg.from_numpy(rand(300, 260, seed=1))
    before = tg.get_num_threads()
    try:
        results = []
        for n in (1, 2, 3):
            tg.set_num_threads(n)
            results.append((a @ b).numpy())
    finally:
        tg.set_num_threads(before)
    # Each thread computes whole tiles with the same k order, so the split changes nothing.
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], results[2])


def test_batched_and_gradient_products(threads):
    a_np, b_np = rand(3, 70, 90), rand(3, 90, 50, seed=1)
    a = tg.from_numpy(a_np).requires_grad_()
    b = tg.from_numpy(b_np).requires_grad_()
    out = a @ b
    np.testing.assert_allclose(out.detach().numpy(), a_np.astype(np.float64) @ b_np, rtol=1e-5, atol=2e-5)
    g_np = rand(3, 70, 50, seed=2)
    out.backward(tg.from_numpy(g_np))
    # grad_a = g @ b^T and grad_b = a^T @ g: both read a transposed operand.
    np.testing.assert_allclose(a.grad.numpy(), g_np.astype(np.float64) @ b_np.transpose(0, 2, 1), rtol=1e-5,
                               atol=2e-5)
    np.testing.assert_allclose(b.grad.numpy(), a_np.astype(np.float64).transpose(0, 2, 1) @ g_np, rtol=1e-5,
                               atol=2e-5)


def test_special_values_propagate(threads):
    # Zero padding of edge tiles must not turn inf or nan into something else, nor make them up.
    a_np, b_np = rand(7, 20), rand(20, 17, seed=1)
    a_np[3, 5] = np.inf
    b_np[2, 16] = np.nan
    got = (tg.from_numpy(a_np) @ tg.from_numpy(b_np)).numpy()
    with np.errstate(invalid="ignore"):
        want = a_np.astype(np.float64) @ b_np.astype(np.float64)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
