// A packed float32 matrix product for CPUs with AVX2 and FMA: C = A @ B, single-threaded
// (kernels/matmul.cpp splits big products across threads and calls this on each part).
//
// Why not Eigen here: on the machines this project targets (AVX2, no AVX-512), Eigen 3.4's
// float kernel reaches about 66 GFLOP/s per core, 70% of what MKL does on the same core. The
// kernel below reaches 92-96 (benchmarks/bench.py --only W6). float64 and builds without AVX2
// keep using Eigen.
//
// How it works, in the usual three levels of blocking:
//   - B is copied ("packed") KC rows x NC columns at a time into 16-column panels laid out
//     k-major, so the inner loop reads it with unit stride whatever B's strides were;
//   - A is packed MC rows x KC at a time into 6-row panels, the same way;
//   - a 6x16 micro-kernel keeps a tile of C in 12 AVX registers and runs down k doing
//     one broadcast of A and two FMAs per row: 12 FMAs per 8 loads.
// KC x 16 floats of B (16 KiB) stay in L1, MC x KC of A (120 KiB) in L2.
#pragma once
#include <cstdint>

namespace tg::kernels {

// True when this build has the AVX2/FMA kernel (TAPEGRAD_NATIVE on an AVX2 machine).
bool sgemm_available();

// c (n x m, row stride ldc) = a (n x k, element strides ars, acs) @ b (k x m, strides brs, bcs).
// k >= 1. Any strides: row- or column-major, stepped, or 0 (a broadcast operand).
void sgemm(float* c, int64_t ldc, const float* a, int64_t ars, int64_t acs, const float* b, int64_t brs,
           int64_t bcs, int64_t n, int64_t k, int64_t m);

}  // namespace tg::kernels
