#include "graph/hooks.h"

#include <atomic>

namespace tg {

uint64_t next_hook_id() {
  static std::atomic<uint64_t> counter{1};
  return counter.fetch_add(1);
}

void TensorHooks::set_retains_grad(const std::weak_ptr<TensorImpl>& t) {
  std::lock_guard<std::mutex> lock(mutex_);
  retains_grad_ = t;
}

std::shared_ptr<TensorImpl> TensorHooks::retains_grad() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return retains_grad_.lock();
}

void validate_hook_result(const Tensor& value, const Tensor& result, const std::string& hook_name) {
  if (!result.defined()) return;  // dropping a gradient is always allowed
  TG_CHECK(value.defined(), Runtime, "can't replace a None gradient with a non-None value");
  TG_CHECK(result.dtype() == value.dtype(), Runtime, "hook '", hook_name, "' has changed the type of value (was torch.",
           dtype_legacy_name(value.dtype()), "Tensor got torch.", dtype_legacy_name(result.dtype()), "Tensor)");
  TG_CHECK(result.sizes() == value.sizes(), Runtime, "hook '", hook_name, "' has changed the size of value");
}

void validate_hook_result(const TensorList& values, const TensorList& result, const std::string& hook_name) {
  TG_CHECK(result.size() == values.size(), Runtime, "hook '", hook_name,
           "' has returned an incorrect number of values (got ", result.size(), ", but expected ", values.size(), ")");
  for (size_t i = 0; i < values.size(); ++i) validate_hook_result(values[i], result[i], hook_name);
}

}  // namespace tg
