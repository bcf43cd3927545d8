#!/usr/bin/env bash
# Installs what the tests need and runs every test: pytest (Python) and ctest (C++).
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
python -m pip install --quiet ".[test]" \
  -C build-dir="$build_dir" -C cmake.define.TAPEGRAD_BUILD_TESTS=ON

python -m pytest tests/python -q
ctest --test-dir "$build_dir" --output-on-failure
