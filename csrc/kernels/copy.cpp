#include "kernels/copy.h"

#include <cmath>
#include <cstring>
#include <mutex>
#include <random>

#include "kernels/loop.h"

namespace tg::kernels {

void copy_into(const Tensor& dst, const Tensor& src) {
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous() &&
      dst.numel() == src.numel()) {
    char* d = (char*)dst.raw_data();
    const char* s = (const char*)src.raw_data();
    const int64_t nbytes = dst.numel() * itemsize(dst.dtype());
    if (d == s) return;
    const bool overlap = d < s + nbytes && s < d + nbytes;
    if (overlap) {
      std::memmove(d, s, nbytes);
      return;
    }
    parallel::parallel_for(nbytes, parallel::kGrainCheap * 4, [&](int64_t b, int64_t e) {
      std::memcpy(d + b, s + b, e - b);
    });
    return;
  }
  visit_dtype(dst.dtype(), [&](auto dtag) {
    using D = typename decltype(dtag)::type;
    visit_dtype(src.dtype(), [&](auto stag) {
      using S = typename decltype(stag)::type;
      unary_loop<S, D>(dst, src, [](S x) { return static_cast<D>(x); });
    });
  });
}

Tensor cast(const Tensor& t, DType dtype) {
  Tensor out = Tensor::empty(t.sizes(), dtype);
  copy_into(out, t);
  return out;
}

Tensor contiguous_copy(const Tensor& t) { return cast(t, t.dtype()); }

void fill(const Tensor& t, double value) {
  visit_dtype(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T v = static_cast<T>(value);
    if (t.is_contiguous()) {
      T* p = t.data<T>();
      parallel::parallel_for(t.numel(), parallel::kGrainCheap, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) p[i] = v;
      });
      return;
    }
    strided_loop<1>(t.sizes(), {t.strides()}, {(char*)t.raw_data()}, {(int64_t)sizeof(T)},
                    [&](char** p, const int64_t* s, int64_t n) {
                      for (int64_t i = 0; i < n; ++i) *(T*)(p[0] + i * s[0]) = v;
                    });
  });
}

Tensor full(const Shape& sizes, double value, DType dtype) {
  Tensor t = Tensor::empty(sizes, dtype);
  fill(t, value);
  return t;
}

Tensor arange(double start, double end, double step, DType dtype) {
  TG_CHECK(step != 0, Runtime, "step must be nonzero");
  TG_CHECK(std::isfinite(start) && std::isfinite(end), Runtime, "unsupported range: ", start, " -> ", end);
  TG_CHECK((step > 0 && end >= start) || (step < 0 && end <= start), Runtime,
           "upper bound and lower bound inconsistent with step sign");
  const double count = std::ceil((end - start) / step);
  TG_CHECK(count >= 0 && count <= 9.2e18, Runtime, "invalid size, possible overflow?");
  int64_t n = (int64_t)count;
  Tensor t = Tensor::empty({n}, dtype);
  visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = t.data<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(start + i * step);
  });
  return t;
}

namespace {
std::mutex g_rng_mutex;
std::mt19937_64 g_rng{std::random_device{}()};

template <class Dist>
void fill_random(const Tensor& t, Dist dist) {
  TG_CHECK(t.is_contiguous(), Runtime, "random fill expects a contiguous tensor");
  std::lock_guard<std::mutex> lock(g_rng_mutex);
  visit_floating(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = t.data<T>();
    for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(dist(g_rng));
  });
}
}  // namespace

void manual_seed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(g_rng_mutex);
  g_rng.seed(seed);
}

void fill_uniform(const Tensor& t, double low, double high) {
  fill_random(t, std::uniform_real_distribution<double>(low, high));
}

void fill_normal(const Tensor& t, double mean, double std) {
  fill_random(t, std::normal_distribution<double>(mean, std));
}

}  // namespace tg::kernels
