// Test-only entry points. The canary proves a sanitizer build is live: under ASan its
// out-of-bounds read must be reported (tests/python/test_sanitizers.py runs it in a subprocess).
#include <memory>

#include "bindings/module.h"

namespace tg::bindings {

void bind_testing(py::module_& m) {
#ifdef TAPEGRAD_SANITIZED
  m.attr("_sanitized") = true;
#else
  m.attr("_sanitized") = false;
#endif
  m.def("_sanitizer_canary", [] {
    auto buf = std::make_unique<int[]>(4);
    volatile int* p = buf.get();
    return (int)p[4];  // one past the end: deliberately out of bounds
  });
}

}  // namespace tg::bindings
