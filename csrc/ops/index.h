// x[key] and x[key] = value with a whole key: bindings/index_key.cpp reads a Python key once
// into an IndexKey, and index.cpp applies it (basic items as views, index tensors and masks as
// one advanced-index op) with PyTorch's rules, errors and their order.
#pragma once
#include <exception>
#include <functional>
#include <optional>

#include "core/small_vector.h"
#include "ops/ops.h"

namespace tg {

// One item of a key. Errors met while reading an item (a bound that is not an integer, an int
// past int64, an item of no index type) are kept and raised where PyTorch meets them, so that
// an earlier item's error still wins.
struct IndexItem {
  enum class Kind : uint8_t { Int, Slice, None, Ellipsis, Tensor, Invalid };
  Kind kind = Kind::None;
  bool python_int = false;     // Int: a Python int (not another __index__ object)
  bool error_in_step = false;  // Slice: `error` came from the step
  int64_t value = 0;           // Int
  std::optional<int64_t> start, stop;  // Slice: saturated to int64 (slice() clamps them to the dim)
  int64_t step = 1;            // Slice: saturated into [-1, int64 max]; 0 and -1 refused when applied
  Tensor tensor;               // Tensor: int64 or bool (lists, arrays and Python bools come converted)
  std::exception_ptr error;    // Invalid: always; Int and Slice: when reading it failed
};

struct IndexKey {
  SmallVector<IndexItem, 4> items;
  bool lone = false;  // the key was one item, not a tuple (PyTorch checks a lone int or slice first)
};

// The right-hand side of x[key] = value: a Tensor, or any other object, made a tensor in self's
// dtype by `make` only where PyTorch converts it (after the key's checks).
struct IndexValue {
  Tensor tensor;
  std::function<Tensor(const Tensor& self)> make;
};

Tensor index_key_get(const Tensor& self, const IndexKey& key);
// In place and recorded; bad keys and values leave self unchanged.
void index_key_put(const Tensor& self, const IndexKey& key, const IndexValue& value);

}  // namespace tg
