"""The type stubs stay in step with the code, and type checkers see them.

- python/tapegrad/_C/*.pyi are pybind11-stubgen's output (scripts/generate_stubs.py): a fresh
  generation from the imported tapegrad._C must equal the committed files.
- Every name of the native module (functions, classes, their methods and properties) is in the
  stubs, and no stub signature is a catch-all (`*args, **kwargs`) or has pybind11's fallback
  argument names (`arg0`); the same checks hold for the annotated Python API.
- mypy, run on a small program, reports the type errors in it and nothing else.

The checkers are tried on broken input too, so a check that could never fail would show.
"""
import ast
import importlib
import importlib.util
import inspect
import pkgutil
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Dict, List, Set

import pytest

import tapegrad
from tapegrad import _C

REPO = Path(__file__).resolve().parents[2]
STUB_DIR = REPO / "python" / "tapegrad" / "_C"
NATIVE_MODULES = {"tapegrad._C": _C, "tapegrad._C._nn": _C._nn, "tapegrad._C._optim": _C._optim}


def _load_generator() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("generate_stubs", REPO / "scripts" / "generate_stubs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _stub_path(module_name: str) -> Path:
    rel = module_name.split(".")[2:]  # tapegrad._C[.sub]
    return STUB_DIR / ("__init__.pyi" if not rel else rel[0] + ".pyi")


def _stub_names(tree: ast.Module) -> Dict[str, Set[str]]:
    """Names a stub defines: '' -> module level, 'Cls' -> the members of class Cls."""
    out: Dict[str, Set[str]] = {"": set()}

    def names_in(body: List[ast.stmt]) -> Set[str]:
        found: Set[str] = set()
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                found.add(node.name)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                found.add(node.target.id)
            elif isinstance(node, ast.Assign):
                found.update(t.id for t in node.targets if isinstance(t, ast.Name))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                found.update((a.asname or a.name).split(".")[0] for a in node.names)
        return found

    out[""] = names_in(tree.body)
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            out[node.name] = names_in(node.body)
    return out


# ---- signature checks, shared by the stubs and the Python API ----

_POSITIONAL_FALLBACK = re.compile(r"^arg\d+$")


def stub_signature_problems(source: str, filename: str) -> List[str]:
    """Catch-all or unnamed signatures in a stub: `*args`/`**kwargs`, an unannotated variadic,
    pybind11's `arg0` names, an unannotated argument or return, `...` where a type should be."""
    problems = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.FunctionDef):
            continue
        where = f"{filename}:{node.lineno} {node.name}"
        a = node.args
        params = a.posonlyargs + a.args + a.kwonlyargs
        for i, p in enumerate(params):
            if _POSITIONAL_FALLBACK.match(p.arg):
                problems.append(f"{where}: unnamed argument {p.arg}")
            if p.annotation is None and not (i == 0 and p.arg in ("self", "cls")):
                problems.append(f"{where}: argument {p.arg} has no type")
        if a.vararg is not None and (a.vararg.arg == "args" or a.vararg.annotation is None):
            problems.append(f"{where}: catch-all *{a.vararg.arg}")
        if a.kwarg is not None:
            problems.append(f"{where}: catch-all **{a.kwarg.arg}")
        if node.returns is None:
            problems.append(f"{where}: no return type")
        for ann in [node.returns] + [p.annotation for p in params]:
            if isinstance(ann, ast.Constant) and ann.value is Ellipsis:
                problems.append(f"{where}: a type stubgen could not express (...)")
    return problems


def _public_api_modules() -> List[types.ModuleType]:
    mods = [tapegrad]
    for info in pkgutil.walk_packages(tapegrad.__path__, "tapegrad."):
        if info.name.startswith("tapegrad._C"):
            continue
        mods.append(importlib.import_module(info.name))
    return mods


# Python-API functions that forward any arguments on purpose (typed `Any`, as in PyTorch):
# Module.__call__ passes them to forward; Function.forward/backward/apply take whatever a
# subclass defines; nn.Identity ignores its constructor arguments; the legacy constructors take
# data or sizes; checkpoint passes its arguments to the function it checkpoints.
_FORWARDING = {
    "tapegrad.utils.checkpoint.checkpoint",
    "tapegrad.utils.checkpoint.checkpoint_sequential",
    "tapegrad.nn.modules.module.Module.__call__",
    "tapegrad.autograd.function.Function.forward",
    "tapegrad.autograd.function.Function.backward",
    "tapegrad.autograd.function.Function.apply",
    "tapegrad.nn.modules.layers.Identity.__init__",
}


def python_signature_problems(fn: object, qualname: str) -> List[str]:
    problems = []
    try:
        sig = inspect.signature(fn)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return problems
    params = list(sig.parameters.values())
    for i, p in enumerate(params):
        if i == 0 and p.name in ("self", "cls"):
            continue
        if _POSITIONAL_FALLBACK.match(p.name):
            problems.append(f"{qualname}: unnamed argument {p.name}")
        if p.annotation is inspect.Parameter.empty:
            problems.append(f"{qualname}: argument {p.name} has no type")
        if p.kind is p.VAR_KEYWORD and qualname not in _FORWARDING:
            problems.append(f"{qualname}: catch-all **{p.name}")
        if p.kind is p.VAR_POSITIONAL and p.name == "args" and qualname not in _FORWARDING:
            problems.append(f"{qualname}: catch-all *args")
    if sig.return_annotation is inspect.Signature.empty:
        problems.append(f"{qualname}: no return type")
    return problems


def _public_functions():
    """(qualified name, function) for each public function and method the Python API defines."""
    seen = set()
    for mod in _public_api_modules():
        for name, obj in vars(mod).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != mod.__name__ or id(obj) in seen:
                continue
            seen.add(id(obj))
            if inspect.isfunction(obj):
                yield f"{mod.__name__}.{name}", obj
            elif inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    fn = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
                    if isinstance(fn, property):
                        fn = fn.fget
                    if not inspect.isfunction(fn) or (attr.startswith("_") and attr not in (
                            "__init__", "__new__", "__call__", "__getitem__", "__setitem__", "__iter__",
                            "__len__", "__enter__", "__exit__")):
                        continue
                    if fn.__code__.co_filename.startswith("<"):  # made by namedtuple/dataclass
                        continue
                    yield f"{mod.__name__}.{obj.__name__}.{attr}", fn


# ---- the tests ----

def test_committed_stubs_match_a_fresh_generation(tmp_path):
    pytest.importorskip("pybind11_stubgen")
    gen = _load_generator()
    from importlib.metadata import version
    if version("pybind11-stubgen") != gen.STUBGEN_VERSION:
        pytest.skip(f"pybind11-stubgen {version('pybind11-stubgen')} installed; the stubs are made with "
                    f"{gen.STUBGEN_VERSION} (pip install pybind11-stubgen=={gen.STUBGEN_VERSION})")
    fresh = gen.generate(tmp_path / "fresh")
    diff = gen.differences(fresh, STUB_DIR)
    assert not diff, ("python/tapegrad/_C/*.pyi are out of date; run `python scripts/generate_stubs.py` "
                      "after building, and commit the result:\n" + diff)

    # The comparison does see a change: a stub edited by hand differs from the generation.
    edited = tmp_path / "edited"
    shutil.copytree(STUB_DIR, edited)
    stub = edited / "__init__.pyi"
    stub.write_text(stub.read_text().replace("def numel(self) -> int:", "def numel(self) -> float:"))
    assert "def numel(self) -> float:" in gen.differences(fresh, edited)


def test_native_stub_files_exist_beside_the_package():
    assert (REPO / "python" / "tapegrad" / "py.typed").exists()
    for name in NATIVE_MODULES:
        assert _stub_path(name).exists(), name
    # A stub folder named like the extension must not shadow it at run time.
    assert not (STUB_DIR / "__init__.py").exists()
    assert Path(_C.__file__).suffix in (".so", ".pyd")


# pybind11's own members, not part of tapegrad's API.
_PYBIND_INTERNALS = {"__module__", "__doc__", "__dict__", "__weakref__", "_pybind11_conduit_v1_", "__entries",
                     "__qualname__", "__firstlineno__", "__static_attributes__"}


@pytest.mark.parametrize("module_name", sorted(NATIVE_MODULES))
def test_every_native_name_is_in_the_stubs(module_name):
    module = NATIVE_MODULES[module_name]
    stub = _stub_names(ast.parse(_stub_path(module_name).read_text()))
    runtime = {n for n in vars(module) if not (n.startswith("__") and n.endswith("__"))}
    missing = sorted(runtime - stub[""])
    assert not missing, f"{module_name}: not in the stubs: {missing}"
    for cls_name, cls in vars(module).items():
        if not inspect.isclass(cls) or cls.__module__ != module_name:
            continue
        members = set(vars(cls)) - _PYBIND_INTERNALS
        if issubclass(cls, int) or hasattr(cls, "__members__"):  # enum: pybind11's plumbing
            members -= {"__init__", "__getstate__", "__setstate__", "__index__", "__int__", "__members__"}
        members = {m for m in members if not (m.startswith("__") and m.endswith("__") and m not in stub[cls_name]
                                              and getattr(object, m, None) is not None)}
        missing = sorted(members - stub[cls_name])
        assert not missing, f"{module_name}.{cls_name}: not in the stubs: {missing}"


def test_stub_signatures_name_and_type_every_argument():
    problems = []
    for name in NATIVE_MODULES:
        path = _stub_path(name)
        problems += stub_signature_problems(path.read_text(), str(path.relative_to(REPO)))
    assert not problems, "\n".join(problems)


def test_stub_signature_check_finds_catch_alls():
    broken = ("class T:\n"
              "    def view(self, *args, **kwargs): ...\n"
              "    def add(self, arg0: T) -> T: ...\n"
              "    def sum(self, dim) -> T: ...\n"
              "    def mean(self) -> ...: ...\n"
              "    def ok(self, *size: int) -> T: ...\n")
    problems = stub_signature_problems(broken, "broken.pyi")
    assert problems == [
        "broken.pyi:2 view: catch-all *args", "broken.pyi:2 view: catch-all **kwargs",
        "broken.pyi:2 view: no return type", "broken.pyi:3 add: unnamed argument arg0",
        "broken.pyi:4 sum: argument dim has no type", "broken.pyi:5 mean: a type stubgen could not express (...)",
    ]


def test_python_api_is_annotated():
    problems = []
    names = []
    for qualname, fn in _public_functions():
        names.append(qualname)
        problems += python_signature_problems(fn, qualname)
    assert len(names) > 150  # the walk does reach the API
    for expected in ("tapegrad._creation.zeros", "tapegrad.nn.functional.cross_entropy",
                     "tapegrad.nn.modules.module.Module.register_forward_hook",
                     "tapegrad.optim.adam.Adam.step", "tapegrad.utils.data.dataloader.DataLoader.__init__"):
        assert expected in names
    assert not problems, "\n".join(problems)


def test_python_signature_check_finds_catch_alls():
    def untyped(x, *args, **kwargs):
        pass

    def fallback(arg0: int) -> int:
        return arg0

    assert python_signature_problems(untyped, "untyped") == [
        "untyped: argument x has no type", "untyped: argument args has no type", "untyped: catch-all *args",
        "untyped: argument kwargs has no type", "untyped: catch-all **kwargs", "untyped: no return type"]
    assert python_signature_problems(fallback, "fallback") == ["fallback: unnamed argument arg0"]


# ---- mypy sees the stubs ----

_PROGRAM = '''\
import tapegrad
from tapegrad import nn
from tapegrad.utils.data import DataLoader, TensorDataset


def double_relu(x: tapegrad.Tensor) -> tapegrad.Tensor:
    return x.relu() * 2 + 1.5


y = double_relu(tapegrad.ones(2, 3, requires_grad=True))
rows: int = y.size(0)
shape: tapegrad.Size = y.size()
best: tapegrad.Tensor = y.max(dim=1).values
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
weight: tapegrad.Tensor = nn.Linear(3, 4).weight
grad: "tapegrad.Tensor | None" = y.grad
loader = DataLoader(TensorDataset(y.detach()), batch_size=2, num_workers=0)
handle = model.register_forward_hook(lambda module, args, output: None)
handle.remove()
total: float = y.sum().item()
name: str = y.sum()
y.view("2, 3")
double_relu([1.0, 2.0])
y.no_such_method()
nn.Linear(3, "4")
'''

# (line, mypy error code) of each mistake in _PROGRAM, and nothing else.
_EXPECTED = {(21, "assignment"), (22, "arg-type"), (23, "arg-type"), (24, "attr-defined"), (25, "arg-type")}


def test_mypy_reports_the_type_errors_of_a_program(tmp_path):
    pytest.importorskip("mypy")
    program = tmp_path / "program.py"
    program.write_text(_PROGRAM)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"), "--no-error-summary",
         "--show-error-codes", "--cache-dir", str(tmp_path / "cache"), str(program)],
        capture_output=True, text=True, cwd=tmp_path, timeout=600)
    errors = set()
    for line in result.stdout.splitlines():
        m = re.match(r"^(.*?):(\d+): error: .*\[([\w-]+)\]$", line)
        if m:
            assert Path(m.group(1)).name == "program.py", f"an error outside the program:\n{result.stdout}"
            errors.add((int(m.group(2)), m.group(3)))
    assert errors == _EXPECTED, result.stdout + result.stderr
    assert result.returncode == 1
