"""Shortcuts taken for speed give exactly what the general path gives: fused backward kernels
vs the composed formulas (create_graph), gradients laid out like their operands, in-place
gradient sums that nobody else can observe."""
import numpy as np
import pytest

import tapegrad as tg

rng = np.random.default_rng(0)


@pytest.mark.parametrize("fn", [tg.tanh, tg.sigmoid, tg.sqrt, tg.reciprocal, tg.relu,
                                lambda x: x ** 3, lambda x: x ** 2, lambda x: x ** -1.5])
@pytest.mark.parametrize("dtype", [tg.float32, tg.float64])
def test_fused_backward_equals_the_composed_formula(fn, dtype):
    x_np = rng.uniform(0.1, 2.0, (7, 5))
    x_np[0, 0] = 0.0 if fn is tg.relu else x_np[0, 0]
    grads = []
    for create_graph in (False, True):  # True: the backward is recorded, so it is composed
        x = tg.tensor(x_np, dtype=dtype, requires_grad=True)
        (gx,) = tg.autograd.grad(fn(x).sum() * 1.5, x, create_graph=create_graph)
        grads.append(gx.detach().numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6 if dtype == tg.float32 else 1e-14)


@pytest.mark.parametrize("a_t", [False, True])
@pytest.mark.parametrize("b_t", [False, True])
def test_mm_gradients_for_transposed_operands(a_t, b_t):
    a_np, b_np, g_np = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
    a_leaf = tg.tensor(a_np.T.copy() if a_t else a_np, requires_grad=True)
    b_leaf = tg.tensor(b_np.T.copy() if b_t else b_np, requires_grad=True)
    a = a_leaf.t() if a_t else a_leaf
    b = b_leaf.t() if b_t else b_leaf
    (a @ b).backward(tg.tensor(g_np))
    ga, gb = g_np @ b_np.T, a_np.T @ g_np
    np.testing.assert_allclose(a_leaf.grad.numpy(), ga.T if a_t else ga, rtol=1e-12)
    np.testing.assert_allclose(b_leaf.grad.numpy(), gb.T if b_t else gb, rtol=1e-12)
    assert a_leaf.grad.is_contiguous() and b_leaf.grad.is_contiguous()


def test_linear_weight_gradient_is_laid_out_like_the_weight():
    lin = tg.nn.Linear(6, 4)
    x = tg.randn(8, 6)
    lin(x).pow(2).sum().backward()
    assert lin.weight.grad.is_contiguous() and lin.weight.grad.shape == (4, 6)
    expected = (2 * (x.numpy() @ lin.weight.detach().numpy().T + lin.bias.detach().numpy())).T @ x.numpy()
    np.testing.assert_allclose(lin.weight.grad.numpy(), expected, rtol=1e-5, atol=1e-5)
    assert (lin(x) - (x @ lin.weight.t() + lin.bias)).abs().max().item() < 1e-6  # bias added in place


def test_in_place_gradient_sums_do_not_touch_what_a_hook_kept():
    x = tg.ones(3, requires_grad=True)
    seen = []
    y = x * 2
    y.register_hook(lambda g: seen.append(g))
    z = y * 3
    (z + y + y * 5).sum().backward()  # y's buffer receives three gradients
    np.testing.assert_array_equal(seen[0].numpy(), [9.0, 9.0, 9.0])
    np.testing.assert_array_equal(x.grad.numpy(), [18.0, 18.0, 18.0])


def test_in_place_gradient_sums_leave_the_callers_gradient_alone():
    x = tg.ones(3, requires_grad=True)
    v = tg.tensor([1.0, 2.0, 3.0])
    y = x * 1
    (y + y).backward(v)  # v seeds the root buffer and is added to again
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0, 6.0])


def test_autograd_grad_results_are_not_summed_into_later():
    x = tg.ones(2, requires_grad=True)
    y = x * 2
    gy, gx = tg.autograd.grad((y * 3 + y).sum(), (y, x))
    np.testing.assert_array_equal(gy.numpy(), [4.0, 4.0])
    np.testing.assert_array_equal(gx.numpy(), [8.0, 8.0])


def test_in_place_sums_never_write_into_memory_the_storage_does_not_own():
    # A hook may hand back `.data` of a user's tensor, or a tensor over a numpy array: the
    # engine must not add the next gradient into that memory.
    G = tg.tensor([10.0, 20.0, 30.0])
    arr = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    for replacement in (lambda g: G.data, lambda g: tg.from_numpy(arr)):
        x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
        a = x * 2
        y = a + 0
        y.register_hook(replacement)
        (a.sum() + y.sum()).backward()
    np.testing.assert_array_equal(G.numpy(), [10.0, 20.0, 30.0])
    np.testing.assert_array_equal(arr, [1.0, 2.0, 3.0])
    leaf = tg.ones(2, requires_grad=True)
    H = tg.tensor([5.0, 6.0])
    leaf.register_hook(lambda g: H.data)
    for _ in range(2):
        (leaf * 1).sum().backward()
    np.testing.assert_array_equal(H.numpy(), [5.0, 6.0])
    np.testing.assert_array_equal(leaf.grad.numpy(), [10.0, 12.0])


@pytest.mark.parametrize("dtype,np_dtype", [(tg.float32, np.float32), (tg.float64, np.float64)])
def test_vectorised_transcendentals_keep_the_c_library_edge_cases(dtype, np_dtype):
    special = np.array([-np.inf, -1000.0, -100.0, -88.5, -50.0, -8.946, -1e-8, 0.0, 1e-8, 5.0,
                        88.5, 100.0, np.inf, np.nan, 1e-45, 5e-324, 1e-310], dtype=np.float64)
    x_np = np.tile(special, 4).astype(np_dtype)  # contiguous and long: the vector path
    x = tg.from_numpy(x_np)
    with np.errstate(all="ignore"):
        ref64 = {"exp": np.exp(x_np.astype(np.float64)), "tanh": np.tanh(x_np.astype(np.float64)),
                 "sigmoid": 1 / (1 + np.exp(-x_np.astype(np.float64))),
                 "log": np.log(np.abs(x_np).astype(np.float64))}
        got = {"exp": x.exp(), "tanh": x.tanh(), "sigmoid": x.sigmoid(), "log": x.abs().log()}
        for name, value in got.items():
            ref = ref64[name].astype(np_dtype)
            np.testing.assert_allclose(value.numpy(), ref, rtol=4e-6 if dtype == tg.float32 else 1e-14,
                                       atol=0, equal_nan=True, err_msg=name)


def test_float32_exp_is_within_one_ulp_over_its_vector_range():
    # exp_f32 (csrc/kernels/vmath.h) serves every float32 exp in [-87, 88]: a dense grid over
    # that range and its two ends, against float64 exp rounded to float32.
    x_np = np.concatenate([np.linspace(-87, 88, 1_000_003, dtype=np.float32),
                           np.float32([-87, -86.99, -0.5 * np.log(2), 0.5 * np.log(2), 87.99, 88])])
    got = tg.from_numpy(x_np).exp().numpy().astype(np.float64)
    want = np.exp(x_np.astype(np.float64))
    assert np.all(np.abs(got - want) <= np.spacing(want.astype(np.float32)).astype(np.float64))  # measured: 0.89


def test_softmax_of_masked_and_all_masked_rows():
    for dtype in (tg.float32, tg.float64):
        x = tg.zeros(3, 16, dtype=dtype)
        x[0, 8:] = float("-inf")
        x[1, :] = float("-inf")
        s, ls = tg.nn.functional.softmax(x, -1), tg.nn.functional.log_softmax(x, -1)
        assert (s[0, 8:] == 0).all().item() and abs(s[0, :8].sum().item() - 1) < 1e-6
        assert s[1].isnan().all().item() and ls[1].isnan().all().item()
        assert x[1].logsumexp(-1).item() == float("-inf")


def test_fork_while_another_thread_runs_backward():
    import os
    import threading
    import time
    stop = threading.Event()

    def worker():
        w = tg.ones(64, requires_grad=True)
        while not stop.is_set():
            (w * 2).sum().backward()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        for _ in range(30):
            pid = os.fork()
            if pid == 0:  # child: the allocator must not be locked by the thread that is gone
                ok = (tg.ones(16) + 1).sum().item() == 32
                os._exit(0 if ok else 1)
            deadline = time.time() + 20
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    assert os.waitstatus_to_exitcode(status) == 0
                    break
                if time.time() > deadline:
                    os.kill(pid, 9)
                    pytest.fail("a forked child hung")
                time.sleep(0.005)
    finally:
        stop.set()
        thread.join()
