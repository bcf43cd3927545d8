#!/usr/bin/env bash
# Builds the core, the C++ tests and the extension with ASan + UBSan (build/asan) and runs the
# C++ tests and the Python suite under them. Python itself is not instrumented: the ASan
# runtime is preloaded and leak detection is off for the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet cmeel-eigen pybind11 pytest numpy hypothesis

build_dir=build/asan
# -O1 -g1: a third less compile time than RelWithDebInfo, with the line tables ASan reports need.
# Built for this machine (TAPEGRAD_NATIVE), so the AVX2 kernels (sgemm.cpp's packing and its
# overlapping stores, stream_store.h) run under the sanitizers too.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DTAPEGRAD_SANITIZE=address,undefined -DTAPEGRAD_BUILD_TESTS=ON -DTAPEGRAD_NATIVE=ON \
  -Dpybind11_DIR="$(python -m pybind11 --cmakedir)" \
  -DCMAKE_PREFIX_PATH="$(python -c 'import sys, os; print(";".join(os.path.join(p, "cmeel.prefix") for p in sys.path if p))')" \
  > "$build_dir.configure.log" 2>&1 || { cat "$build_dir.configure.log"; exit 1; }
cmake --build "$build_dir"

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Without the caching allocator every freed buffer really is freed, so ASan sees a
# use-after-free instead of a recycled buffer.
export TAPEGRAD_CACHING_ALLOCATOR=0
ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 ctest --test-dir "$build_dir" --output-on-failure

# The Python suite against the sanitized extension: a copy of the package with that _C.
pkg="$build_dir/pkg"
rm -rf "$pkg" && mkdir -p "$pkg"
cp -r python/tapegrad "$pkg/"
cp "$build_dir"/_C*.so "$pkg/tapegrad/"
# libstdc++ is preloaded too: ASan must find the real __cxa_throw when it starts, before Python
# would load libstdc++ with the extension.
# The fuzzer (tests/python/test_fuzz.py) runs its short "sanitized" profile here.
LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libstdc++.so)" ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 PYTHONPATH="$pkg" \
  TAPEGRAD_FUZZ_PROFILE=sanitized python -m pytest tests/python -q -p no:cacheprovider
