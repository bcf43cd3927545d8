// The strided loop and the kernels on it, over non-contiguous operands (transposed, stepped,
// broadcast with stride 0, 0-d, zero-size), checked against plain index arithmetic.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/copy.h"
#include "kernels/loop.h"
#include "kernels/matmul.h"
#include "kernels/pointwise.h"
#include "kernels/reduce.h"
#include "test_util.h"

namespace tg {
namespace {

using testing::iota;
using testing::make;

// Every multi-index of `sizes` in row-major order.
std::vector<std::vector<int64_t>> indices(const Shape& sizes) {
  std::vector<std::vector<int64_t>> out;
  if (numel_of(sizes) == 0) return out;
  std::vector<int64_t> idx(sizes.size(), 0);
  while (true) {
    out.push_back(idx);
    int64_t d = (int64_t)sizes.size() - 1;
    for (; d >= 0; --d) {
      if (++idx[d] < sizes[d]) break;
      idx[d] = 0;
    }
    if (d < 0) return out;
  }
}

// Logical values of `t`, read one element at a time through its strides (no kernel involved).
std::vector<double> read(const Tensor& t) {
  std::vector<double> v;
  if (t.dim() == 0) return {testing::at(t, {})};
  for (const auto& idx : indices(t.sizes())) v.push_back(testing::at(t, idx));
  return v;
}

// Reads `t` as if broadcast to `shape`, element by element.
double at_broadcast(const Tensor& t, const Shape& shape, const std::vector<int64_t>& idx) {
  std::vector<int64_t> own;
  size_t lead = shape.size() - t.sizes().size();
  for (size_t d = 0; d < t.sizes().size(); ++d) own.push_back(t.sizes()[d] == 1 ? 0 : idx[lead + d]);
  return testing::at(t, own);
}

// The layouts every elementwise kernel must handle, all over the same 20 numbers.
struct Layouts {
  Tensor base = make({20}, {3, -1, 4, 1, -5, 9, 2, -6, 5, 3, -5, 8, 9, -7, 9, 3, 2, -3, 8, 4});
  Tensor contiguous = Tensor::view_of(base, {3, 4}, {4, 1}, 0);
  Tensor transposed = Tensor::view_of(base, {3, 4}, {1, 3}, 0);  // a (4,3) seen transposed
  Tensor stepped = Tensor::view_of(base, {3, 4}, {6, 2}, 1);     // every other element, offset 1
  Tensor row_broadcast = Tensor::view_of(base, {3, 4}, {0, 1}, 5);
  Tensor col_broadcast = Tensor::view_of(base, {3, 4}, {1, 0}, 2);
  Tensor negative_offset_like = Tensor::view_of(base, {3, 4}, {5, 1}, 3);  // gaps between rows
  std::vector<Tensor> all() const {
    return {contiguous, transposed, stepped, row_broadcast, col_broadcast, negative_offset_like};
  }
};

TEST(StridedLoop, CoalescesContiguousDimsIntoOneRun) {
  Tensor t = iota({2, 1, 3, 4});
  int calls = 0;
  int64_t total = 0;
  kernels::strided_loop<1>(t.sizes(), {t.strides()}, {(char*)t.raw_data()}, {8},
                           [&](char**, const int64_t* s, int64_t n) {
                             ++calls;
                             total += n;
                             EXPECT_EQ(s[0], 8);
                           });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(total, 24);

  // Transposed: the runs follow the innermost logical dim, 3 elements of stride 4 each.
  Tensor tt = Tensor::view_of(t, {4, 3}, {1, 4}, 0);
  calls = 0;
  double sum = 0;
  kernels::strided_loop<1>(tt.sizes(), {tt.strides()}, {(char*)tt.raw_data()}, {8},
                           [&](char** p, const int64_t* s, int64_t n) {
                             ++calls;
                             EXPECT_EQ(n, 3);
                             EXPECT_EQ(s[0], 32);
                             for (int64_t i = 0; i < n; ++i) sum += *(double*)(p[0] + i * s[0]);
                           });
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(sum, 66.0);  // 0 + 1 + ... + 11
}

TEST(StridedLoop, ZeroDimAndZeroSize) {
  Tensor s = make({}, {2.5});
  int calls = 0;
  kernels::strided_loop<1>(s.sizes(), {s.strides()}, {(char*)s.raw_data()}, {8},
                           [&](char** p, const int64_t*, int64_t n) {
                             ++calls;
                             EXPECT_EQ(n, 1);
                             EXPECT_EQ(*(double*)p[0], 2.5);
                           });
  EXPECT_EQ(calls, 1);

  Tensor z = Tensor::empty({3, 0, 2}, DType::Float64);
  calls = 0;
  kernels::strided_loop<1>(z.sizes(), {z.strides()}, {(char*)z.raw_data()}, {8},
                           [&](char**, const int64_t*, int64_t) { ++calls; });
  EXPECT_EQ(calls, 0);

  // Kernels on them.
  Tensor e = kernels::unary(kernels::UnaryOp::Exp, s);
  EXPECT_EQ(e.dim(), 0);
  EXPECT_DOUBLE_EQ(*e.data<double>(), std::exp(2.5));
  Tensor zz = kernels::binary(kernels::BinaryOp::Add, z, make({2}, {1, 2}));
  EXPECT_EQ(zz.sizes(), Shape({3, 0, 2}));
  Tensor zs = kernels::sum_keepdim(z, {false, true, false});
  EXPECT_EQ(zs.sizes(), Shape({3, 1, 2}));
  EXPECT_EQ(read(zs), std::vector<double>(6, 0.0));  // an empty sum is 0
}

TEST(StridedLoop, UnaryLoopOverEveryLayout) {
  Layouts L;
  for (const Tensor& a : L.all()) {
    std::vector<double> in = read(a);
    // into a contiguous output
    Tensor out = Tensor::empty(a.sizes(), DType::Float64);
    kernels::unary_loop<double, double>(out, a, [](double x) { return 2 * x - 1; });
    std::vector<double> got = read(out);
    for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(got[i], 2 * in[i] - 1) << i;
    // into a transposed output
    Tensor buf = Tensor::empty({4, 3}, DType::Float64);
    Tensor out_t = Tensor::view_of(buf, {3, 4}, {1, 3}, 0);
    kernels::unary_loop<double, double>(out_t, a, [](double x) { return x * x; });
    got = read(out_t);
    for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(got[i], in[i] * in[i]) << i;
  }
}

TEST(StridedLoop, BinaryLoopOverEveryLayoutPair) {
  Layouts L;
  auto layouts = L.all();
  for (size_t i = 0; i < layouts.size(); ++i)
    for (size_t j = 0; j < layouts.size(); ++j) {
      const Tensor &a = layouts[i], &b = layouts[j];
      std::vector<double> va = read(a), vb = read(b);
      Tensor out = Tensor::empty({3, 4}, DType::Float64);
      kernels::binary_loop<double, double>(out, a, b, [](double x, double y) { return x * 10 + y; });
      std::vector<double> got = read(out);
      for (size_t k = 0; k < got.size(); ++k) EXPECT_EQ(got[k], va[k] * 10 + vb[k]) << i << "," << j << "," << k;
    }
}

TEST(StridedLoop, BinaryBroadcastsSmallerOperands) {
  Layouts L;
  Tensor row = make({4}, {1, 2, 3, 4});
  Tensor col = Tensor::view_of(make({6}, {100, 0, 200, 0, 300, 0}), {3, 1}, {2, 1}, 0);  // stepped column
  Tensor scalar = make({}, {0.5});
  Shape shape{2, 3, 4};
  for (const Tensor& a : L.all())
    for (const Tensor& b : {row, col, scalar}) {
      Tensor out = Tensor::empty(shape, DType::Float64);
      kernels::binary_into(kernels::BinaryOp::Sub, out, a, b);
      Tensor out2 = Tensor::empty(shape, DType::Float64);
      kernels::binary_into(kernels::BinaryOp::Mul, out2, b, a);
      for (const auto& idx : indices(shape)) {
        double x = at_broadcast(a, shape, idx), y = at_broadcast(b, shape, idx);
        EXPECT_EQ(testing::at(out, idx), x - y);
        EXPECT_EQ(testing::at(out2, idx), y * x);
      }
    }
  // Comparisons write bools.
  Tensor lt = kernels::binary(kernels::BinaryOp::Lt, L.transposed, make({}, {2.0}));
  ASSERT_EQ(lt.dtype(), DType::Bool);
  std::vector<double> vt = read(L.transposed), vl = read(lt);
  for (size_t k = 0; k < vt.size(); ++k) EXPECT_EQ(vl[k], vt[k] < 2.0 ? 1.0 : 0.0);
}

// Naive sum over the dims in `mask`, keeping them with size 1.
std::vector<double> naive_sum(const Tensor& a, const SmallVector<bool, 6>& mask) {
  Shape out_shape = a.sizes();
  for (size_t d = 0; d < mask.size(); ++d)
    if (mask[d]) out_shape[d] = 1;
  std::vector<double> out(numel_of(out_shape), 0.0);
  Shape out_strides = contiguous_strides(out_shape);
  for (const auto& idx : indices(a.sizes())) {
    int64_t o = 0;
    for (size_t d = 0; d < idx.size(); ++d) o += (mask[d] ? 0 : idx[d]) * out_strides[d];
    out[o] += testing::at(a, idx);
  }
  return out;
}

TEST(Reduce, SumKeepdimEveryMaskMatchesNaiveLoop) {
  Tensor base = Tensor::empty({2, 3, 5}, DType::Float64);
  for (int64_t i = 0; i < base.numel(); ++i) base.data<double>()[i] = std::sin(1.0 + i) * 10;
  std::vector<Tensor> inputs = {
      base,
      Tensor::view_of(base, {5, 3, 2}, {1, 5, 15}, 0),  // fully permuted
      Tensor::view_of(base, {2, 3, 2}, {15, 5, 2}, 1),  // stepped inner dim
      Tensor::view_of(base, {4, 3, 5}, {0, 5, 1}, 0),   // broadcast outer dim
      kernels::cast(base, DType::Int64),
      kernels::cast(base, DType::Float32)};
  for (const Tensor& a : inputs)
    for (int m = 0; m < 8; ++m) {
      SmallVector<bool, 6> mask{bool(m & 4), bool(m & 2), bool(m & 1)};
      Tensor s = kernels::sum_keepdim(a, mask);
      EXPECT_EQ(s.dtype(), a.dtype());
      for (size_t d = 0; d < 3; ++d) EXPECT_EQ(s.sizes()[d], mask[d] ? 1 : a.sizes()[d]);
      std::vector<double> want = naive_sum(a, mask), got = read(s);
      ASSERT_EQ(got.size(), want.size());
      double tol = a.dtype() == DType::Float32 ? 1e-4 : 1e-12;
      for (size_t k = 0; k < got.size(); ++k)
        EXPECT_NEAR(got[k], want[k], tol * (1 + std::abs(want[k]))) << "mask " << m << " k " << k;
    }
  // 0-d input: nothing to reduce.
  Tensor s0 = kernels::sum_keepdim(make({}, {4.0}), {});
  EXPECT_EQ(s0.dim(), 0);
  EXPECT_EQ(*s0.data<double>(), 4.0);
}

TEST(Copy, CopyIntoCastsAndFollowsStrides) {
  Layouts L;
  // Float64 (non-contiguous) -> Int64 contiguous: truncation toward zero, as static_cast.
  Tensor f = make({2, 3}, {1.7, -1.7, 2.5, -0.2, 3.99, 100.0});
  Tensor ft = Tensor::view_of(f, {3, 2}, {1, 3}, 0);
  Tensor i = Tensor::empty({3, 2}, DType::Int64);
  kernels::copy_into(i, ft);
  EXPECT_EQ(read(i), std::vector<double>({1, 0, -1, 3, 2, 100}));

  // Into a non-contiguous destination: only the viewed elements change.
  Tensor dst_buf = kernels::full({12}, -9.0, DType::Float32);
  Tensor dst = Tensor::view_of(dst_buf, {2, 3}, {1, 4}, 0);  // columns of a (3,4)
  kernels::copy_into(dst, f);
  EXPECT_EQ(read(dst), std::vector<double>({1.7f, -1.7f, 2.5f, -0.2f, 3.99f, 100.0f}));
  EXPECT_EQ(read(dst_buf),
            std::vector<double>({1.7f, -0.2f, -9, -9, -1.7f, 3.99f, -9, -9, 2.5f, 100, -9, -9}));

  // Broadcast source, and bool results (nonzero -> true).
  Tensor b = Tensor::empty({2, 3}, DType::Bool);
  kernels::copy_into(b, make({3}, {0.0, -2.0, 0.5}));
  EXPECT_EQ(read(b), std::vector<double>({0, 1, 1, 0, 1, 1}));

  // Same dtype, every layout: a contiguous copy reads the same values.
  for (const Tensor& a : L.all()) {
    Tensor c = kernels::contiguous_copy(a);
    EXPECT_TRUE(c.is_contiguous());
    EXPECT_NE(c.storage(), a.storage());
    EXPECT_EQ(read(c), read(a));
    Tensor c32 = kernels::cast(a, DType::Float32);
    EXPECT_EQ(c32.dtype(), DType::Float32);
    EXPECT_EQ(read(c32), read(a));  // small integers are exact in float32
  }
}

// More than 6 dims: shapes and strides spill out of SmallVector's inline buffer.
TEST(StridedLoop, HighRankShapesSpillToTheHeap) {
  Tensor h = iota({2, 1, 2, 3, 1, 2, 2, 1});
  Tensor p = Tensor::view_of(h, {1, 2, 2, 1, 3, 2, 1, 2}, {1, 1, 2, 1, 4, 12, 1, 24}, 0);  // dims reversed
  ASSERT_EQ(p.dim(), 8);
  Tensor out = Tensor::empty(p.sizes(), DType::Float64);
  kernels::unary_loop<double, double>(out, p, [](double x) { return x + 0.5; });
  for (const auto& idx : indices(p.sizes())) {
    int64_t src = idx[1] * 1 + idx[2] * 2 + idx[4] * 4 + idx[5] * 12 + idx[7] * 24;
    EXPECT_EQ(testing::at(out, idx), src + 0.5);
  }
  SmallVector<bool, 6> mask{true, false, true, false, true, false, true, false};
  std::vector<double> want = naive_sum(p, mask), got = read(kernels::sum_keepdim(p, mask));
  EXPECT_EQ(got, want);
  // Broadcasting a 7-d operand against an 8-d one.
  Tensor b = iota({2, 1, 3, 1, 1, 1, 2});
  Shape shape = broadcast_shapes(p.sizes(), b.sizes());
  Tensor sum = kernels::binary(kernels::BinaryOp::Add, p, b);
  ASSERT_EQ(sum.sizes(), shape);
  for (const auto& idx : indices(shape))
    EXPECT_EQ(testing::at(sum, idx), at_broadcast(p, shape, idx) + at_broadcast(b, shape, idx));
}

// The matmul kernels map strided operands without copying when one dim is unit-stride and
// copy otherwise; every layout must give the contiguous result.
TEST(Matmul, NonContiguousOperandsMatchContiguous) {
  Tensor buf = Tensor::empty({40}, DType::Float64);
  for (int64_t i = 0; i < 40; ++i) buf.data<double>()[i] = std::cos(0.3 * i) * 4;
  auto naive = [](const Tensor& a, const Tensor& b) {
    std::vector<double> out;
    for (int64_t i = 0; i < a.size(0); ++i)
      for (int64_t j = 0; j < b.size(1); ++j) {
        double acc = 0;
        for (int64_t k = 0; k < a.size(1); ++k) acc += testing::at(a, {i, k}) * testing::at(b, {k, j});
        out.push_back(acc);
      }
    return out;
  };
  std::vector<Tensor> lhs = {
      Tensor::view_of(buf, {3, 4}, {4, 1}, 0),   // row-major
      Tensor::view_of(buf, {3, 4}, {1, 3}, 1),   // column-major
      Tensor::view_of(buf, {3, 4}, {10, 2}, 3),  // stepped: copied
      Tensor::view_of(buf, {3, 4}, {0, 1}, 5),   // broadcast rows
      Tensor::view_of(buf, {1, 4}, {1, 5}, 2)};  // one row with a big column stride
  std::vector<Tensor> rhs = {
      Tensor::view_of(buf, {4, 2}, {2, 1}, 7),
      Tensor::view_of(buf, {4, 2}, {1, 4}, 0),
      Tensor::view_of(buf, {4, 2}, {8, 3}, 1),
      Tensor::view_of(buf, {4, 2}, {1, 0}, 9),
      Tensor::view_of(buf, {4, 1}, {3, 1}, 2)};
  for (const Tensor& a : lhs)
    for (const Tensor& b : rhs) {
      std::vector<double> got = read(kernels::mm(a, b)), want = naive(a, b);
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12);
    }
  // mv and dot with stepped vectors.
  Tensor v = Tensor::view_of(buf, {4}, {3}, 1);
  Tensor vcol = Tensor::view_of(buf, {4, 1}, {3, 1}, 1);
  for (const Tensor& a : lhs) {
    std::vector<double> got = read(kernels::mv(a, v)), want = naive(a, vcol);
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12);
  }
  Tensor u = Tensor::view_of(buf, {4}, {2}, 20);
  double d = 0;
  for (int64_t i = 0; i < 4; ++i) d += testing::at(u, {i}) * testing::at(v, {i});
  EXPECT_NEAR(*kernels::dot(u, v).data<double>(), d, 1e-12);
}

}  // namespace
}  // namespace tg
