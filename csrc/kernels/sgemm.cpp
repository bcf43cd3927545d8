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
    if (floats > capacity) {  // + 16 for the alignment, + 8 for pack_a's overlapping stores
      raw.reset(new float[floats + 24]);
      capacity = floats;
    }
    auto p = reinterpret_cast<uintptr_t>(raw.get());
    return reinterpret_cast<float*>((p + 63) & ~uintptr_t(63));
  }
};

// Transposes the 8x8 block held in r (r[i] = row i) in registers.
inline void transpose8x8(__m256 r[8]) {
  __m256 t[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  __m256 u[8];
  for (int i = 0; i < 8; i += 4) {
    u[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int i = 0; i < 4; ++i) {
    r[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
    r[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
  }
}

// B[0:kc, 0:nc] -> panels of kNR columns, each kc rows of kNR floats; columns past nc are 0.
// Packing is a few percent of a big product but a quarter of a 64x128x128 one, so the two
// layouts every Linear layer produces have vector paths: row-major B (16 floats per row are one
// copy) and transposed B (x @ W.T: columns are contiguous, moved 8x8 through registers).
void pack_b(float* dst, const float* b, int64_t brs, int64_t bcs, int64_t kc, int64_t nc) {
  for (int64_t j = 0; j < nc; j += kNR, dst += kc * kNR) {
    const int64_t nr = std::min(kNR, nc - j);
    const float* col0 = b + j * bcs;
    if (bcs == 1 && nr == kNR) {
      for (int64_t p = 0; p < kc; ++p) std::memcpy(dst + p * kNR, col0 + p * brs, kNR * sizeof(float));
      continue;
    }
    int64_t p0 = 0;
    if (brs == 1 && nr == kNR) {
      for (; p0 + 8 <= kc; p0 += 8)
        for (int64_t half = 0; half < 2; ++half) {  // columns 0-7, then 8-15 of the panel
          __m256 r[8];
          for (int q = 0; q < 8; ++q) r[q] = _mm256_loadu_ps(col0 + (half * 8 + q) * bcs + p0);
          transpose8x8(r);
          for (int q = 0; q < 8; ++q) _mm256_store_ps(dst + (p0 + q) * kNR + half * 8, r[q]);
        }
    }
    if (nr < kNR) std::fill(dst, dst + kc * kNR, 0.0f);
    for (int64_t jj = 0; jj < nr; ++jj) {  // the rest column by column
      const float* col = col0 + jj * bcs;
      for (int64_t p = p0; p < kc; ++p) dst[p * kNR + jj] = col[p * brs];
    }
  }
}

// A[0:mc, 0:kc] -> panels of kMR rows, each kc columns of kMR floats; rows past mc are 0.
// Vector paths for row-major A (6 rows x 8 columns transposed through registers, each column
// stored as 8 floats of which the next store overwrites the last 2) and for transposed A
// (6 contiguous floats per column).
void pack_a(float* dst, const float* a, int64_t ars, int64_t acs, int64_t mc, int64_t kc) {
  for (int64_t i = 0; i < mc; i += kMR, dst += kc * kMR) {
    const int64_t mr = std::min(kMR, mc - i);
    const float* row0 = a + i * ars;
    int64_t p0 = 0;
    if (mr == kMR && acs == 1) {
      for (; p0 + 8 <= kc; p0 += 8) {
        __m256 r[8];
        for (int q = 0; q < kMR; ++q) r[q] = _mm256_loadu_ps(row0 + q * ars + p0);
        r[6] = r[7] = _mm256_setzero_ps();
        transpose8x8(r);
        for (int q = 0; q < 8; ++q) _mm256_storeu_ps(dst + (p0 + q) * kMR, r[q]);
      }
    } else if (mr == kMR && ars == 1) {
      for (; p0 < kc; ++p0) std::memcpy(dst + p0 * kMR, row0 + p0 * acs, kMR * sizeof(float));
    }
    if (mr < kMR) std::fill(dst, dst + kc * kMR, 0.0f);
    for (int64_t ii = 0; ii < mr; ++ii) {
      const float* row = row0 + ii * ars;
      for (int64_t p = p0; p < kc; ++p) dst[p * kMR + ii] = row[p * acs];
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
