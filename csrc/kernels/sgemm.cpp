#include "kernels/sgemm.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "core/error.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define TG_HAVE_SGEMM 1
#endif

namespace tg::kernels {

#ifdef TG_HAVE_SGEMM

namespace {

constexpr int64_t kMR = 6;     // rows of the C tile held in registers
constexpr int64_t kNR = 16;    // its columns: two 8-float registers
constexpr int64_t kKC = 256;   // k per packed block
constexpr int64_t kMC = 120;   // rows of A per packed block (a multiple of kMR)
constexpr int64_t kNC = 2048;  // columns of B per packed block (a multiple of kNR)

// A reusable 64-byte aligned buffer per thread, grown on demand: packing allocates nothing
// after the first product of a given size.
struct PackBuffer {
  std::unique_ptr<float[]> raw;
  size_t capacity = 0;
  float* get(size_t floats) {
    if (floats > capacity) {
      raw.reset(new float[floats + 16]);
      capacity = floats;
    }
    auto p = reinterpret_cast<uintptr_t>(raw.get());
    return reinterpret_cast<float*>((p + 63) & ~uintptr_t(63));
  }
};

// B[0:kc, 0:nc] -> panels of kNR columns, each kc rows of kNR floats; columns past nc are 0.
void pack_b(float* dst, const float* b, int64_t brs, int64_t bcs, int64_t kc, int64_t nc) {
  for (int64_t j = 0; j < nc; j += kNR, dst += kc * kNR) {
    const int64_t nr = std::min(kNR, nc - j);
    const float* col0 = b + j * bcs;
    if (bcs == 1 && nr == kNR) {  // row-major B: 16 contiguous floats per row
      for (int64_t p = 0; p < kc; ++p) std::memcpy(dst + p * kNR, col0 + p * brs, kNR * sizeof(float));
      continue;
    }
    if (nr < kNR) std::fill(dst, dst + kc * kNR, 0.0f);
    for (int64_t jj = 0; jj < nr; ++jj) {  // column by column: unit stride when B is transposed
      const float* col = col0 + jj * bcs;
      for (int64_t p = 0; p < kc; ++p) dst[p * kNR + jj] = col[p * brs];
    }
  }
}

// A[0:mc, 0:kc] -> panels of kMR rows, each kc columns of kMR floats; rows past mc are 0.
void pack_a(float* dst, const float* a, int64_t ars, int64_t acs, int64_t mc, int64_t kc) {
  for (int64_t i = 0; i < mc; i += kMR, dst += kc * kMR) {
    const int64_t mr = std::min(kMR, mc - i);
    if (mr < kMR) std::fill(dst, dst + kc * kMR, 0.0f);
    for (int64_t ii = 0; ii < mr; ++ii) {
      const float* row = a + (i + ii) * ars;
      for (int64_t p = 0; p < kc; ++p) dst[p * kMR + ii] = row[p * acs];
    }
  }
}

// The 6x16 tile of C at c (row stride ldc), of which mr x nr is real, gets the product of one
// packed A panel and one packed B panel: stored when `overwrite` (the first k block), added
// otherwise.
void micro_kernel(int64_t kc, const float* __restrict a, const float* __restrict b, float* c, int64_t ldc,
                  int64_t mr, int64_t nr, bool overwrite) {
  // Every loop over the tile's rows is unrolled, so that acc lives in 12 registers, never on
  // the stack (GCC keeps an array in memory once any loop indexes it at run time).
  __m256 acc[kMR][2];
#pragma GCC unroll 6
  for (int64_t i = 0; i < kMR; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  for (int64_t p = 0; p < kc; ++p, a += kMR, b += kNR) {
    const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
    for (int64_t i = 0; i < kMR; ++i) {
      const __m256 ai = _mm256_broadcast_ss(a + i);
      acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
    }
  }
  if (mr == kMR && nr == kNR) {
#pragma GCC unroll 6
    for (int64_t i = 0; i < kMR; ++i) {
      float* ci = c + i * ldc;
      if (!overwrite) {
        acc[i][0] = _mm256_add_ps(acc[i][0], _mm256_loadu_ps(ci));
        acc[i][1] = _mm256_add_ps(acc[i][1], _mm256_loadu_ps(ci + 8));
      }
      _mm256_storeu_ps(ci, acc[i][0]);
      _mm256_storeu_ps(ci + 8, acc[i][1]);
    }
    return;
  }
  alignas(32) float tile[kMR][kNR];  // an edge tile: only its real part goes to C
#pragma GCC unroll 6
  for (int64_t i = 0; i < kMR; ++i) {
    _mm256_store_ps(tile[i], acc[i][0]);
    _mm256_store_ps(tile[i] + 8, acc[i][1]);
  }
  for (int64_t i = 0; i < mr; ++i) {
    float* ci = c + i * ldc;
    for (int64_t j = 0; j < nr; ++j) ci[j] = overwrite ? tile[i][j] : ci[j] + tile[i][j];
  }
}

}  // namespace

bool sgemm_available() { return true; }

void sgemm(float* c, int64_t ldc, const float* a, int64_t ars, int64_t acs, const float* b, int64_t brs,
           int64_t bcs, int64_t n, int64_t k, int64_t m) {
  thread_local PackBuffer a_buf, b_buf;
  const int64_t kc_max = std::min(kKC, k);
  float* packed_a = a_buf.get(size_t(std::min(kMC, (n + kMR - 1) / kMR * kMR) * kc_max));
  float* packed_b = b_buf.get(size_t(std::min(kNC, (m + kNR - 1) / kNR * kNR) * kc_max));
  for (int64_t jc = 0; jc < m; jc += kNC) {
    const int64_t nc = std::min(kNC, m - jc);
    for (int64_t pc = 0; pc < k; pc += kKC) {
      const int64_t kc = std::min(kKC, k - pc);
      pack_b(packed_b, b + pc * brs + jc * bcs, brs, bcs, kc, nc);
      for (int64_t ic = 0; ic < n; ic += kMC) {
        const int64_t mc = std::min(kMC, n - ic);
        pack_a(packed_a, a + ic * ars + pc * acs, ars, acs, mc, kc);
        for (int64_t j = 0; j < nc; j += kNR)
          for (int64_t i = 0; i < mc; i += kMR)
            micro_kernel(kc, packed_a + i * kc, packed_b + j * kc, c + (ic + i) * ldc + jc + j, ldc,
                         std::min(kMR, mc - i), std::min(kNR, nc - j), pc == 0);
      }
    }
  }
}

#else  // no AVX2/FMA in this build: kernels/matmul.cpp uses Eigen instead

bool sgemm_available() { return false; }

void sgemm(float*, int64_t, const float*, int64_t, int64_t, const float*, int64_t, int64_t, int64_t, int64_t,
           int64_t) {
  TG_ERROR(Runtime, "tapegrad was built without AVX2/FMA: its float32 matmul goes through Eigen");
}

#endif

}  // namespace tg::kernels
