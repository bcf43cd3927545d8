// What the running (scan) ops share (cumulative.cpp, cumulative_extrema.cpp): the dim a scan
// runs along, the (outer, n, inner) layout of a contiguous tensor along it, and the scan loop.
#pragma once
#include "core/shape.h"
#include "core/tensor.h"

namespace tg::scan {

// The dim of a scan; a 0-d tensor scans along its one implicit dim (0 or -1).
inline int64_t dim_of(const Tensor& a, int64_t dim) { return a.dim() ? wrap_dim(dim, a.dim()) : (wrap_dim(dim, 1), 0); }

// The (outer, n, inner) layout of a contiguous tensor scanned along dim d.
struct Layout {
  int64_t outer = 1, n = 1, inner = 1;
  Layout(const Tensor& x, int64_t d) {
    for (int64_t i = 0; i < x.dim(); ++i) (i < d ? outer : i == d ? n : inner) *= x.sizes()[i];
  }
};

// out[k] = step(out[k-1], x[k]) along dim d of a contiguous x, vectorised along inner.
template <class T, class Step>
void run(const Tensor& x, Tensor& out, int64_t d, Step step) {
  const Layout sh(x, d);
  if (sh.n == 0) return;  // nothing to scan (and no first row to copy)
  const T* src = x.data<T>();
  T* dst = out.data<T>();
  for (int64_t o = 0; o < sh.outer; ++o) {
    const int64_t base = o * sh.n * sh.inner;
    for (int64_t i = 0; i < sh.inner; ++i) dst[base + i] = src[base + i];
    for (int64_t k = 1; k < sh.n; ++k)
      for (int64_t i = 0; i < sh.inner; ++i)
        dst[base + k * sh.inner + i] = step(dst[base + (k - 1) * sh.inner + i], src[base + k * sh.inner + i]);
  }
}

}  // namespace tg::scan
