#include "kernels/reduce.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/copy.h"
#include "kernels/loop.h"

namespace tg::kernels {

Tensor sum_keepdim(const Tensor& a, const SmallVector<bool, 6>& reduce) {
  Shape out_shape = a.sizes();
  for (size_t d = 0; d < out_shape.size(); ++d)
    if (reduce[d]) out_shape[d] = 1;
  Tensor out = full(out_shape, 0.0, a.dtype());
  // The output is read through stride 0 along every reduced dim, so the loop adds each input
  // element into its output slot.
  Shape out_strides = broadcast_strides(out, a.sizes());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
    strided_loop<2>(a.sizes(), {out_strides, a.strides()}, {(char*)out.raw_data(), (char*)a.raw_data()},
                    {(int64_t)sizeof(T), (int64_t)sizeof(T)},
                    [](char** p, const int64_t* s, int64_t n) {
                      if (s[0] == 0) {
                        Acc acc = 0;
                        if (s[1] == (int64_t)sizeof(T)) {
                          const T* in = (const T*)p[1];
                          for (int64_t i = 0; i < n; ++i) acc += in[i];
                        } else {
                          for (int64_t i = 0; i < n; ++i) acc += *(const T*)(p[1] + i * s[1]);
                        }
                        *(T*)p[0] = static_cast<T>(*(T*)p[0] + acc);
                      } else {
                        for (int64_t i = 0; i < n; ++i)
                          *(T*)(p[0] + i * s[0]) += *(const T*)(p[1] + i * s[1]);
                      }
                    });
  });
  return out;
}

}  // namespace tg::kernels

namespace tg::kernels {

namespace {

template <class T> T reduce_identity(ReduceOp op) {
  switch (op) {
    case ReduceOp::Prod: return T(1);
    case ReduceOp::Max:
      return std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                  : std::numeric_limits<T>::lowest();
    case ReduceOp::Min:
      return std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity()
                                                  : std::numeric_limits<T>::max();
    case ReduceOp::All: return T(1);
    case ReduceOp::Any: return T(0);
  }
  return T(0);
}

template <class T> T combine(ReduceOp op, T acc, T x) {
  if constexpr (std::is_floating_point_v<T>) {
    if ((op == ReduceOp::Max || op == ReduceOp::Min) && (std::isnan(acc) || std::isnan(x)))
      return std::numeric_limits<T>::quiet_NaN();
  }
  switch (op) {
    case ReduceOp::Prod: return T(acc * x);
    case ReduceOp::Max: return x > acc ? x : acc;
    case ReduceOp::Min: return x < acc ? x : acc;
    case ReduceOp::All: return T(acc && x);
    case ReduceOp::Any: return T(acc || x);
  }
  return acc;
}

}  // namespace

Tensor reduce_keepdim(const Tensor& a_in, const SmallVector<bool, 6>& reduce, ReduceOp op) {
  const bool logical = op == ReduceOp::All || op == ReduceOp::Any;
  Tensor a = logical && a_in.dtype() != DType::Bool ? cast(a_in, DType::Bool) : a_in;
  Shape out_shape = a.sizes();
  for (size_t d = 0; d < out_shape.size(); ++d)
    if (reduce[d]) out_shape[d] = 1;
  Tensor out = Tensor::empty(out_shape, a.dtype());
  Shape out_strides = broadcast_strides(out, a.sizes());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = out.data<T>();
    for (int64_t i = 0, m = out.numel(); i < m; ++i) o[i] = reduce_identity<T>(op);
    strided_loop<2>(a.sizes(), {out_strides, a.strides()}, {(char*)out.raw_data(), (char*)a.raw_data()},
                    {(int64_t)sizeof(T), (int64_t)sizeof(T)}, [op](char** p, const int64_t* s, int64_t n) {
                      for (int64_t i = 0; i < n; ++i) {
                        T* o = (T*)(p[0] + i * s[0]);
                        *o = combine<T>(op, *o, *(const T*)(p[1] + i * s[1]));
                      }
                    });
  });
  return out;
}

std::pair<Tensor, Tensor> arg_reduce_dim(const Tensor& a, int64_t dim, bool is_max) {
  // Move `dim` last and copy contiguous, so that each output element owns one contiguous row.
  Shape sizes, strides;
  for (int64_t d = 0; d < a.dim(); ++d)
    if (d != dim) sizes.push_back(a.sizes()[d]), strides.push_back(a.strides()[d]);
  const int64_t n = a.dim() == 0 ? 1 : a.sizes()[dim];
  sizes.push_back(n);
  strides.push_back(a.dim() == 0 ? 1 : a.strides()[dim]);
  Tensor rows = contiguous_copy(Tensor::view_of(a, sizes, strides, a.offset()));
  Shape kept = a.sizes();
  if (a.dim() > 0) kept[dim] = 1;
  Tensor values = Tensor::empty(kept, a.dtype()), indices = Tensor::empty(kept, DType::Int64);
  const int64_t m = values.numel();
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* in = rows.data<T>();
    for (int64_t r = 0; r < m; ++r) {
      const T* row = in + r * n;
      int64_t best = 0;
      for (int64_t i = 1; i < n; ++i) {
        if constexpr (std::is_floating_point_v<T>) {
          if (std::isnan(row[best])) break;
          if (std::isnan(row[i])) { best = i; break; }
        }
        if (is_max ? row[i] > row[best] : row[i] < row[best]) best = i;
      }
      values.data<T>()[r] = row[best];
      indices.data<int64_t>()[r] = best;
    }
  });
  return {values, indices};
}

}  // namespace tg::kernels
