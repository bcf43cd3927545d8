#include "core/parallel.h"

#include <pthread.h>

#include <atomic>
#include <Eigen/Core>

#include "core/error.h"

namespace tg::parallel {

namespace {

int initial_threads() {
#ifdef _OPENMP
  return std::max(1, omp_get_max_threads());  // OMP_NUM_THREADS, else the machine's cores
#else
  return 1;
#endif
}

std::atomic<int> g_num_threads{initial_threads()};

// GNU OpenMP's thread pool does not survive fork(): a child that enters a parallel region
// can hang. Children (DataLoader workers, multiprocessing) run single-threaded instead.
void after_fork_in_child() { g_num_threads.store(1); }

const bool g_atfork_registered = [] {
  pthread_atfork(nullptr, nullptr, after_fork_in_child);
  // Matrix products split themselves across threads (kernels/matmul.cpp); Eigen's own
  // threading would nest inside that, or split small products that run faster on one thread.
  Eigen::setNbThreads(1);
  return true;
}();

}  // namespace

int get_num_threads() { return g_num_threads.load(std::memory_order_relaxed); }

void set_num_threads(int n) {
  TG_CHECK(n > 0, Runtime, "set_num_threads expects a positive integer");
  g_num_threads.store(n);
}

}  // namespace tg::parallel
