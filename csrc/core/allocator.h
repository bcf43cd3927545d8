// Where tensor memory comes from: a size-bucketed caching allocator.
//
// Freed buffers go back to a free list for their size class instead of to the OS, so the
// next tensor of about that size reuses memory that is already mapped and faulted in. For
// big temporaries (64 MB per op on 2**24-element tensors) that is the difference between
// tens of thousands of page faults per step and none. Small buffers gain too: a free-list
// pop is cheaper than aligned_alloc.
//
// The cache holds what the program keeps reusing: buffers that sit unused through an epoch of
// allocator calls go back to the OS (Note [The cache follows recent use] in allocator.cpp),
// so a one-off spike does not stay resident.
//
// Setting the environment variable TAPEGRAD_CACHING_ALLOCATOR=0 before import turns the cache
// off (every buffer goes straight to aligned_alloc/free), which is what sanitizer runs want:
// a use-after-free then hits freed memory instead of a recycled buffer.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tg::alloc {

// 64-byte-aligned memory for at least `nbytes` bytes; RuntimeError naming the byte count when
// even an emptied cache cannot satisfy it.
void* allocate(size_t nbytes);
// Gives back a buffer from allocate(nbytes) (same nbytes).
void release(void* p, size_t nbytes);

// Frees every cached buffer back to the OS.
void empty_cache();

struct Stats {
  size_t in_use_bytes = 0;   // handed out and not yet released (size-class rounded)
  size_t cached_bytes = 0;   // on the free lists
  uint64_t hits = 0;         // allocations served from the cache
  uint64_t misses = 0;       // allocations that went to the OS
};
Stats stats();

bool caching_enabled();
void set_caching_enabled(bool on);  // turning it off also empties the cache

// Buffers above this many bytes of cache are freed instead of cached (default 2 GiB,
// TAPEGRAD_CACHE_LIMIT_MB overrides).
size_t cache_limit();
void set_cache_limit(size_t bytes);

}  // namespace tg::alloc
