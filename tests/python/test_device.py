"""The device model: tapegrad is a CPU-only PyTorch. tapegrad.device, Tensor.device, device= on
creation functions, .to(device), tapegrad.cuda / backends / accelerator, the default device and
the default dtype, each checked against torch 2.13 (CPU build) where it is installed."""
import pickle

import numpy as np
import pytest

import tapegrad as tg

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed")


def outcome(fn, L):
    """('ok', text) or (exception type name, message) of fn(L), with torch's module name made ours."""
    try:
        r = fn(L)
    except BaseException as e:  # noqa: BLE001  (AssertionError is what torch raises for CUDA)
        return type(e).__name__, str(e).split("\n\n")[0]
    return "ok", repr(r).replace("torch.", "tapegrad.")


def same(fn):
    got = outcome(fn, tg)
    if torch is not None:
        assert got == outcome(fn, torch)
    return got


DEVICE_CASES = {
    "cpu": lambda L: L.device("cpu"),
    "cpu0": lambda L: L.device("cpu", 0),
    "cpu:0": lambda L: L.device("cpu:0"),
    "copy": lambda L: L.device(L.device("cpu:1")),
    "kw": lambda L: L.device(type="cpu", index=2),
    "cuda": lambda L: L.device("cuda"),
    "cuda:1": lambda L: L.device("cuda:1"),
    "mps": lambda L: L.device("mps"),
    "str": lambda L: (str(L.device("cpu")), str(L.device("cpu", 3)), format(L.device("cpu:1"))),
    "type/index": lambda L: (L.device("cpu:2").type, L.device("cpu:2").index, L.device("cpu").index),
    "minus one": lambda L: L.device("cpu", -1),
    "foo": lambda L: L.device("foo"),
    "upper": lambda L: L.device("CPU"),
    "space": lambda L: L.device(" cpu"),
    "bad index": lambda L: L.device("cpu:x"),
    "negative in string": lambda L: L.device("cpu:-1"),
    "negative": lambda L: L.device("cpu", -2),
    "both indices": lambda L: L.device("cpu:0", 0),
    "int": lambda L: L.device(0),
    "float": lambda L: L.device(1.5),
    "index str": lambda L: L.device("cpu", "a"),
    "eq": lambda L: (L.device("cpu") == L.device("cpu"), L.device("cpu") == L.device("cpu:0"),
                     L.device("cpu") == "cpu", L.device("cpu") != L.device("cpu")),
    "hash": lambda L: (hash(L.device("cpu:1")) == hash(L.device("cpu", 1)), {L.device("cpu"): 1}[L.device("cpu")]),
    "format spec": lambda L: f"{L.device('cpu'):>6}",
    "reduce": lambda L: L.device("cpu", 0).__reduce__()[1],
}


@needs_torch
@pytest.mark.parametrize("case", DEVICE_CASES, ids=list(DEVICE_CASES))
def test_device_object_as_torch(case):
    same(DEVICE_CASES[case])


def test_device_pickles_and_is_immutable():
    for d in (tg.device("cpu"), tg.device("cpu", 0), tg.device("cuda:1")):
        assert pickle.loads(pickle.dumps(d)) == d
    with pytest.raises(AttributeError):
        tg.device("cpu").type = "cuda"  # type: ignore[misc]
    assert isinstance(tg.device("cpu"), tg.device)


CREATION = {
    "tensor": lambda L, d: L.tensor([1.0, 2.0], device=d),
    "as_tensor": lambda L, d: L.as_tensor([1, 2], device=d),
    "zeros": lambda L, d: L.zeros(2, device=d),
    "ones": lambda L, d: L.ones((2,), device=d),
    "empty": lambda L, d: L.empty(2, device=d).shape,
    "full": lambda L, d: L.full((2,), 3.0, device=d),
    "arange": lambda L, d: L.arange(3, device=d),
    "linspace": lambda L, d: L.linspace(0, 1, 3, device=d),
    "eye": lambda L, d: L.eye(2, device=d),
    "rand": lambda L, d: L.rand(2, device=d).shape,
    "randn": lambda L, d: L.randn(2, device=d).shape,
    "randint": lambda L, d: L.randint(0, 1, (2,), device=d),
    "zeros_like": lambda L, d: L.zeros_like(L.ones(2), device=d),
    "ones_like": lambda L, d: L.ones_like(L.ones(2), device=d),
    "full_like": lambda L, d: L.full_like(L.ones(2), 7, device=d),
    "empty_like": lambda L, d: L.empty_like(L.ones(2), device=d).shape,
    "rand_like": lambda L, d: L.rand_like(L.ones(2), device=d).shape,
    "randn_like": lambda L, d: L.randn_like(L.ones(2), device=d).shape,
}
DEVICES = {
    "none": lambda L: None, "cpu": lambda L: "cpu", "cpu:0": lambda L: "cpu:0", "obj": lambda L: L.device("cpu"),
    "obj0": lambda L: L.device("cpu", 0), "cuda": lambda L: "cuda", "cuda:0": lambda L: "cuda:0",
    "cuda obj": lambda L: L.device("cuda"), "xpu": lambda L: "xpu", "foo": lambda L: "foo",
    "bad": lambda L: "cpu:x", "int": lambda L: 0, "float": lambda L: 1.5,
}


@needs_torch
@pytest.mark.parametrize("dev", DEVICES, ids=list(DEVICES))
@pytest.mark.parametrize("fn", CREATION, ids=list(CREATION))
def test_creation_device_argument_as_torch(fn, dev):
    call = lambda L: CREATION[fn](L, DEVICES[dev](L))  # noqa: E731
    if dev == "float" and fn not in ("tensor", "as_tensor", "zeros", "ones", "empty", "full"):
        # torch words these with its list of overloads (they have several); the type is the same
        assert outcome(call, tg)[0] == outcome(call, torch)[0] == "TypeError"
        return
    same(call)


@needs_torch
@pytest.mark.parametrize("fn", ["zeros", "ones", "rand", "arange", "full"])
def test_mps_device_errors_as_torch(fn):
    # torch goes on with its dispatcher's list of backends; tapegrad says the first sentences
    got, want = (outcome(lambda L: CREATION[fn](L, "mps"), L) for L in (tg, torch))
    assert got[0] == want[0] == "NotImplementedError" and want[1].startswith(got[1])
    assert same(lambda L: L.tensor([1], device="mps"))[0] == "RuntimeError"


TO_CASES = {
    "cpu": lambda L, x: x.to("cpu"),
    "obj": lambda L, x: x.to(L.device("cpu")),
    "kw": lambda L, x: x.to(device="cpu", dtype=L.float64),
    "cpu dtype": lambda L, x: x.to("cpu", L.int64),
    "other": lambda L, x: x.to(L.zeros(1, dtype=L.float64)),
    "cuda": lambda L, x: x.to("cuda"),
    "cuda:0": lambda L, x: x.to("cuda:0"),
    "cuda obj": lambda L, x: x.to(L.device("cuda", 0)),
    "mps": lambda L, x: x.to("mps"),
    "xpu": lambda L, x: x.to("xpu"),
    "foo": lambda L, x: x.to("foo"),
    "bad": lambda L, x: x.to("cpu:x"),
    "int": lambda L, x: x.to(0),
    "same object": lambda L, x: (x.to("cpu") is x, x.to(L.device("cpu")) is x, x.to("cpu:0") is x),
    "cpu()": lambda L, x: x.cpu() is x,
    "cuda()": lambda L, x: x.cuda(),
    "cuda(0)": lambda L, x: x.cuda(0),
    "attributes": lambda L, x: (x.device, x.is_cpu, x.is_cuda, x.is_mps, x.is_meta, x.get_device(), x.device.type),
}


@needs_torch
@pytest.mark.parametrize("case", TO_CASES, ids=list(TO_CASES))
def test_tensor_to_device_as_torch(case):
    same(lambda L: TO_CASES[case](L, L.tensor([1.0, 2.0])))


NAMESPACES = {
    "cuda.is_available": lambda L: L.cuda.is_available(),
    "cuda.device_count": lambda L: L.cuda.device_count(),
    "cuda.manual_seed": lambda L: L.cuda.manual_seed(1),
    "cuda.manual_seed_all": lambda L: L.cuda.manual_seed_all(1),
    "cuda.is_initialized": lambda L: L.cuda.is_initialized(),
    "cuda.current_device": lambda L: L.cuda.current_device(),
    "cuda.get_device_name": lambda L: L.cuda.get_device_name(0),
    "cuda.synchronize": lambda L: L.cuda.synchronize(),
    "cuda.empty_cache": lambda L: L.cuda.empty_cache(),
    "cuda.memory_allocated": lambda L: L.cuda.memory_allocated(),
    "mps": lambda L: (L.backends.mps.is_available(), L.backends.mps.is_built()),
    "cudnn": lambda L: (L.backends.cudnn.enabled, L.backends.cudnn.benchmark, L.backends.cudnn.deterministic,
                        L.backends.cudnn.allow_tf32, L.backends.cudnn.is_available()),
    "cuda.matmul": lambda L: L.backends.cuda.matmul.allow_tf32,
    "accelerator": lambda L: (L.accelerator.is_available(), L.accelerator.current_accelerator(),
                              L.accelerator.device_count()),
    "accelerator index": lambda L: L.accelerator.current_device_index(),
    "default device": lambda L: L.get_default_device(),
    "default dtype": lambda L: L.get_default_dtype(),
    "set int default": lambda L: L.set_default_dtype(L.int64),
    "set bool default": lambda L: L.set_default_dtype(L.bool),
    "set non-dtype default": lambda L: L.set_default_dtype("float"),
}


@needs_torch
@pytest.mark.parametrize("case", NAMESPACES, ids=list(NAMESPACES))
def test_namespaces_as_torch(case):
    same(NAMESPACES[case])


def test_backend_flags_are_settable():
    tg.backends.cudnn.benchmark = True
    tg.backends.cudnn.deterministic = True
    tg.backends.cuda.matmul.allow_tf32 = True
    try:
        assert tg.backends.cudnn.benchmark and tg.backends.cudnn.deterministic
    finally:
        tg.backends.cudnn.benchmark = tg.backends.cudnn.deterministic = False
        tg.backends.cuda.matmul.allow_tf32 = False


@needs_torch
def test_default_device_as_torch():
    for L in (tg, torch):
        try:
            L.set_default_device("cpu:0")
            assert repr(L.get_default_device()).endswith("device(type='cpu', index=0)")
            assert L.zeros(1).device == L.device("cpu")
            L.set_default_device("cuda")  # accepted; what is then made on it fails
            with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
                L.zeros(2)
            with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
                L.tensor([1.0])
            assert L.zeros_like(L.empty(0, device="cpu")).shape == (0,)
        finally:
            L.set_default_device(None)
        with L.device("cpu"):
            assert L.get_default_device() == L.device("cpu")
        assert L.get_default_device() == L.device("cpu")
        assert L.zeros(1).device.type == "cpu"


def test_realistic_prologues_just_work():
    torch_ = tg
    device = torch_.accelerator.current_accelerator() if torch_.accelerator.is_available() else "cpu"
    device2 = torch_.device("cuda" if torch_.cuda.is_available() else "cpu")
    for dev in (device, device2, "cpu", torch_.device("cpu", 0)):
        model = torch_.nn.Sequential(torch_.nn.Linear(3, 4), torch_.nn.ReLU(), torch_.nn.Linear(4, 1)).to(dev)
        x = torch_.randn(5, 3).to(dev)
        y = torch_.zeros(5, 1, device=dev)
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        assert loss.device == torch_.device("cpu") and x.device.type == "cpu"
        assert all(p.grad is not None for p in model.parameters())
    model = torch_.nn.Linear(2, 2).to(torch_.device("cpu"), torch_.float64)
    assert model.weight.dtype == torch_.float64


@needs_torch
@pytest.mark.parametrize("dev", ["cuda", "cuda:0", "mps", "foo", "cpu:x"])
def test_module_to_bad_device_as_torch(dev):
    same(lambda L: L.nn.Linear(2, 2).to(dev))
    same(lambda L: L.nn.Linear(2, 2).cuda())


@needs_torch
@pytest.mark.parametrize("default", ["float64", "float32"])
def test_default_dtype_drives_floats_as_torch(default):
    def program(L):
        i = L.tensor([1, 2])
        return [L.tensor(1.5).dtype, L.tensor([1.5, 2]).dtype, L.zeros(2).dtype, L.ones(1).dtype, L.empty(1).dtype,
                L.rand(1).dtype, L.randn(1).dtype, L.full((1,), 1.5).dtype, L.arange(0.5, 2).dtype,
                L.arange(3).dtype, L.linspace(0, 1, 3).dtype, L.eye(2).dtype, (i * 1.5).dtype, (1.5 + i).dtype,
                L.exp(i).dtype, i.sqrt().dtype, (i / 2).dtype, L.tensor(np.float32(1.0)).dtype,
                L.tensor(np.array([1.0])).dtype, (L.ones(2, dtype=L.float32) * 1.5).dtype, L.get_default_dtype(),
                L.tensor([1.5]).mean().dtype, L.randint(0, 3, (2,)).dtype]
    results = []
    for L in (tg, torch):
        L.set_default_dtype(getattr(L, default))
        try:
            results.append([repr(d).replace("torch.", "tapegrad.") for d in program(L)])
        finally:
            L.set_default_dtype(L.float32)
    assert results[0] == results[1]
    assert tg.get_default_dtype() == tg.float32 and tg.tensor(0.5).dtype == tg.float32


@needs_torch
def test_float32_matmul_precision_as_torch():
    for L in (tg, torch):
        try:
            assert L.get_float32_matmul_precision() == "highest"
            L.set_float32_matmul_precision("high")
            assert L.get_float32_matmul_precision() == "high"
            with pytest.warns(UserWarning, match="foo is not one of 'highest', 'high', or 'medium'"):
                L.set_float32_matmul_precision("foo")
            assert L.get_float32_matmul_precision() == "high"
            with pytest.raises(RuntimeError, match="set_float32_matmul_precision expects a str, but got int"):
                L.set_float32_matmul_precision(3)
        finally:
            L.set_float32_matmul_precision("highest")
