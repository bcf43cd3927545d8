#!/usr/bin/env python
"""Regenerates the type stubs of the native module, python/tapegrad/_C/*.pyi, with
pybind11-stubgen (pinned in pyproject's `test` extra: another version may print differently).

    python scripts/generate_stubs.py            # rewrite python/tapegrad/_C/*.pyi
    python scripts/generate_stubs.py --check    # exit 1 if they differ from a fresh generation

Run it after changing a binding (csrc/bindings/*.cpp), against a fresh build of tapegrad._C
that Python imports (PYTHONPATH=python with the .so copied there, or an installed wheel).
tests/python/test_stubs.py fails while the committed stubs and a fresh generation differ.

The stubs come from the signatures pybind11 writes into each docstring, so they are as good
as the bindings: every argument has a py::arg name, and arguments that a binding parses by
hand carry their Python type through csrc/bindings/hints.h. Four adjustments to stubgen's
defaults:
  * its numpy fix that turns any type named `dtype` into numpy.dtype is left out
    (tapegrad._C.dtype is tapegrad's own dtype class);
  * type names that a class member shadows are written in full (Tensor has methods named
    bool and float and a property named dtype);
  * `_sanitized`, a flag whose value depends on the build, is written without its value;
  * the overload that only raises PyTorch's argument error (argument_errors.cpp) is left out.
"""
import argparse
import difflib
import filecmp
import re
import shutil
import sys
import tempfile
from pathlib import Path

MODULE = "tapegrad._C"
STUBGEN_VERSION = "3.0.0"  # as pinned in pyproject's `test` extra
REPO = Path(__file__).resolve().parent.parent
STUB_DIR = REPO / "python" / "tapegrad" / "_C"


def _qualify_shadowed_names():
    """A stubgen parser mixin: inside a class, a type name that is also a member of that class
    (Tensor.bool() and bool, Tensor.dtype and dtype, dtype.bool and bool) would name the member
    in the stub, so it is written in full (builtins.bool, tapegrad._C.dtype)."""
    import builtins
    import types

    from pybind11_stubgen.parser.interface import IParser
    from pybind11_stubgen.structs import QualifiedName, ResolvedType

    class QualifyShadowedNames(IParser):
        def __init__(self) -> None:
            super().__init__()
            self.__module = QualifiedName()
            self.__classes: list = []

        def handle_module(self, path, module: types.ModuleType):
            old, self.__module = self.__module, path
            try:
                return super().handle_module(path, module)
            finally:
                self.__module = old

        def handle_class(self, path, class_: type):
            self.__classes.append(class_)
            try:
                return super().handle_class(path, class_)
            finally:
                self.__classes.pop()

        def parse_annotation_str(self, annotation_str: str):
            return self.__qualify(super().parse_annotation_str(annotation_str))

        def __qualify(self, annotation):
            if not isinstance(annotation, ResolvedType):
                return annotation
            name = annotation.name
            if len(name) == 1 and self.__classes and name[0] in vars(self.__classes[-1]):
                prefix = ("builtins",) if hasattr(builtins, name[0]) else tuple(self.__module)
                annotation.name = QualifiedName(prefix + tuple(name))
            if annotation.parameters is not None:
                annotation.parameters = [self.__qualify(p) for p in annotation.parameters]
            return annotation

    return QualifyShadowedNames


def _drop_argument_error_fallbacks():
    """A stubgen parser mixin: every bound function has a last overload that only raises
    PyTorch's "invalid combination of arguments" error (csrc/bindings/argument_errors.cpp,
    recognised by its `_unmatched` parameter). It is no signature to call, so it is left out."""
    from pybind11_stubgen.parser.interface import IParser

    class DropArgumentErrorFallbacks(IParser):
        def handle_function(self, path, func):
            overloads = [f for f in super().handle_function(path, func)
                         if not any(a.name == "_unmatched" for a in f.args)]
            if len(overloads) == 1:  # no longer an overload set
                overloads[0].decorators = [d for d in overloads[0].decorators if "overload" not in str(d)]
            return overloads

    return DropArgumentErrorFallbacks


def generate(out_root: Path) -> Path:
    """Writes the stubs of tapegrad._C under out_root (as tapegrad/_C/*.pyi); returns that
    folder. Raises RuntimeError when stubgen reports an error (an unresolved or C++ type)."""
    import logging

    import pybind11_stubgen as sg

    args = sg.arg_parser().parse_args([MODULE, "-o", str(out_root), "--exit-code"], namespace=sg.CLIArgs())
    bases = []
    for b in type(sg.stub_parser_from_args(args)).__bases__:
        if b is sg.FixCurrentModulePrefixInTypeNames:
            bases.append(_qualify_shadowed_names())  # runs after the module prefix is stripped
            bases.append(_drop_argument_error_fallbacks())
        if b is not sg.FixNumpyDtype:
            bases.append(b)
    parser_cls = type("TapegradStubParser", tuple(bases), {})

    errors = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR:
                errors.append(record.getMessage())

    log = logging.getLogger("pybind11_stubgen")
    handler = Collect()
    log.addHandler(handler)
    try:
        sg.run(parser_cls(), sg.Printer(invalid_expr_as_ellipses=True, print_value_comments=False), [MODULE],
               str(out_root), root_suffix=None, dry_run=False, writer=sg.Writer(stub_ext="pyi"))
    except SystemExit as e:  # --exit-code: stubgen exits on its first error
        raise RuntimeError("pybind11-stubgen failed:\n" + "\n".join(errors)) from e
    finally:
        log.removeHandler(handler)
    if errors:
        raise RuntimeError("pybind11-stubgen reported errors:\n" + "\n".join(errors))
    stub_dir = out_root / "tapegrad" / "_C"
    init = stub_dir / "__init__.pyi"
    init.write_text(re.sub(r"^_sanitized: bool = (True|False)$", "_sanitized: bool", init.read_text(), flags=re.M))
    return stub_dir


def differences(fresh: Path, committed: Path) -> str:
    """A unified diff between two stub folders ('' when they are the same)."""
    out = []
    names = sorted({p.name for p in fresh.glob("*.pyi")} | {p.name for p in committed.glob("*.pyi")})
    for name in names:
        a, b = committed / name, fresh / name
        if a.exists() and b.exists() and filecmp.cmp(a, b, shallow=False):
            continue
        old = a.read_text().splitlines(keepends=True) if a.exists() else []
        new = b.read_text().splitlines(keepends=True) if b.exists() else []
        out.extend(difflib.unified_diff(old, new, f"committed/{name}", f"generated/{name}"))
    return "".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only compare; exit 1 on a difference")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        diff = differences(fresh, STUB_DIR)
        if args.check:
            sys.stdout.write(diff)
            return 1 if diff else 0
        if STUB_DIR.exists():
            for old in STUB_DIR.glob("*.pyi"):
                old.unlink()
        STUB_DIR.mkdir(parents=True, exist_ok=True)
        for f in fresh.glob("*.pyi"):
            shutil.copy(f, STUB_DIR / f.name)
    print(f"wrote {', '.join(sorted(p.name for p in STUB_DIR.glob('*.pyi')))} to {STUB_DIR.relative_to(REPO)}"
          + (" (changed)" if diff else " (unchanged)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
