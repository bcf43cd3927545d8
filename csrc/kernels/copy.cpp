#include "kernels/copy.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <random>

#include "kernels/loop.h"

namespace tg::kernels {

Scalar item(const Tensor& t) {
  TG_CHECK(t.numel() == 1, Runtime, "a Tensor with ", t.numel(), " elements cannot be converted to Scalar");
  switch (t.dtype()) {  // data<T>() points at the element whatever the strides
    case DType::Bool: return Scalar::from_bool(t.data<bool>()[0]);
    case DType::Int64: return Scalar::from_int(t.data<int64_t>()[0]);
    case DType::Float32: return Scalar((double)t.data<float>()[0]);
    case DType::Float64: return Scalar(t.data<double>()[0]);
  }
  TG_ERROR(Runtime, "unknown dtype");
}

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

void fill(const Tensor& t, Scalar value) {
  visit_dtype(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T v = value.checked<T>();
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

Tensor full(const Shape& sizes, Scalar value, DType dtype) {
  Tensor t = Tensor::empty(sizes, dtype);
  fill(t, value);
  return t;
}

namespace {
// ceil((end - start) / step) for int64 bounds, in 128 bits so that no difference overflows.
int64_t int_range_count(int64_t start, int64_t end, int64_t step) {
  const __int128 span = (__int128)end - start;
  __int128 n = span / step;
  if (n * step != span) n += 1;  // same signs (checked by the caller): round away from zero
  TG_CHECK(n >= 0 && n <= (__int128)std::numeric_limits<int64_t>::max(), Runtime, "invalid size, possible overflow?");
  return (int64_t)n;
}
}  // namespace

Tensor arange(Scalar start, Scalar end, Scalar step, DType dtype) {
  TG_CHECK(dtype != DType::Bool, NotImplemented, "\"arange_cpu\" not implemented for 'Bool'");
  TG_CHECK(step.to_double() != 0, Runtime, "step must be nonzero");
  const double s0 = start.to_double(), e0 = end.to_double(), st = step.to_double();
  TG_CHECK(std::isfinite(s0) && std::isfinite(e0), Runtime, "unsupported range: ", s0, " -> ", e0);
  if (dtype == DType::Int64 && start.is_int() && end.is_int() && step.is_int()) {
    const int64_t a = start.to<int64_t>(), b = end.to<int64_t>(), d = step.to<int64_t>();
    TG_CHECK((d > 0 && b >= a) || (d < 0 && b <= a), Runtime, "upper bound and lower bound inconsistent with step sign");
    const int64_t n = int_range_count(a, b, d);
    Tensor t = Tensor::empty({n}, dtype);
    int64_t* p = t.data<int64_t>();
    // In unsigned arithmetic: every value lies in [start, end), but i * step may not fit alone.
    for (int64_t i = 0; i < n; ++i) p[i] = (int64_t)((uint64_t)a + (uint64_t)i * (uint64_t)d);
    return t;
  }
  TG_CHECK((st > 0 && e0 >= s0) || (st < 0 && e0 <= s0), Runtime,
           "upper bound and lower bound inconsistent with step sign");
  const double count = std::ceil((e0 - s0) / st);
  TG_CHECK(count >= 0 && count <= 9.2e18, Runtime, "invalid size, possible overflow?");
  int64_t n = (int64_t)count;
  Tensor t = Tensor::empty({n}, dtype);
  visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = t.data<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = Scalar(s0 + i * st).to<T>();
  });
  return t;
}

namespace {
// Draws a whole tensor under one lock of the generator (see kernels/generator.h).
template <class Dist>
void fill_random(const Tensor& t, Dist dist, Generator* gen) {
  TG_CHECK(t.is_contiguous(), Runtime, "random fill expects a contiguous tensor");
  Generator& g = gen ? *gen : *default_generator();
  visit_floating(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = t.data<T>();
    g.draw([&](std::mt19937_64& engine) {
      for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(dist(engine));
    });
  });
}
}  // namespace

void manual_seed(uint64_t seed) { default_generator()->manual_seed(seed); }

void fill_uniform(const Tensor& t, double low, double high, Generator* gen) {
  fill_random(t, std::uniform_real_distribution<double>(low, high), gen);
}

void fill_normal(const Tensor& t, double mean, double std, Generator* gen) {
  fill_random(t, std::normal_distribution<double>(mean, std), gen);
}

}  // namespace tg::kernels
