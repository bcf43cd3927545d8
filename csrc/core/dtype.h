// The four element types and PyTorch's type promotion between them.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>

#include "core/error.h"

namespace tg {

// Ordered by promotion rank: promoting two dtypes picks the larger one.
enum class DType : uint8_t { Bool = 0, Int64 = 1, Float32 = 2, Float64 = 3 };

// The dtype Python floats, float data and int -> float promotions (exp of an int tensor) take:
// float32 until set_default_dtype changes it (to float32 or float64 only, as PyTorch allows).
// A relaxed load: every op that promotes reads it, and a change need not order anything else.
namespace detail {
extern std::atomic<DType> g_default_float;
}
inline DType default_float() { return detail::g_default_float.load(std::memory_order_relaxed); }
void set_default_float(DType d);  // TG_CHECKs that d is floating

inline size_t itemsize(DType d) {
  switch (d) {
    case DType::Bool: return 1;
    case DType::Int64: return 8;
    case DType::Float32: return 4;
    case DType::Float64: return 8;
  }
  return 0;
}

inline bool is_floating(DType d) { return d == DType::Float32 || d == DType::Float64; }

// "float32" (numpy-style name) and "Float" (PyTorch's legacy type name used in messages).
const char* dtype_name(DType d);
const char* dtype_legacy_name(DType d);
const char* dtype_scalar_name(DType d);  // "float", "double", "long", "bool" (C++ scalar names)

inline DType promote(DType a, DType b) { return a > b ? a : b; }

template <class T> struct dtype_of;
template <> struct dtype_of<bool> { static constexpr DType value = DType::Bool; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct dtype_of<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::Float64; };

template <class T> struct type_tag { using type = T; };

// visit_dtype(d, [&](auto tag) { using T = typename decltype(tag)::type; ... })
template <class F>
decltype(auto) visit_dtype(DType d, F&& f) {
  switch (d) {
    case DType::Bool: return f(type_tag<bool>{});
    case DType::Int64: return f(type_tag<int64_t>{});
    case DType::Float32: return f(type_tag<float>{});
    case DType::Float64: return f(type_tag<double>{});
  }
  TG_ERROR(Runtime, "unknown dtype");
}

// Only the floating types, for kernels that make no sense on integers (exp, matmul, ...).
template <class F>
decltype(auto) visit_floating(DType d, F&& f) {
  if (d == DType::Float64) return f(type_tag<double>{});
  TG_CHECK(d == DType::Float32, Runtime, "expected a floating point tensor, got ", dtype_name(d));
  return f(type_tag<float>{});
}

}  // namespace tg
