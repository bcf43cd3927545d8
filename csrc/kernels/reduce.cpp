#include "kernels/reduce.h"

#include <type_traits>

#include "kernels/copy.h"
#include "kernels/loop.h"

namespace tg::kernels {

Tensor sum_keepdim(const Tensor& a, const SmallVector<bool, 6>& reduce) {
  Shape out_shape = a.sizes();
  for (size_t d = 0; d < out_shape.size(); ++d)
    if (reduce[d]) out_shape[d] = 1;
  Tensor out = full(out_shape, 0.0, a.dtype());
  // The output is read through stride 0 along every reduced dim, so the loop adds each input
  // element into its output slot.
  Shape out_strides = broadcast_strides(out, a.sizes());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
    strided_loop<2>(a.sizes(), {out_strides, a.strides()}, {(char*)out.raw_data(), (char*)a.raw_data()},
                    {(int64_t)sizeof(T), (int64_t)sizeof(T)},
                    [](char** p, const int64_t* s, int64_t n) {
                      if (s[0] == 0) {
                        Acc acc = 0;
                        if (s[1] == (int64_t)sizeof(T)) {
                          const T* in = (const T*)p[1];
                          for (int64_t i = 0; i < n; ++i) acc += in[i];
                        } else {
                          for (int64_t i = 0; i < n; ++i) acc += *(const T*)(p[1] + i * s[1]);
                        }
                        *(T*)p[0] = static_cast<T>(*(T*)p[0] + acc);
                      } else {
                        for (int64_t i = 0; i < n; ++i)
                          *(T*)(p[0] + i * s[0]) += *(const T*)(p[1] + i * s[1]);
                      }
                    });
  });
  return out;
}

}  // namespace tg::kernels
