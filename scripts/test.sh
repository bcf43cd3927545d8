#!/usr/bin/env bash
# Installs what the tests need (with the PyTorch oracle) and runs every test: mypy (types), pytest
# (Python) and ctest (C++).
# The package is built once, with the C++ test executables, in build/test (kept for reuse).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f /usr/include/gtest/gtest.h ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libgtest-dev
fi

build_dir=build/test
python -m pip install --quiet ".[test,oracle]" \
  -C build-dir="$build_dir" -C cmake.define.TAPEGRAD_BUILD_TESTS=ON

# Types: the examples and the package type-check against the shipped stubs ([tool.mypy] in
# pyproject.toml); tests/python/test_stubs.py checks the stubs match the bindings.
python -m mypy examples/ python/tapegrad

python -m pytest tests/python -q
ctest --test-dir "$build_dir" --output-on-failure
