// unique / unique_consecutive and nonzero (ops/unique.cpp), for the bindings, which choose
// which results a Python call returns (return_inverse, return_counts, as_tuple).
#pragma once
#include <optional>

#include "ops/op.h"
#include "ops/ops.h"

namespace tg {

struct UniqueResult {
  Tensor values, inverse, counts;
};
// The distinct elements (or slices along dim), sorted, or for `consecutive` the first of each
// run of equal neighbours; inverse: each element's (slice's) place among them; counts: how many.
UniqueResult unique(const Tensor& x, bool consecutive, std::optional<int64_t> dim);
Tensor nonzero(const Tensor& x);  // (count, x.dim()) int64

}  // namespace tg
