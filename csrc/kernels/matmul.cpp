#include "kernels/matmul.h"

#include <Eigen/Core>

#include "core/parallel.h"
#include "kernels/copy.h"

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

// out (row-major, contiguous) = A (n,k) @ B (k,m), both given as strided pointers.
template <class T>
void gemm(T* out, const T* a, const T* b, int64_t n, int64_t k, int64_t m, int64_t ars, int64_t acs,
          int64_t brs, int64_t bcs) {
  Eigen::Map<RowMajor<T>> C(out, n, m);
  if (k == 0) {
    C.setZero();
    return;
  }
  if (k == 1) {  // an outer product: Eigen's blocked product would pack both operands first
    for (int64_t i = 0; i < n; ++i) {
      const T ai = a[i * ars];
      T* row = out + i * m;
      for (int64_t j = 0; j < m; ++j) row[j] = ai * b[j * bcs];
    }
    return;
  }
  with_matrix(a, n, k, ars, acs, [&](const auto& A) {
    with_matrix(b, k, m, brs, bcs, [&](const auto& B) { C.noalias() = A * B; });
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
    // thread: Eigen does not nest inside a parallel region); a few big ones let Eigen split
    // each product instead.
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
