// Shape helpers (broadcast_shapes, wrap_dim, view_strides, infer_size), broadcasting binary
// ops checked element by element, and PyTorch's result_type rules.
#include <gtest/gtest.h>

#include "core/error.h"
#include "ops/ops.h"
#include "test_util.h"

namespace tg {
namespace {

using testing::at;
using testing::iota;
using testing::error_of;
using testing::make;

TEST(BroadcastShapes, Cases) {
  EXPECT_EQ(broadcast_shapes({2, 1, 3}, {4, 1}), Shape({2, 4, 3}));
  EXPECT_EQ(broadcast_shapes({}, {5, 2}), Shape({5, 2}));
  EXPECT_EQ(broadcast_shapes({3}, {}), Shape({3}));
  EXPECT_EQ(broadcast_shapes({1}, {0}), Shape({0}));
  EXPECT_EQ(broadcast_shapes({0, 1}, {1, 4}), Shape({0, 4}));
  EXPECT_EQ(broadcast_shapes({7, 1, 1}, {1, 6, 1}), Shape({7, 6, 1}));
}

TEST(BroadcastShapes, MismatchMessage) {
  std::string msg = error_of([] { broadcast_shapes({2, 3}, {2, 4}); }, ErrorKind::Runtime);
  EXPECT_EQ(msg, "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
  // The dimension is counted in the broadcast result, from the left.
  std::string msg2 = error_of([] { broadcast_shapes({5, 2, 3}, {4}); }, ErrorKind::Runtime);
  EXPECT_EQ(msg2, "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 2");
  // Through the ops as well.
  error_of([] { add(iota({2, 3}), iota({2, 4})); }, ErrorKind::Runtime);
}

TEST(WrapDim, WrapsAndRejects) {
  EXPECT_EQ(wrap_dim(0, 3), 0);
  EXPECT_EQ(wrap_dim(-1, 3), 2);
  EXPECT_EQ(wrap_dim(-3, 3), 0);
  EXPECT_EQ(wrap_dim(0, 0), 0);   // a 0-d tensor accepts 0 and -1
  EXPECT_EQ(wrap_dim(-1, 0), 0);
  std::string msg = error_of([] { wrap_dim(3, 3); }, ErrorKind::Index);
  EXPECT_EQ(msg, "Dimension out of range (expected to be in range of [-3, 2], but got 3)");
  std::string neg = error_of([] { wrap_dim(-4, 3); }, ErrorKind::Index);
  EXPECT_EQ(neg, "Dimension out of range (expected to be in range of [-3, 2], but got -4)");
  std::string zero_d = error_of([] { wrap_dim(1, 0); }, ErrorKind::Index);
  EXPECT_EQ(zero_d, "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
}

TEST(ViewStrides, ContiguousTransposedAndSizeOne) {
  // Contiguous: any reshape is a view with contiguous strides.
  EXPECT_EQ(view_strides({2, 3, 4}, {12, 4, 1}, {6, 4}), Shape({4, 1}));
  EXPECT_EQ(view_strides({2, 3, 4}, {12, 4, 1}, {24}), Shape({1}));
  EXPECT_EQ(view_strides({6}, {1}, {2, 3}), Shape({3, 1}));
  // Transposed (3, 2) of a (2, 3): flattening would have to copy.
  EXPECT_EQ(view_strides({3, 2}, {1, 3}, {6}), std::nullopt);
  EXPECT_EQ(view_strides({3, 4}, {1, 3}, {12}), std::nullopt);
  // ...but splitting a dim of it is fine.
  EXPECT_EQ(view_strides({3, 4}, {1, 3}, {3, 2, 2}), Shape({1, 6, 3}));
  // Size-1 dims: their stride does not matter, and new ones may be added anywhere.
  EXPECT_EQ(view_strides({2, 1, 3}, {3, 100, 1}, {6}), Shape({1}));
  EXPECT_EQ(view_strides({2, 3}, {3, 1}, {1, 6}), Shape({6, 1}));
  EXPECT_EQ(view_strides({2, 3}, {3, 1}, {2, 1, 3, 1}), Shape({3, 3, 1, 1}));
  // A stepped (every other element) vector stays stepped.
  EXPECT_EQ(view_strides({6}, {2}, {2, 3}), Shape({6, 2}));
  // Zero elements: always viewable.
  EXPECT_EQ(view_strides({0, 3}, {3, 1}, {3, 0}), Shape({1, 1}));
  // 0-d to (1,) and back.
  EXPECT_EQ(view_strides({}, {}, {1}), Shape({1}));
  EXPECT_EQ(view_strides({1}, {1}, {}), Shape({}));
}

TEST(InferSize, MinusOneAndErrors) {
  EXPECT_EQ(infer_size({2, -1}, 6), Shape({2, 3}));
  EXPECT_EQ(infer_size({-1}, 6), Shape({6}));
  EXPECT_EQ(infer_size({-1, 4, 1}, 8), Shape({2, 4, 1}));
  EXPECT_EQ(infer_size({3, 2}, 6), Shape({3, 2}));
  std::string two = error_of([] { infer_size({-1, -1}, 6); }, ErrorKind::Runtime);
  EXPECT_EQ(two, "only one dimension can be inferred");
  std::string bad = error_of([] { infer_size({4, -1}, 6); }, ErrorKind::Runtime);
  EXPECT_EQ(bad, "shape '[4, -1]' is invalid for input of size 6");
  std::string count = error_of([] { infer_size({4, 2}, 6); }, ErrorKind::Runtime);
  EXPECT_EQ(count, "shape '[4, 2]' is invalid for input of size 6");
  error_of([] { infer_size({-2, 3}, 6); }, ErrorKind::Runtime);
}

// out[i,j,k] = a[i,0,k] (+|*) b[j,0], with a: (2,1,3) and b: (4,1), checked by a hand loop.
TEST(BinaryOps, BroadcastAddMulMatchHandLoop) {
  Tensor a = make({2, 1, 3}, {0.5, 1, 2, -3, 4, 5.25});
  Tensor b = make({4, 1}, {10, 20, -30, 40});
  Tensor s = add(a, b), p = mul(a, b);
  ASSERT_EQ(s.sizes(), Shape({2, 4, 3}));
  ASSERT_EQ(p.sizes(), Shape({2, 4, 3}));
  EXPECT_EQ(s.dtype(), DType::Float64);
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 4; ++j)
      for (int64_t k = 0; k < 3; ++k) {
        double av = a.data<double>()[i * 3 + k], bv = b.data<double>()[j];
        EXPECT_EQ(at(s, {i, j, k}), av + bv) << i << j << k;
        EXPECT_EQ(at(p, {i, j, k}), av * bv) << i << j << k;
      }
  // The other operand order, a non-contiguous operand, and mixed dtypes give the same values.
  Tensor s2 = add(b, a);
  EXPECT_EQ(testing::values(s2), testing::values(s));
  Tensor bt = t(make({1, 4}, {10, 20, -30, 40}));  // (4, 1) through a transpose
  EXPECT_EQ(testing::values(mul(a, bt)), testing::values(p));
  Tensor bi = make({4, 1}, {10, 20, -30, 40}, DType::Int64);
  Tensor si = add(a, bi);
  EXPECT_EQ(si.dtype(), DType::Float64);
  EXPECT_EQ(testing::values(si), testing::values(s));
}

TEST(BinaryOps, ScalarAndZeroSizeBroadcasting) {
  Tensor x = iota({2, 3}, DType::Float32);
  Tensor y = x * 2.0 + 1.0;
  EXPECT_EQ(y.dtype(), DType::Float32);
  EXPECT_EQ(testing::values(y), std::vector<double>({1, 3, 5, 7, 9, 11}));
  Tensor z = add(Tensor::empty({0, 3}, DType::Float32), iota({3}, DType::Float32));
  EXPECT_EQ(z.sizes(), Shape({0, 3}));
  EXPECT_EQ(z.numel(), 0);
}

TEST(ResultType, PromotionRules) {
  Tensor i64 = iota({3}, DType::Int64);
  Tensor f32 = iota({3}, DType::Float32);
  Tensor f64 = iota({3}, DType::Float64);
  Tensor b = make({3}, {1, 0, 1}, DType::Bool);
  Tensor wrapped_float = scalar_tensor(2.5);              // a Python float
  Tensor wrapped_int = scalar_tensor(2, DType::Int64);    // a Python int
  Tensor zero_d_f64 = make({}, {2.5}, DType::Float64);    // torch.tensor(2.5, dtype=float64)
  ASSERT_TRUE(wrapped_float.is_wrapped_number());
  ASSERT_FALSE(zero_d_f64.is_wrapped_number());

  EXPECT_EQ(result_type(i64, wrapped_float), DType::Float32);  // a Python float counts as default float
  EXPECT_EQ(result_type(f32, f64), DType::Float64);
  EXPECT_EQ(result_type(f32, zero_d_f64), DType::Float32);   // same category: dimensioned wins
  EXPECT_EQ(result_type(zero_d_f64, f32), DType::Float32);
  EXPECT_EQ(result_type(i64, b), DType::Int64);
  EXPECT_EQ(result_type(b, b), DType::Bool);
  EXPECT_EQ(result_type(b, wrapped_int), DType::Int64);
  EXPECT_EQ(result_type(i64, zero_d_f64), DType::Float64);   // higher category: promoted
  EXPECT_EQ(result_type(f64, wrapped_float), DType::Float64);
  EXPECT_EQ(result_type(f32, wrapped_int), DType::Float32);

  // The ops compute in that dtype.
  Tensor r = mul(i64, wrapped_float);
  EXPECT_EQ(r.dtype(), DType::Float32);
  EXPECT_EQ(testing::values(r), std::vector<double>({0, 2.5, 5}));
  EXPECT_EQ(add(f32, zero_d_f64).dtype(), DType::Float32);
  EXPECT_EQ(add(f32, f64).dtype(), DType::Float64);
  Tensor ib = add(i64, b);
  EXPECT_EQ(ib.dtype(), DType::Int64);
  EXPECT_EQ(testing::values(ib), std::vector<double>({1, 1, 3}));
}

}  // namespace
}  // namespace tg
