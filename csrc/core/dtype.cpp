#include "core/dtype.h"

namespace tg {

namespace detail {
std::atomic<DType> g_default_float{DType::Float32};
}

void set_default_float(DType d) {
  TG_CHECK(is_floating(d), Type, "only floating-point types are supported as the default type");
  detail::g_default_float.store(d, std::memory_order_relaxed);
}

const char* dtype_name(DType d) {
  switch (d) {
    case DType::Bool: return "bool";
    case DType::Int64: return "int64";
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
  }
  return "?";
}

const char* dtype_scalar_name(DType d) {
  switch (d) {
    case DType::Bool: return "bool";
    case DType::Int64: return "long int";
    case DType::Float32: return "float";
    case DType::Float64: return "double";
  }
  return "?";
}

const char* dtype_legacy_name(DType d) {
  switch (d) {
    case DType::Bool: return "Bool";
    case DType::Int64: return "Long";
    case DType::Float32: return "Float";
    case DType::Float64: return "Double";
  }
  return "?";
}

}  // namespace tg
