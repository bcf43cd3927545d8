#include "kernels/scatter.h"

#include "kernels/copy.h"
#include "kernels/loop.h"

namespace tg::kernels {

void scatter_gather(ScatterMode mode, const Tensor& self, int64_t dim, const Tensor& index, const Tensor& other,
                    const char* fname) {
  // A 0-d index is one position along `dim`; 0-d self / other hold one element (stride 0).
  Tensor idx = contiguous_copy(index.dim() ? index : Tensor::view_of(index, {1}, {1}, index.offset()));
  const int64_t n = idx.numel(), nd = idx.dim();
  const Shape& isz = idx.sizes();
  const Shape other_strides = other.dim() == 0 ? Shape(nd, 0) : other.strides();
  const Shape self_strides = self.dim() == 0 ? Shape(nd, 0) : self.strides();
  const int64_t self_size = self.dim() ? self.sizes()[dim] : 1;
  visit_dtype(self.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* s = self.data<T>();
    T* o = other.data<T>();
    Shape pos(nd, 0);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t j = idx.data<int64_t>()[i];
      // PyTorch wraps no negative index here (advanced indexing would).
      TG_CHECK(j >= 0 && j < self_size, Runtime, "index ", j, " is out of bounds for dimension ", dim, " with size ",
               self_size);
      int64_t so = 0, oo = 0;
      for (int64_t d = 0; d < nd; ++d) {
        so += (d == dim ? j : pos[d]) * self_strides[d];
        oo += pos[d] * other_strides[d];
      }
      switch (mode) {
        case ScatterMode::Gather: o[oo] = s[so]; break;
        case ScatterMode::Scatter: s[so] = o[oo]; break;
        case ScatterMode::ScatterAdd: s[so] = T(s[so] + o[oo]); break;
      }
      for (int64_t d = nd - 1; d >= 0; --d) {  // next position of index, last dim fastest
        if (++pos[d] < isz[d]) break;
        pos[d] = 0;
      }
    }
  });
  (void)fname;
}

}  // namespace tg::kernels
