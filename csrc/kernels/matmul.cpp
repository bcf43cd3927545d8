#include "kernels/matmul.h"

#include <Eigen/Core>
#include <algorithm>
#include <type_traits>

#include "core/parallel.h"
#include "kernels/copy.h"
#include "kernels/sgemm.h"

namespace tg::kernels {

namespace {

template <class T>
using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using ColMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

// Calls f with an Eigen map of the (rows x cols) matrix at p with element strides (rs, cs):
// a row-major map when columns are unit-stride, a column-major one when rows are, else a copy.
template <class T, class F>
void with_matrix(const T* p, int64_t rows, int64_t cols, int64_t rs, int64_t cs, F&& f) {
  if (cols <= 1) cs = 1;
  if (rows <= 1) rs = std::max<int64_t>(cols, 1);
  if (cs == 1 && rs >= cols) {
    f(Eigen::Map<const RowMajor<T>, 0, Eigen::OuterStride<>>(p, rows, cols, Eigen::OuterStride<>(rs)));
  } else if (rs == 1 && cs >= rows) {
    f(Eigen::Map<const ColMajor<T>, 0, Eigen::OuterStride<>>(p, rows, cols, Eigen::OuterStride<>(cs)));
  } else {
    RowMajor<T> copy(rows, cols);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) copy(i, j) = p[i * rs + j * cs];
    f(Eigen::Map<const RowMajor<T>>(copy.data(), rows, cols));
  }
}

// Products below this many multiply-adds run on one thread: waking the second costs a few
// microseconds, about what 2**17 multiply-adds take at 90 GFLOP/s.
constexpr int64_t kGemmGrain = int64_t(1) << 17;

// Whether the packed AVX2 kernel beats Eigen for this float32 product: it pads to 16 columns
// and 6 rows, which does not pay for matrix-vector shapes or a handful of elements.
bool use_sgemm(int64_t n, int64_t k, int64_t m) {
  return sgemm_available() && m >= 8 && n >= 2 && n * k * m >= 4096;
}

// One thread's share: out (n x m, row stride ldc) = A (n,k) @ B (k,m), both strided.
template <class T>
void gemm_serial(T* out, int64_t ldc, const T* a, int64_t ars, int64_t acs, const T* b, int64_t brs,
                 int64_t bcs, int64_t n, int64_t k, int64_t m) {
  if constexpr (std::is_same_v<T, float>) {
    if (use_sgemm(n, k, m)) return sgemm(out, ldc, a, ars, acs, b, brs, bcs, n, k, m);
  }
  Eigen::Map<RowMajor<T>, 0, Eigen::OuterStride<>> C(out, n, m, Eigen::OuterStride<>(ldc));
  with_matrix(a, n, k, ars, acs, [&](const auto& A) {
    with_matrix(b, k, m, brs, bcs, [&](const auto& B) { C.noalias() = A * B; });
  });
}

// out (row-major, contiguous) = A (n,k) @ B (k,m), both given as strided pointers. A big
// product is split across threads by whichever of C's dims is longer, in whole register tiles
// (6 rows or 16 columns); each thread packs its own operands and runs gemm_serial. (Eigen's
// own threading is off: it split small products too eagerly, and 2 threads ran slower than 1.)
template <class T>
void gemm(T* out, const T* a, const T* b, int64_t n, int64_t k, int64_t m, int64_t ars, int64_t acs,
          int64_t brs, int64_t bcs) {
  if (k == 0) {
    std::fill(out, out + n * m, T(0));
    return;
  }
  if (k == 1) {  // an outer product: a blocked product would pack both operands first
    for (int64_t i = 0; i < n; ++i) {
      const T ai = a[i * ars];
      T* row = out + i * m;
      for (int64_t j = 0; j < m; ++j) row[j] = ai * b[j * bcs];
    }
    return;
  }
  const bool by_rows = n >= m;
  const int64_t tile = by_rows ? 6 : 16, units = ((by_rows ? n : m) + tile - 1) / tile;
  const int chunks =
      std::min<int>(parallel::chunk_count(n * k * m, kGemmGrain), (int)std::min<int64_t>(units, 1 << 20));
  parallel::parallel_chunks(chunks, units, [&](int, int64_t lo, int64_t hi) {
    if (by_rows) {
      const int64_t r0 = lo * tile, r1 = std::min(n, hi * tile);
      gemm_serial(out + r0 * m, m, a + r0 * ars, ars, acs, b, brs, bcs, r1 - r0, k, m);
    } else {
      const int64_t c0 = lo * tile, c1 = std::min(m, hi * tile);
      gemm_serial(out + c0, m, a, ars, acs, b + c0 * bcs, brs, bcs, n, k, c1 - c0);
    }
  });
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  const int64_t n = a.size(0), k = a.size(1), m = b.size(1);
  Tensor out = Tensor::empty({n, m}, a.dtype());
  if (out.numel() == 0) return out;
  visit_floating(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    gemm<T>(out.data<T>(), a.data<T>(), b.data<T>(), n, k, m, a.stride(0), a.stride(1), b.stride(0), b.stride(1));
  });
  return out;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  const int64_t batch = a.size(0), n = a.size(1), k = a.size(2), m = b.size(2);
  Tensor out = Tensor::empty({batch, n, m}, a.dtype());
  if (out.numel() == 0) return out;
  visit_floating(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    // Many small products are split across threads by batch (each one then runs on a single
    // thread: gemm does not nest inside a parallel region); a few big ones are split inside.
    const int64_t flops = std::max<int64_t>(1, n * k * m);
    const int64_t grain = flops >= (int64_t(1) << 18) ? batch : std::max<int64_t>(1, (int64_t(1) << 16) / flops);
    parallel::parallel_for(batch, grain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i)
        gemm<T>(out.data<T>() + i * n * m, a.data<T>() + i * a.stride(0), b.data<T>() + i * b.stride(0), n, k,
                m, a.stride(1), a.stride(2), b.stride(1), b.stride(2));
    });
  });
  return out;
}

Tensor mv(const Tensor& a, const Tensor& v) {
  const int64_t n = a.size(0), k = a.size(1);
  Tensor out = Tensor::empty({n}, a.dtype());
  if (n == 0) return out;
  visit_floating(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    // v as a (k, 1) matrix.
    gemm<T>(out.data<T>(), a.data<T>(), v.data<T>(), n, k, 1, a.stride(0), a.stride(1), v.stride(0), 1);
  });
  return out;
}

Tensor dot(const Tensor& a, const Tensor& b) {
  Tensor out = Tensor::empty({}, a.dtype());
  visit_floating(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    double acc = 0;
    for (int64_t i = 0, n = a.numel(); i < n; ++i) acc += (double)pa[i * a.stride(0)] * pb[i * b.stride(0)];
    *out.data<T>() = static_cast<T>(acc);
  });
  return out;
}

}  // namespace tg::kernels
