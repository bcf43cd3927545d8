// Anomaly mode: nodes remember the Python stack of the forward call that created them, and
// the engine raises as soon as a node returns a NaN gradient, naming the node and that stack.
#pragma once
#include <string>

#include "core/tensor.h"

namespace tg {

struct AnomalyMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
  // The bindings install a function that formats the current Python stack; the core has none.
  using StackCapture = std::string (*)();
  static void set_stack_capture(StackCapture fn);
  static std::string capture_stack();
};

bool has_nan(const Tensor& t);

}  // namespace tg
