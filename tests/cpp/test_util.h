// Small helpers shared by the C++ suites: build tensors from values, read them back.
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/tensor.h"
#include "kernels/copy.h"

namespace tg::testing {

// A contiguous tensor of `sizes` holding `values` (row-major), converted to `dtype`.
inline Tensor make(const Shape& sizes, const std::vector<double>& values, DType dtype = DType::Float64) {
  Tensor t = Tensor::empty(sizes, dtype);
  EXPECT_EQ((int64_t)values.size(), t.numel());
  visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (size_t i = 0; i < values.size(); ++i) t.data<T>()[i] = static_cast<T>(values[i]);
  });
  return t;
}

// 0, 1, 2, ... as a tensor of `sizes`.
inline Tensor iota(const Shape& sizes, DType dtype = DType::Float64) {
  std::vector<double> v(numel_of(sizes));
  for (size_t i = 0; i < v.size(); ++i) v[i] = (double)i;
  return make(sizes, v, dtype);
}

// Element at a multi-index, honouring strides and offset, as double.
inline double at(const Tensor& t, const std::vector<int64_t>& idx) {
  int64_t off = 0;
  for (size_t d = 0; d < idx.size(); ++d) off += idx[d] * t.strides()[d];
  return visit_dtype(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    return (double)t.data<T>()[off];
  });
}

// All elements in row-major logical order (works for any strides), as doubles.
inline std::vector<double> values(const Tensor& t) {
  Tensor c = kernels::cast(t, DType::Float64);  // contiguous copy through the strided loop
  const double* p = c.data<double>();
  return std::vector<double>(p, p + c.numel());
}

inline Shape shape(std::initializer_list<int64_t> s) { return Shape(s); }

// The message of the tg::Error that `fn` throws, checking its kind.
template <class F>
std::string error_of(F&& fn, ErrorKind kind) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected a tg::Error";
  return "";
}

}  // namespace tg::testing
