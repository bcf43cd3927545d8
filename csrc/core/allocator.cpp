#include "core/allocator.h"

#include <pthread.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "core/error.h"

namespace tg::alloc {

namespace {

constexpr size_t kAlignment = 64;
// Buffers this big are aligned to 2 MiB and offered to the kernel for transparent huge pages
// (where THP is in "madvise" mode, as numpy does): one fault maps 2 MiB instead of 4 KiB,
// and the TLB covers the whole buffer.
constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kHugeThreshold = size_t(4) << 20;

void* os_allocate(size_t cls) {
  if (cls < kHugeThreshold) return std::aligned_alloc(kAlignment, cls);
  void* p = nullptr;
  if (posix_memalign(&p, kHugePage, cls) != 0) return nullptr;
#ifdef MADV_HUGEPAGE
  madvise(p, cls / kHugePage * kHugePage, MADV_HUGEPAGE);
#endif
  return p;
}

// Size classes: multiples of 64 bytes up to 1 KiB, then four classes per power of two
// (1.25, 1.5, 1.75 and 2 times 2^k), so rounding wastes at most a quarter. Each class has a
// small index, so finding its free list is an array access.
struct SizeClass {
  size_t bytes;
  size_t index;
};
constexpr size_t kClassCount = 16 + 4 * 54;

// The bytes of the class with this index (the inverse of size_class's index).
size_t class_bytes(size_t index) {
  if (index < 16) return (index + 1) * kAlignment;
  return (5 + (index - 16) % 4) * (size_t(1) << ((index - 16) / 4 + 8));
}

SizeClass size_class(size_t nbytes) {
  if (nbytes <= 1024) {
    const size_t units = nbytes == 0 ? 1 : (nbytes + kAlignment - 1) / kAlignment;
    return {units * kAlignment, units - 1};
  }
  const int top = 63 - __builtin_clzll(nbytes - 1);  // 2^top < nbytes <= 2^(top+1), top >= 10
  const size_t step = size_t(1) << (top - 2);
  const size_t steps = (nbytes + step - 1) / step;  // 5..8
  return {steps * step, 16 + size_t(top - 10) * 4 + (steps - 5)};
}

bool env_flag_on(const char* name, bool fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return !(std::strcmp(v, "0") == 0 || std::strcmp(v, "false") == 0 || std::strcmp(v, "off") == 0);
}

size_t env_limit() {
  const char* v = std::getenv("TAPEGRAD_CACHE_LIMIT_MB");
  if (v && *v) return size_t(std::strtoull(v, nullptr, 10)) << 20;
  return size_t(2) << 30;
}

// Note [The cache follows recent use]
// A cache bounded only by its limit keeps the memory of a one-off spike forever: free 1.5 GB of
// temporaries once and the process stays 1.5 GB big. So the cache forgets what goes unused.
// Time is counted in allocator calls (allocate + release); every kDecayEvents calls an epoch
// ends, and each size class frees the buffers that sat on its free list through the whole
// epoch (the list's low-water mark). A training loop draws on its classes every step, so
// their low-water marks stay at zero and it keeps every buffer; a spike's buffers are gone
// within two epochs of the spike ending.
constexpr uint64_t kDecayEvents = 8192;

struct Cache {
  std::mutex mutex;
  std::vector<void*> free_lists[kClassCount];  // by size-class index
  size_t low_water[kClassCount] = {};          // each list's shortest length this epoch
  uint64_t events = 0;                         // allocator calls this epoch
  bool enabled = env_flag_on("TAPEGRAD_CACHING_ALLOCATOR", true);
  size_t limit = env_limit();
  Stats stats;

  void free_all_locked() {
    for (auto& list : free_lists) {
      for (void* p : list) std::free(p);
      list.clear();
    }
    std::fill(std::begin(low_water), std::end(low_water), 0);
    stats.cached_bytes = 0;
  }

  // Counts one allocator call; at the end of an epoch moves what no call needed during it to
  // `expired`, for the caller to free once the lock is released.
  void tick_locked(std::vector<void*>& expired) {
    if (++events < kDecayEvents) return;
    events = 0;
    for (size_t i = 0; i < kClassCount; ++i) {
      std::vector<void*>& list = free_lists[i];
      for (size_t unused = std::min(low_water[i], list.size()); unused > 0; --unused) {
        expired.push_back(list.back());
        list.pop_back();
        stats.cached_bytes -= class_bytes(i);
      }
      low_water[i] = list.size();
    }
  }
};

// Never destroyed: tensors held by Python objects may be freed after static destructors ran.
// fork() while another thread holds the lock (backward runs without the GIL) would leave the
// child's copy locked forever, so the lock is taken around fork and released on both sides.
Cache& cache() {
  static Cache* c = [] {
    auto* fresh = new Cache();
    pthread_atfork([] { cache().mutex.lock(); }, [] { cache().mutex.unlock(); },
                   [] { cache().mutex.unlock(); });
    return fresh;
  }();
  return *c;
}

void free_all(const std::vector<void*>& buffers) {
  for (void* p : buffers) std::free(p);
}

[[noreturn]] void out_of_memory(size_t nbytes) {
  TG_ERROR(Runtime, "DefaultCPUAllocator: can't allocate memory: you tried to allocate ", nbytes,
           " bytes. Error code 12 (Cannot allocate memory)");
}

}  // namespace

void* allocate(size_t nbytes) {
  // Past 2^62 bytes no machine has the memory, and the rounding below could overflow.
  if (nbytes > (size_t(1) << 62)) out_of_memory(nbytes);
  const auto [cls, index] = size_class(nbytes);
  Cache& c = cache();
  std::vector<void*> expired;  // freed after the lock (declared before it)
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.enabled) {
      c.tick_locked(expired);
      std::vector<void*>& list = c.free_lists[index];
      if (!list.empty()) {
        void* p = list.back();
        list.pop_back();
        c.low_water[index] = std::min(c.low_water[index], list.size());
        c.stats.cached_bytes -= cls;
        c.stats.in_use_bytes += cls;
        ++c.stats.hits;
        free_all(expired);
        return p;
      }
    }
    ++c.stats.misses;
  }
  free_all(expired);
  void* p = os_allocate(cls);
  if (!p) {  // memory may be sitting in the cache: give it back and try once more
    empty_cache();
    p = os_allocate(cls);
    if (!p) out_of_memory(nbytes);
  }
  std::lock_guard<std::mutex> lock(c.mutex);
  c.stats.in_use_bytes += cls;
  return p;
}

void release(void* p, size_t nbytes) {
  if (!p) return;
  const auto [cls, index] = size_class(nbytes);
  Cache& c = cache();
  std::vector<void*> expired;
  bool cached = false;
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.stats.in_use_bytes -= cls;
    if (c.enabled) c.tick_locked(expired);
    if (c.enabled && c.stats.cached_bytes + cls <= c.limit) {
      c.free_lists[index].push_back(p);
      c.stats.cached_bytes += cls;
      cached = true;
    }
  }
  free_all(expired);
  if (!cached) std::free(p);
}

namespace {
// f(cache) under the cache's lock: the settings and stats below are read and written only so.
template <class F>
auto with_cache(F&& f) {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return f(c);
}
}  // namespace

void empty_cache() {
  with_cache([](Cache& c) { c.free_all_locked(); });
}
Stats stats() {
  return with_cache([](Cache& c) { return c.stats; });
}
bool caching_enabled() {
  return with_cache([](Cache& c) { return c.enabled; });
}
size_t cache_limit() {
  return with_cache([](Cache& c) { return c.limit; });
}

void set_caching_enabled(bool on) {
  with_cache([on](Cache& c) {
    c.enabled = on;
    if (!on) c.free_all_locked();
  });
}

void set_cache_limit(size_t limit) {
  with_cache([limit](Cache& c) {
    c.limit = limit;
    // Shrink to the new limit, largest buffers first being the cheapest way there.
    for (size_t i = kClassCount; i-- > 0 && c.stats.cached_bytes > c.limit;) {
      std::vector<void*>& list = c.free_lists[i];
      const size_t bytes = class_bytes(i);
      while (!list.empty() && c.stats.cached_bytes > c.limit) {
        std::free(list.back());
        list.pop_back();
        c.stats.cached_bytes -= bytes;
      }
      c.low_water[i] = std::min(c.low_water[i], list.size());
    }
  });
}

}  // namespace tg::alloc
