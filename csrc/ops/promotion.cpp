// PyTorch's type promotion for ops over several tensors (result_type): which dtype an
// elementwise op computes in and returns.
#include <optional>

#include "ops/ops.h"

namespace tg {

namespace {

int category(DType d) { return d == DType::Bool ? 0 : is_floating(d) ? 2 : 1; }

// PyTorch's combine_categories: `higher` wins unless `lower` is of a higher category.
std::optional<DType> combine(std::optional<DType> higher, std::optional<DType> lower) {
  if (!higher) return lower;
  if (!lower) return higher;
  if (category(*lower) > category(*higher)) return promote(*higher, *lower);
  return higher;
}

struct PromotionState {
  std::optional<DType> dimensioned, zero_dim, wrapped;
  void add(const Tensor& t) {
    auto& slot = t.is_wrapped_number() ? wrapped : t.dim() == 0 ? zero_dim : dimensioned;
    // A Python float counts as the default dtype, not as float64.
    DType d = t.is_wrapped_number() && is_floating(t.dtype()) ? default_float() : t.dtype();
    slot = slot ? promote(*slot, d) : d;
  }
  DType result() const { return *combine(dimensioned, combine(zero_dim, wrapped)); }
};

}  // namespace

DType result_type(const Tensor& a, const Tensor& b) {
  PromotionState s;
  s.add(a);
  s.add(b);
  return s.result();
}

DType result_type(const Tensor& a, const Tensor& b, const Tensor& c) {
  PromotionState s;
  s.add(a);
  s.add(b);
  s.add(c);
  return s.result();
}

}  // namespace tg
