"""tapegrad.device and the checks every `device=` argument goes through.

tapegrad emulates a CPU-only PyTorch build: device('cuda') can be made and printed, but a
tensor asked for on it gets the error a CPU-only torch raises (AssertionError "Torch not
compiled with CUDA enabled"), so programs that pick their device with
`torch.cuda.is_available()` or `torch.accelerator` run unchanged on the CPU."""
import builtins
import re
from typing import Any, Optional, Union

# PyTorch's device types, in its order (its error message lists them so).
_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
          "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
_SPEC = re.compile(r"([a-zA-Z_]+)(?::(0|[1-9][0-9]*))?\Z")


def _parse(spec: str):
    m = _SPEC.match(spec)
    if m is None:
        raise RuntimeError(f"Invalid device string: '{spec}'")
    if m.group(1) not in _TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of device string: {spec}")
    return m.group(1), None if m.group(2) is None else int(m.group(2))


class device:
    """device('cpu'), device('cpu', 0), device('cpu:0'), device(other_device). Immutable,
    hashable, picklable; `with device('cpu'):` makes it the default device inside the block."""
    __slots__ = ("_type", "_index", "_previous")
    _type: str
    _index: Optional[int]

    def __init__(self, type: Any = None, index: Any = None) -> None:  # noqa: A002
        if isinstance(type, device) and index is None:
            self._type, self._index = type._type, type._index
        elif isinstance(type, str):
            if index is not None and (not isinstance(index, int) or isinstance(index, builtins.bool)):
                raise TypeError(f"device(): argument 'index' (position 2) must be int, not {builtins.type(index).__name__}")
            kind, idx = _parse(type)
            if index is not None:
                if idx is not None:
                    raise RuntimeError("type (string) must not include an index because index was passed "
                                       f"explicitly: {type}")
                if index < 0:
                    raise RuntimeError("Device index must not be negative")
                idx = index
            self._type, self._index = kind, idx
        elif isinstance(type, int) and not isinstance(type, builtins.bool) and index is None:
            raise RuntimeError("Cannot access accelerator device when none is available.")
        else:
            given = [builtins.type(a).__name__ for a in (type, index) if a is not None]
            why = (f"      didn't match because some of the arguments have invalid types: (!{given[0]}!)\n"
                   if len(given) == 1 else "")
            raise TypeError(f"device() received an invalid combination of arguments - got ({', '.join(given)}), but "
                            f"expected one of:\n * (torch.device device)\n{why} * (str type, int index = -1)\n")
        self._previous: Any = None

    @property
    def type(self) -> str:
        return self._type

    @property
    def index(self) -> Optional[int]:
        return self._index

    def __repr__(self) -> str:
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __str__(self) -> str:
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __format__(self, spec: str) -> str:
        if spec:
            raise TypeError("unsupported format string passed to torch.device.__format__")
        return str(self)

    def __eq__(self, other: object) -> builtins.bool:
        if not isinstance(other, device):
            return False
        return self._type == other._type and self._index == other._index

    def __ne__(self, other: object) -> builtins.bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((self._type, self._index))

    def __reduce__(self):
        return (device, (self._type,) if self._index is None else (self._type, self._index))

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("type", "index"):
            raise AttributeError(f"attribute '{name}' of 'torch.device' objects is not writable")
        object.__setattr__(self, name, value)

    def __enter__(self) -> "device":
        global _default
        self._previous = _default
        set_default_device(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        global _default, _default_is_cpu
        _default = self._previous
        _default_is_cpu = _default is None or _default.type == "cpu"


device.__module__ = "tapegrad"
DeviceLike = Union[device, str, int, None]
CPU = device("cpu")

# The default device (None: the CPU, as in PyTorch until set_default_device is called).
_default: Optional[device] = None
_default_is_cpu = True


def _not_available(kind: str, fname: Optional[str]) -> BaseException:
    """What a CPU-only torch raises for a tensor asked for on `kind`."""
    if kind in ("cuda", "xpu"):
        return AssertionError(f"Torch not compiled with {kind.upper()} enabled")
    if kind == "mps":
        if fname is None or fname in ("tensor", "as_tensor"):
            return RuntimeError("PyTorch is not linked with support for mps devices")
        return NotImplementedError(
            "Could not run 'aten::empty.memory_format' with arguments from the 'MPS' backend. This could be because "
            "the operator doesn't exist for this backend, or was omitted during the selective/custom build process "
            "(if using custom build)")
    return RuntimeError(f"tapegrad has no '{kind}' device: tensors live on the 'cpu' device only")


def check(dev: Any, fname: Optional[str] = None) -> builtins.bool:
    """Checks a `device=` argument (None: the default device), with PyTorch's errors for anything
    but the CPU. True when it names an index ('cpu:0'), where Tensor.to copies as torch does.
    fname: the creation function it was given to (None for Tensor.to)."""
    if dev is None:
        if _default_is_cpu:
            return False
        dev = _default
    if isinstance(dev, device):
        kind, index = dev._type, dev._index
    elif isinstance(dev, str):
        if dev == "cpu":
            return False
        kind, index = _parse(dev)
    elif isinstance(dev, int) and not isinstance(dev, builtins.bool):
        raise RuntimeError("Cannot access accelerator device when none is available.")
    elif isinstance(getattr(dev, "type", None), str):  # another library's device (torch.device) read as ours
        kind, index = dev.type, getattr(dev, "index", None)
    else:
        what = type(dev).__name__
        raise TypeError(f"{fname or 'to'}(): argument 'device' must be torch.device, not {what}")
    if kind != "cpu":
        raise _not_available(kind, fname)
    return index is not None


def set_default_device(dev: DeviceLike) -> None:
    """As torch's: any device can be named; creation functions then raise for one tapegrad lacks."""
    global _default, _default_is_cpu
    _default = None if dev is None else dev if isinstance(dev, device) else device(dev)
    _default_is_cpu = _default is None or _default.type == "cpu"


def get_default_device() -> device:
    if _default is None:
        return CPU
    if _default.type != "cpu":
        raise _not_available(_default.type, None)
    return _default


def check_generator_device(dev: Any) -> None:
    """Generator(device=...): the CPU only, with a CPU-only torch's errors for the rest."""
    kind = dev.type if isinstance(dev, device) else None
    if isinstance(dev, str):
        kind = _parse(dev)[0]
    if kind == "cuda":
        raise RuntimeError(
            "Cannot get CUDA generator without ATen_cuda library. PyTorch splits its backend into two shared "
            "libraries: a CPU library and a CUDA library; this error has occurred because you are trying to use some "
            "CUDA functionality, but the CUDA library has not been loaded by the dynamic linker for some reason.  The "
            "CUDA library MUST be loaded, EVEN IF you don't directly use any symbols from the CUDA library! One "
            "common culprit is a lack of -Wl,--no-as-needed in your link arguments; many dynamic linkers will delete "
            "dynamic library dependencies if you don't depend on any of their symbols.  You can check if this has "
            "occurred by using ldd on your binary to see if there is a dependency on *_cuda.so library.")
    if kind == "mps":
        raise RuntimeError("Cannot execute getNewGenerator() without MPS backend.")
    check(dev, "Generator")
