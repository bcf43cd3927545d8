// Shape arithmetic shared by every op: numel, contiguous strides, dim wrapping, broadcasting,
// and the stride computation that decides whether a view is possible.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/small_vector.h"

namespace tg {

using Shape = SmallVector<int64_t, 6>;

// "[2, 3]" as PyTorch prints sizes inside messages.
std::string shape_str(const Shape& s);

// Number of elements; throws RuntimeError on negative sizes or int64 overflow.
int64_t checked_numel(const Shape& sizes);
// The product of the sizes: zero when any size is zero (an empty shape's other sizes may
// multiply past int64); RuntimeError when a product of nonzero sizes overflows.
inline int64_t numel_of(const Shape& sizes) {
  for (int64_t s : sizes)
    if (s == 0) return 0;
  int64_t n = 1;
  for (int64_t s : sizes)
    TG_CHECK(!__builtin_mul_overflow(n, s, &n), Runtime, "Storage size calculation overflowed with sizes=",
             shape_str(sizes));
  return n;
}

Shape contiguous_strides(const Shape& sizes);

// Maps a possibly negative dim into [0, ndim); IndexError worded as PyTorch's.
int64_t wrap_dim(int64_t dim, int64_t ndim);

// numpy broadcasting; RuntimeError "The size of tensor a (3) must match ..." on mismatch.
Shape broadcast_shapes(const Shape& a, const Shape& b);

// Strides that make `sizes` the stride layout of a tensor whose elements are `old_sizes` with
// `old_strides` (PyTorch's view rule), or nothing when the view would have to copy.
std::optional<Shape> view_strides(const Shape& old_sizes, const Shape& old_strides,
                                  const Shape& sizes);

// Resolves a single -1 in a requested shape against numel; RuntimeError as PyTorch's.
Shape infer_size(const Shape& requested, int64_t numel);

}  // namespace tg
