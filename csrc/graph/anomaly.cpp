#include "graph/anomaly.h"

#include <atomic>
#include <cmath>

#include "kernels/copy.h"

namespace tg {

static std::atomic<bool> g_anomaly{false};
static std::atomic<AnomalyMode::StackCapture> g_capture{nullptr};

bool AnomalyMode::is_enabled() { return g_anomaly.load(std::memory_order_relaxed); }
void AnomalyMode::set_enabled(bool enabled) { g_anomaly.store(enabled); }
void AnomalyMode::set_stack_capture(StackCapture fn) { g_capture.store(fn); }
std::string AnomalyMode::capture_stack() {
  StackCapture fn = g_capture.load();
  return fn ? fn() : std::string();
}

bool has_nan(const Tensor& t) {
  if (!is_floating(t.dtype())) return false;
  Tensor c = t.is_contiguous() ? t : kernels::contiguous_copy(t);
  return visit_floating(c.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = c.data<T>();
    for (int64_t i = 0, n = c.numel(); i < n; ++i)
      if (std::isnan(p[i])) return true;
    return false;
  });
}

}  // namespace tg
