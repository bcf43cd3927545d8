// Writing results bigger than the cache with non-temporal (streaming) stores.
//
// A plain store to memory that is not in the cache first reads the line it is about to write
// ("read for ownership"), so out = a * b over 64 MB arrays moves 256 MB instead of 192, and the
// result evicts the inputs on its way. Streaming stores skip both. They only pay for results
// that would not stay in the cache anyway: a smaller result is read back from the cache by the
// next op, which streaming it out to memory would prevent. Measured on a 2-core AVX2 machine
// (32 MB L3): a*b over 2**24 floats, 6.7 -> 5.8 ms on 2 threads, 9.9 -> 9.1 ms on one.
#pragma once
#include <cstdint>

#if defined(__AVX__)
#include <immintrin.h>
#endif

namespace tg::kernels {

// Results at least this big are streamed. Fixed rather than read from sysconf: virtual
// machines report the whole socket's L3 (256 MB on the machine above) where a core sees 32.
constexpr int64_t kStreamingBytes = int64_t(16) << 20;

#if defined(__AVX__)
// Streams `bytes` (a multiple of 32) from src to dst, a 32-byte-aligned address; the caller
// fences once after its last run.
inline void stream_run(void* dst, const void* src, int64_t bytes) {
  auto* d = static_cast<__m256i*>(dst);
  const auto* s = static_cast<const __m256i*>(src);
  for (int64_t k = 0; k < bytes / 32; ++k) _mm256_stream_si256(d + k, _mm256_loadu_si256(s + k));
}
#endif

// compute(dst, begin, count) writes elements [begin, begin + count) of the result to dst[0..count).
// Runs it over [lo, hi) of the contiguous result `out` of `total` elements: in place, or a page
// at a time into a buffer on the stack that is then streamed to `out`.
template <class R, class Compute>
void write_contiguous(R* out, int64_t total, int64_t lo, int64_t hi, const Compute& compute) {
#if defined(__AVX__)
  if (total * (int64_t)sizeof(R) >= kStreamingBytes && hi > lo) {
    constexpr int64_t kBlockBytes = 4096, kBlock = kBlockBytes / (int64_t)sizeof(R);
    int64_t i = lo;  // the first element that starts a 32-byte line of `out`
    while (i < hi && (reinterpret_cast<uintptr_t>(out + i) & 31) != 0) ++i;
    if (i > lo) compute(out + lo, lo, i - lo);
    alignas(32) R block[kBlock];
    for (; i + kBlock <= hi; i += kBlock) {
      compute(block, i, kBlock);
      stream_run(out + i, block, kBlockBytes);
    }
    if (i < hi) compute(out + i, i, hi - i);
    _mm_sfence();  // streamed data is visible to other threads once the parallel region joins
    return;
  }
#else
  (void)total;
#endif
  if (hi > lo) compute(out + lo, lo, hi - lo);
}

// dst[0..n) = src[0..n), streaming the 32-byte-aligned part of dst (the caller decides that the
// result is big enough to be worth it; src is usually a buffer in L1).
template <class T>
void stream_copy(T* dst, const T* src, int64_t n) {
#if defined(__AVX__)
  int64_t i = 0;
  for (; i < n && (reinterpret_cast<uintptr_t>(dst + i) & 31) != 0; ++i) dst[i] = src[i];
  const int64_t run = (n - i) * (int64_t)sizeof(T) / 32 * 32;
  stream_run(dst + i, src + i, run);
  for (i += run / (int64_t)sizeof(T); i < n; ++i) dst[i] = src[i];
  _mm_sfence();
#else
  for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
#endif
}

}  // namespace tg::kernels
