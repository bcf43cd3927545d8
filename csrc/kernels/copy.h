// Moving bytes between layouts and dtypes: contiguous copies, casts, fills, ranges, random.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace tg::kernels {

// dst[...] = src[...] with src broadcast to dst's shape and converted to dst's dtype.
void copy_into(const Tensor& dst, const Tensor& src);
Tensor cast(const Tensor& t, DType dtype);     // always a new tensor
Tensor contiguous_copy(const Tensor& t);        // always a new contiguous tensor
void fill(const Tensor& t, double value);
Tensor full(const Shape& sizes, double value, DType dtype);
Tensor arange(double start, double end, double step, DType dtype);

// Random numbers from one process-wide generator; manual_seed makes them reproducible.
void manual_seed(uint64_t seed);
void fill_uniform(const Tensor& t, double low, double high);
void fill_normal(const Tensor& t, double mean, double std);

}  // namespace tg::kernels
