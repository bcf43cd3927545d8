// The one strided loop every elementwise kernel and reduction runs on.
//
// strided_loop<N> walks N operands over a common shape (operand 0 is usually the output;
// broadcast operands have stride 0 on broadcast dims). Dims that are contiguous with each
// other in every operand are merged first, so a contiguous tensor of any rank becomes one flat
// inner loop; `inner(ptrs, strides, n)` runs over the innermost dim with byte strides and is
// where the per-op work happens. Kernels add their own contiguous fast path on top.
#pragma once
#include <array>
#include <cstdint>

#include "core/tensor.h"

namespace tg::kernels {

// Strides (in elements) that make `t` read as if it had shape `shape` (numpy broadcasting).
inline Shape broadcast_strides(const Tensor& t, const Shape& shape) {
  TG_CHECK((size_t)t.dim() <= shape.size(), Runtime, "output with shape ", shape_str(shape),
           " doesn't match the broadcast shape ", shape_str(t.sizes()));
  Shape out(shape.size(), 0);
  size_t lead = shape.size() - t.sizes().size();
  for (size_t i = 0; i < t.sizes().size(); ++i)
    out[lead + i] = (t.sizes()[i] == 1 && shape[lead + i] != 1) ? 0 : t.strides()[i];
  return out;
}

template <size_t N, class Inner>
void strided_loop(const Shape& shape, const std::array<Shape, N>& strides,
                  std::array<char*, N> ptrs, const std::array<int64_t, N>& itemsizes,
                  Inner&& inner) {
  // Coalesce: drop size-1 dims, merge a dim into the one outside it when every operand
  // steps through both as one run.
  Shape sh;
  std::array<Shape, N> st;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) return;
    if (shape[d] == 1) continue;
    bool merge = !sh.empty();
    for (size_t k = 0; k < N && merge; ++k)
      merge = st[k].back() == strides[k][d] * itemsizes[k] * shape[d];
    if (merge) {
      sh.back() *= shape[d];
      for (size_t k = 0; k < N; ++k) st[k].back() = strides[k][d] * itemsizes[k];
    } else {
      sh.push_back(shape[d]);
      for (size_t k = 0; k < N; ++k) st[k].push_back(strides[k][d] * itemsizes[k]);
    }
  }
  std::array<int64_t, N> inner_strides{};
  if (sh.empty()) {
    inner(ptrs.data(), inner_strides.data(), int64_t(1));
    return;
  }
  const int64_t outer_dims = (int64_t)sh.size() - 1;
  const int64_t n = sh.back();
  for (size_t k = 0; k < N; ++k) inner_strides[k] = st[k].back();
  Shape counter(outer_dims, 0);
  while (true) {
    inner(ptrs.data(), inner_strides.data(), n);
    int64_t d = outer_dims - 1;
    for (; d >= 0; --d) {
      for (size_t k = 0; k < N; ++k) ptrs[k] += st[k][d];
      if (++counter[d] < sh[d]) break;
      for (size_t k = 0; k < N; ++k) ptrs[k] -= st[k][d] * sh[d];
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}

// out[i] = f(a[i]) over out's shape (a broadcast to it).
template <class T, class R, class F>
void unary_loop(const Tensor& out, const Tensor& a, F f) {
  R* o = out.data<R>();
  const T* pa = a.data<T>();
  const int64_t n = out.numel();
  if (out.is_contiguous() && a.is_contiguous() && a.numel() == n) {
    for (int64_t i = 0; i < n; ++i) o[i] = f(pa[i]);
    return;
  }
  strided_loop<2>(out.sizes(), {out.strides(), broadcast_strides(a, out.sizes())},
                  {(char*)o, (char*)pa}, {(int64_t)sizeof(R), (int64_t)sizeof(T)},
                  [&](char** p, const int64_t* s, int64_t len) {
                    for (int64_t i = 0; i < len; ++i)
                      *(R*)(p[0] + i * s[0]) = f(*(const T*)(p[1] + i * s[1]));
                  });
}

// out[i] = f(a[i], b[i]) over out's shape (a and b broadcast to it).
template <class T, class R, class F>
void binary_loop(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  R* o = out.data<R>();
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  const int64_t n = out.numel();
  if (out.is_contiguous() && a.is_contiguous() && b.is_contiguous()) {
    if (a.numel() == n && b.numel() == n) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(pa[i], pb[i]);
      return;
    }
    if (a.numel() == n && b.numel() == 1) {
      const T sb = *pb;
      for (int64_t i = 0; i < n; ++i) o[i] = f(pa[i], sb);
      return;
    }
    if (a.numel() == 1 && b.numel() == n) {
      const T sa = *pa;
      for (int64_t i = 0; i < n; ++i) o[i] = f(sa, pb[i]);
      return;
    }
  }
  strided_loop<3>(out.sizes(),
                  {out.strides(), broadcast_strides(a, out.sizes()), broadcast_strides(b, out.sizes())},
                  {(char*)o, (char*)pa, (char*)pb},
                  {(int64_t)sizeof(R), (int64_t)sizeof(T), (int64_t)sizeof(T)},
                  [&](char** p, const int64_t* s, int64_t len) {
                    for (int64_t i = 0; i < len; ++i)
                      *(R*)(p[0] + i * s[0]) =
                          f(*(const T*)(p[1] + i * s[1]), *(const T*)(p[2] + i * s[2]));
                  });
}

}  // namespace tg::kernels
