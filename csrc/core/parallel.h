// Intra-op parallelism: how many threads one kernel may use, and parallel_for to split a
// range across them (OpenMP underneath; matrix products split themselves with it too).
//
// Splitting has a fixed cost (waking a second thread is a few microseconds), so kernels pass
// a grain: the least work, in elements, worth giving one thread. Below two grains everything
// runs on the calling thread, which is how "2 threads are never slower than 1" holds for small
// tensors. Kernels that throw inside a chunk (integer division by zero) have the first
// exception rethrown on the calling thread after every chunk finished.
#pragma once
#include <algorithm>
#include <cstdint>
#include <exception>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace tg::parallel {

// Elements per thread below which splitting a memory-bound loop costs more than it saves.
constexpr int64_t kGrainCheap = 32768;
// The same for loops doing a transcendental (exp, tanh, ...) per element.
constexpr int64_t kGrainCostly = 4096;

int get_num_threads();
// n >= 1.
void set_num_threads(int n);

// How many chunks parallel_for would use for n elements at this grain.
inline int chunk_count(int64_t n, int64_t grain) {
#ifdef _OPENMP
  if (omp_in_parallel()) return 1;
#endif
  const int64_t by_work = n / std::max<int64_t>(grain, 1);
  return (int)std::max<int64_t>(1, std::min<int64_t>(get_num_threads(), by_work));
}

// f(chunk, begin, end) over [0, n) in at most `chunks` contiguous pieces, one per thread;
// chunk numbers are below `chunks` (so a caller can size per-chunk partial results from the
// same number: get it once from chunk_count, since set_num_threads may run meanwhile).
template <class F>
void parallel_chunks(int chunks, int64_t n, const F& f) {
  if (chunks <= 1) {
    if (n > 0) f(0, int64_t(0), n);
    return;
  }
#ifdef _OPENMP
  std::exception_ptr error;
#pragma omp parallel num_threads(std::min<int64_t>(chunks, n))
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    const int64_t begin = n * t / nt, end = n * (t + 1) / nt;
    try {
      if (begin < end) f(t, begin, end);
    } catch (...) {
#pragma omp critical(tg_parallel_error)
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
#else
  f(0, int64_t(0), n);
#endif
}

// f(begin, end) over [0, n) in contiguous chunks, one per thread.
template <class F>
void parallel_for(int64_t n, int64_t grain, const F& f) {
  parallel_chunks(chunk_count(n, grain), n, [&](int, int64_t b, int64_t e) { f(b, e); });
}

}  // namespace tg::parallel
