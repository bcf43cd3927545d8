#include "core/allocator.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/error.h"

namespace tg::alloc {

namespace {

constexpr size_t kAlignment = 64;

// Size classes: multiples of 64 bytes up to 1 KiB, then four classes per power of two
// (2^k, 1.25 * 2^k, 1.5 * 2^k, 1.75 * 2^k), so rounding wastes at most a quarter.
size_t size_class(size_t nbytes) {
  if (nbytes <= 1024) return nbytes == 0 ? kAlignment : (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  const int top = 63 - __builtin_clzll(nbytes - 1);  // 2^top < nbytes <= 2^(top+1)
  const size_t step = size_t(1) << (top - 1);
  return (nbytes + step - 1) / step * step;
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

struct Cache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free_lists;  // size class -> buffers
  bool enabled = env_flag_on("TAPEGRAD_CACHING_ALLOCATOR", true);
  size_t limit = env_limit();
  Stats stats;

  void free_all_locked() {
    for (auto& [cls, list] : free_lists)
      for (void* p : list) std::free(p);
    free_lists.clear();
    stats.cached_bytes = 0;
  }
};

// Never destroyed: tensors held by Python objects may be freed after static destructors ran.
Cache& cache() {
  static Cache* c = new Cache();
  return *c;
}

[[noreturn]] void out_of_memory(size_t nbytes) {
  TG_ERROR(Runtime, "DefaultCPUAllocator: can't allocate memory: you tried to allocate ", nbytes,
           " bytes. Error code 12 (Cannot allocate memory)");
}

}  // namespace

void* allocate(size_t nbytes) {
  const size_t cls = size_class(nbytes);
  if (cls < nbytes) out_of_memory(nbytes);  // the rounding overflowed: no such memory exists
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.enabled) {
      auto it = c.free_lists.find(cls);
      if (it != c.free_lists.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        c.stats.cached_bytes -= cls;
        c.stats.in_use_bytes += cls;
        ++c.stats.hits;
        return p;
      }
    }
    ++c.stats.misses;
  }
  void* p = std::aligned_alloc(kAlignment, cls);
  if (!p) {  // memory may be sitting in the cache: give it back and try once more
    empty_cache();
    p = std::aligned_alloc(kAlignment, cls);
    if (!p) out_of_memory(nbytes);
  }
  std::lock_guard<std::mutex> lock(c.mutex);
  c.stats.in_use_bytes += cls;
  return p;
}

void release(void* p, size_t nbytes) {
  if (!p) return;
  const size_t cls = size_class(nbytes);
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.stats.in_use_bytes -= cls;
    if (c.enabled && c.stats.cached_bytes + cls <= c.limit) {
      c.free_lists[cls].push_back(p);
      c.stats.cached_bytes += cls;
      return;
    }
  }
  std::free(p);
}

void empty_cache() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.free_all_locked();
}

Stats stats() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.stats;
}

bool caching_enabled() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.enabled;
}

void set_caching_enabled(bool on) {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.enabled = on;
  if (!on) c.free_all_locked();
}

size_t cache_limit() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.limit;
}

void set_cache_limit(size_t bytes) {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.limit = bytes;
  // Shrink to the new limit, largest buffers first being the cheapest way there.
  while (c.stats.cached_bytes > c.limit) {
    auto biggest = c.free_lists.end();
    for (auto it = c.free_lists.begin(); it != c.free_lists.end(); ++it)
      if (!it->second.empty() && (biggest == c.free_lists.end() || it->first > biggest->first)) biggest = it;
    if (biggest == c.free_lists.end()) break;
    std::free(biggest->second.back());
    biggest->second.pop_back();
    c.stats.cached_bytes -= biggest->first;
  }
}

}  // namespace tg::alloc
