// The one strided loop every elementwise kernel and reduction runs on.
//
// strided_loop<N> walks N operands over a common shape (operand 0 is usually the output;
// broadcast operands have stride 0 on broadcast dims). Dims that are contiguous with each
// other in every operand are merged first, so a contiguous tensor of any rank becomes one flat
// inner loop; `inner(ptrs, strides, n)` runs over the innermost dim with byte strides and is
// where the per-op work happens. Kernels add their own contiguous fast path on top.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>

#include "core/parallel.h"
#include "core/tensor.h"
#include "kernels/stream_store.h"

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

// A loop's iteration space after coalescing: size-1 dims dropped, and a dim merged into the
// one outside it when every operand steps through both as one run. A contiguous tensor of any
// rank becomes one flat dim. Strides are in bytes; `sizes` empty means a single element.
template <size_t N>
struct Coalesced {
  Shape sizes;
  std::array<Shape, N> strides;
  int64_t numel = 1;
};

template <size_t N>
Coalesced<N> coalesce(const Shape& shape, const std::array<Shape, N>& strides,
                      const std::array<int64_t, N>& itemsizes) {
  Coalesced<N> c;
  for (size_t d = 0; d < shape.size(); ++d) {
    c.numel *= shape[d];
    if (shape[d] == 1) continue;
    bool merge = !c.sizes.empty();
    for (size_t k = 0; k < N && merge; ++k)
      merge = c.strides[k].back() == strides[k][d] * itemsizes[k] * shape[d];
    if (merge) {
      c.sizes.back() *= shape[d];
      for (size_t k = 0; k < N; ++k) c.strides[k].back() = strides[k][d] * itemsizes[k];
    } else {
      c.sizes.push_back(shape[d]);
      for (size_t k = 0; k < N; ++k) c.strides[k].push_back(strides[k][d] * itemsizes[k]);
    }
  }
  return c;
}

// Runs `inner(ptrs, strides, n)` over elements [begin, end) of the space in row-major order,
// one call per (piece of an) innermost run. This is what lets a loop be split across threads
// at any element, not only at row boundaries.
template <size_t N, class Inner>
void run_range(const Coalesced<N>& c, std::array<char*, N> ptrs, int64_t begin, int64_t end,
               const Inner& inner) {
  std::array<int64_t, N> inner_strides{};
  if (begin >= end) return;
  if (c.sizes.empty()) {
    inner(ptrs.data(), inner_strides.data(), int64_t(1));
    return;
  }
  const int64_t nd = (int64_t)c.sizes.size(), n = c.sizes.back();
  for (size_t k = 0; k < N; ++k) inner_strides[k] = c.strides[k].back();
  Shape counter(nd, 0);
  for (int64_t d = nd - 1, rem = begin; d >= 0; --d) {
    counter[d] = rem % c.sizes[d];
    rem /= c.sizes[d];
    for (size_t k = 0; k < N; ++k) ptrs[k] += counter[d] * c.strides[k][d];
  }
  int64_t left = end - begin;
  while (true) {
    const int64_t start = counter[nd - 1], len = std::min(n - start, left);
    inner(ptrs.data(), inner_strides.data(), len);
    left -= len;
    if (left == 0) return;
    // The run reached the end of its row: back to the row's start, then carry outwards.
    for (size_t k = 0; k < N; ++k) ptrs[k] -= start * inner_strides[k];
    counter[nd - 1] = 0;
    int64_t d = nd - 2;
    for (; d >= 0; --d) {
      for (size_t k = 0; k < N; ++k) ptrs[k] += c.strides[k][d];
      if (++counter[d] < c.sizes[d]) break;
      for (size_t k = 0; k < N; ++k) ptrs[k] -= c.strides[k][d] * c.sizes[d];
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}

// Walks N operands over a common shape (operand 0 is usually the output; broadcast operands
// have stride 0 on broadcast dims), on the calling thread. Reductions use this one: their
// output slots are shared between runs.
template <size_t N, class Inner>
void strided_loop(const Shape& shape, const std::array<Shape, N>& strides,
                  std::array<char*, N> ptrs, const std::array<int64_t, N>& itemsizes,
                  const Inner& inner) {
  Coalesced<N> c = coalesce<N>(shape, strides, itemsizes);
  run_range(c, ptrs, 0, c.numel, inner);
}

// The same, split across threads. Only for loops whose every element writes its own output
// slot (operand 0 contiguous, so no two elements share one).
template <size_t N, class Inner>
void parallel_strided_loop(int64_t grain, const Shape& shape, const std::array<Shape, N>& strides,
                           std::array<char*, N> ptrs, const std::array<int64_t, N>& itemsizes,
                           const Inner& inner) {
  Coalesced<N> c = coalesce<N>(shape, strides, itemsizes);
  parallel::parallel_for(c.numel, grain, [&](int64_t b, int64_t e) { run_range(c, ptrs, b, e, inner); });
}

// out[i] = f(a[i]) over out's shape (a broadcast to it).
// Fresh (contiguous) outputs are split across threads above `grain` elements per thread;
// writes into a strided view stay on the calling thread.
template <class T, class R, class F>
void unary_loop(const Tensor& out, const Tensor& a, F f, int64_t grain = parallel::kGrainCheap) {
  R* o = out.data<R>();
  const T* pa = a.data<T>();
  const int64_t n = out.numel();
  if (!out.is_contiguous()) grain = n;
  if (out.is_contiguous() && a.is_contiguous() && a.numel() == n) {
    parallel::parallel_for(n, grain, [&](int64_t lo, int64_t hi) {
      write_contiguous(o, n, lo, hi, [&](R* dst, int64_t b, int64_t c) {
        for (int64_t i = 0; i < c; ++i) dst[i] = f(pa[b + i]);
      });
    });
    return;
  }
  parallel_strided_loop<2>(grain, out.sizes(), {out.strides(), broadcast_strides(a, out.sizes())},
                  {(char*)o, (char*)pa}, {(int64_t)sizeof(R), (int64_t)sizeof(T)},
                  [&](char** p, const int64_t* s, int64_t len) {
                    R* po = (R*)p[0];
                    const T* p1 = (const T*)p[1];
                    if (s[0] == sizeof(R) && s[1] == sizeof(T)) {  // unit-stride runs: vectorised
                      for (int64_t i = 0; i < len; ++i) po[i] = f(p1[i]);
                    } else {
                      for (int64_t i = 0; i < len; ++i)
                        *(R*)(p[0] + i * s[0]) = f(*(const T*)(p[1] + i * s[1]));
                    }
                  });
}

// out[i] = f(a[i], b[i]) over out's shape (a and b broadcast to it).
// True when every element of t reads the same memory (a 0-d or one-element tensor, or one
// expanded from it, like the ones-gradient of sum()).
inline bool is_single_value(const Tensor& t) {
  for (int64_t d = 0; d < t.dim(); ++d)
    if (t.sizes()[d] != 1 && t.strides()[d] != 0) return false;
  return true;
}

template <class T, class R, class F>
void binary_loop(const Tensor& out, const Tensor& a, const Tensor& b, F f,
                 int64_t grain = parallel::kGrainCheap) {
  R* o = out.data<R>();
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  const int64_t n = out.numel();
  if (n == 0) return;
  if (!out.is_contiguous()) grain = n;
  if (out.is_contiguous()) {
    const bool a_full = a.is_contiguous() && a.numel() == n, b_full = b.is_contiguous() && b.numel() == n;
    if (a_full && b_full) {
      parallel::parallel_for(n, grain, [&](int64_t lo, int64_t hi) {
        write_contiguous(o, n, lo, hi, [&](R* dst, int64_t b, int64_t c) {
          for (int64_t i = 0; i < c; ++i) dst[i] = f(pa[b + i], pb[b + i]);
        });
      });
      return;
    }
    if (a_full && is_single_value(b)) {
      const T sb = *pb;
      parallel::parallel_for(n, grain, [&](int64_t lo, int64_t hi) {
        write_contiguous(o, n, lo, hi, [&](R* dst, int64_t b, int64_t c) {
          for (int64_t i = 0; i < c; ++i) dst[i] = f(pa[b + i], sb);
        });
      });
      return;
    }
    if (is_single_value(a) && b_full) {
      const T sa = *pa;
      parallel::parallel_for(n, grain, [&](int64_t lo, int64_t hi) {
        write_contiguous(o, n, lo, hi, [&](R* dst, int64_t b, int64_t c) {
          for (int64_t i = 0; i < c; ++i) dst[i] = f(sa, pb[b + i]);
        });
      });
      return;
    }
  }
  parallel_strided_loop<3>(grain, out.sizes(),
                  {out.strides(), broadcast_strides(a, out.sizes()), broadcast_strides(b, out.sizes())},
                  {(char*)o, (char*)pa, (char*)pb},
                  {(int64_t)sizeof(R), (int64_t)sizeof(T), (int64_t)sizeof(T)},
                  [&](char** p, const int64_t* s, int64_t len) {
                    // The innermost run of a broadcast (a bias over rows, a row over a matrix)
                    // is usually unit-stride in the output and in each operand, or constant in
                    // one operand: those forms get loops the compiler vectorises.
                    R* po = (R*)p[0];
                    const T *p1 = (const T*)p[1], *p2 = (const T*)p[2];
                    if (s[0] == sizeof(R) && s[1] == sizeof(T) && s[2] == sizeof(T)) {
                      for (int64_t i = 0; i < len; ++i) po[i] = f(p1[i], p2[i]);
                    } else if (s[0] == sizeof(R) && s[1] == sizeof(T) && s[2] == 0) {
                      const T v = *p2;
                      for (int64_t i = 0; i < len; ++i) po[i] = f(p1[i], v);
                    } else if (s[0] == sizeof(R) && s[1] == 0 && s[2] == sizeof(T)) {
                      const T v = *p1;
                      for (int64_t i = 0; i < len; ++i) po[i] = f(v, p2[i]);
                    } else {
                      for (int64_t i = 0; i < len; ++i)
                        *(R*)(p[0] + i * s[0]) =
                            f(*(const T*)(p[1] + i * s[1]), *(const T*)(p[2] + i * s[2]));
                    }
                  });
}

}  // namespace tg::kernels
