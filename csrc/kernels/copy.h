// Moving bytes between layouts and dtypes: contiguous copies, casts, fills, ranges, random.
#pragma once
#include <cstdint>

#include "core/scalar.h"
#include "core/tensor.h"
#include "kernels/generator.h"

namespace tg::kernels {

// dst[...] = src[...] with src broadcast to dst's shape and converted to dst's dtype.
void copy_into(const Tensor& dst, const Tensor& src);
Tensor cast(const Tensor& t, DType dtype);     // always a new tensor
// The one element of a one-element tensor (any shape or strides), as the number it is.
Scalar item(const Tensor& t);
Tensor contiguous_copy(const Tensor& t);        // always a new contiguous tensor
// The value is converted once to t's dtype, with PyTorch's overflow error where it does not fit
// (an int stays exact: 2**63 - 1 fills an int64 tensor with 2**63 - 1).
void fill(const Tensor& t, Scalar value);
Tensor full(const Shape& sizes, Scalar value, DType dtype);
// Counts in integers when all three are ints and dtype is int64 (exact up to int64's ends),
// else in doubles, as PyTorch does.
Tensor arange(Scalar start, Scalar end, Scalar step, DType dtype);

// Random numbers from `gen`, or the default generator (null); manual_seed seeds the default one.
void manual_seed(uint64_t seed);
void fill_uniform(const Tensor& t, double low, double high, Generator* gen = nullptr);
void fill_normal(const Tensor& t, double mean, double std, Generator* gen = nullptr);

}  // namespace tg::kernels
