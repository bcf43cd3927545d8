// Process-wide runtime settings: intra-op threads and the caching allocator.
#include "bindings/module.h"
#include "core/allocator.h"
#include "core/parallel.h"

namespace tg::bindings {

void bind_runtime(py::module_& m) {
  m.def("set_num_threads", &parallel::set_num_threads, py::arg("int"),
        "Sets the number of threads used for intra-op parallelism (elementwise kernels, "
        "reductions and Eigen's matrix products).");
  m.def("get_num_threads", &parallel::get_num_threads,
        "The number of threads used for intra-op parallelism.");

  py::module_ mem = m.def_submodule("_memory", "The caching allocator behind every tensor buffer.");
  mem.def("empty_cache", &alloc::empty_cache, "Frees every cached buffer back to the OS.");
  mem.def("stats", [] {
    alloc::Stats s = alloc::stats();
    py::dict d;
    d["in_use_bytes"] = s.in_use_bytes;
    d["cached_bytes"] = s.cached_bytes;
    d["hits"] = s.hits;
    d["misses"] = s.misses;
    return d;
  }, "Bytes in use and cached, and how many allocations the cache served (hits) or not (misses).");
  mem.def("caching_enabled", &alloc::caching_enabled);
  mem.def("set_caching_enabled", &alloc::set_caching_enabled, py::arg("enabled"),
          "Turns the cache on or off; off also empties it.");
  mem.def("cache_limit", &alloc::cache_limit, "Most bytes kept cached.");
  mem.def("set_cache_limit", &alloc::set_cache_limit, py::arg("nbytes"));
}

}  // namespace tg::bindings
