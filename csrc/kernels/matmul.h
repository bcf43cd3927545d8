// Matrix products through Eigen, mapping tapegrad's strided buffers without copying them
// when one of the two dims is unit-stride.
#pragma once
#include "core/tensor.h"

namespace tg::kernels {

Tensor mm(const Tensor& a, const Tensor& b);   // (n,k) @ (k,m) -> (n,m)
Tensor bmm(const Tensor& a, const Tensor& b);  // (B,n,k) @ (B,k,m) -> (B,n,m)
Tensor mv(const Tensor& a, const Tensor& v);   // (n,k) @ (k) -> (n)
Tensor dot(const Tensor& a, const Tensor& b);  // (k) . (k) -> ()

}  // namespace tg::kernels
