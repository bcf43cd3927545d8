// Storage, Tensor::empty and the view ops: layout, shared memory, version counters, errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <limits>

#include "core/error.h"
#include "ops/ops.h"
#include "core/allocator.h"
#include "test_util.h"

namespace tg {
namespace {

using testing::iota;
using testing::error_of;
using testing::make;

TEST(Storage, AllocationIs64ByteAligned) {
  for (size_t nbytes : {0, 1, 7, 64, 65, 1000, 4096 + 3}) {
    auto s = Storage::allocate(nbytes);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(s->data()) % 64, 0u) << nbytes;
    EXPECT_EQ(s->nbytes(), nbytes);
    EXPECT_EQ(s->version(), 0u);
  }
  for (DType d : {DType::Bool, DType::Int64, DType::Float32, DType::Float64}) {
    Tensor t = Tensor::empty({3, 5}, d);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % 64, 0u);
    EXPECT_EQ(t.storage()->nbytes(), 15 * itemsize(d));
  }
}

TEST(Storage, SmallBuffersLiveInsideTheStorageAndBigOnesInTheAllocator) {
  const auto before = alloc::stats();
  for (size_t nbytes : {size_t(0), size_t(8), Storage::kInlineBytes}) {
    auto s = Storage::allocate(nbytes);
    const auto* object = reinterpret_cast<const char*>(s.get());
    const auto* data = static_cast<const char*>(s->data());
    EXPECT_TRUE(data >= object && data + nbytes <= object + sizeof(Storage)) << nbytes;
    EXPECT_TRUE(s->owns_memory());
  }
  EXPECT_EQ(alloc::stats().hits + alloc::stats().misses, before.hits + before.misses);
  auto big = Storage::allocate(Storage::kInlineBytes + 1);
  EXPECT_EQ(alloc::stats().hits + alloc::stats().misses, before.hits + before.misses + 1);
}

TEST(Storage, EmptySizesStridesNumel) {
  Tensor t = Tensor::empty({2, 3, 4}, DType::Float32);
  EXPECT_EQ(t.sizes(), Shape({2, 3, 4}));
  EXPECT_EQ(t.strides(), Shape({12, 4, 1}));
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.dim(), 3);
  EXPECT_EQ(t.offset(), 0);
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_EQ(t.size(-1), 4);
  EXPECT_EQ(t.stride(0), 12);

  Tensor scalar = Tensor::empty({}, DType::Float64);
  EXPECT_EQ(scalar.dim(), 0);
  EXPECT_EQ(scalar.numel(), 1);

  Tensor zero = Tensor::empty({3, 0, 2}, DType::Int64);
  EXPECT_EQ(zero.numel(), 0);
  EXPECT_EQ(zero.strides(), Shape({2, 2, 1}));  // size-0 dims count as 1 for strides
  EXPECT_NE(zero.raw_data(), nullptr);
}

TEST(Storage, CheckedNumelRejectsNegativeAndOverflow) {
  EXPECT_EQ(checked_numel({2, 3, 4}), 24);
  EXPECT_EQ(checked_numel({}), 1);
  EXPECT_EQ(checked_numel({5, 0}), 0);
  std::string neg = error_of([] { checked_numel({2, -1}); }, ErrorKind::Runtime);
  EXPECT_NE(neg.find("negative dimension -1"), std::string::npos) << neg;
  const int64_t big = int64_t(1) << 40;
  std::string ovf = error_of([&] { checked_numel({big, big}); }, ErrorKind::Runtime);
  EXPECT_NE(ovf.find("overflow"), std::string::npos) << ovf;
  error_of([] { Tensor::empty({-3}, DType::Float32); }, ErrorKind::Runtime);
  // numel fits in int64 but numel * itemsize does not.
  std::string bytes = error_of([] { Tensor::empty({int64_t(1) << 62}, DType::Float64); }, ErrorKind::Runtime);
  EXPECT_NE(bytes.find("overflow"), std::string::npos) << bytes;
}

// Needs the kernel to refuse a 4 TB request, which Linux's default (heuristic) overcommit
// does on any machine with less than that in RAM + swap.
TEST(Storage, HugeAllocationThrowsInsteadOfCrashing) {
  if (FILE* f = std::fopen("/proc/sys/vm/overcommit_memory", "r")) {
    int mode = 0;
    bool always = std::fscanf(f, "%d", &mode) == 1 && mode == 1;
    std::fclose(f);
    if (always) GTEST_SKIP() << "vm.overcommit_memory=1: the kernel grants any allocation";
  }
  std::string msg = error_of([] { Tensor::empty({1000000000000}, DType::Float32); }, ErrorKind::Runtime);
  EXPECT_NE(msg.find("4000000000000 bytes"), std::string::npos) << msg;
}

TEST(Views, ShareStorageWithTheirBase) {
  Tensor x = iota({2, 3, 4});
  const void* base = x.storage()->data();
  std::vector<Tensor> views = {
      view(x, {6, 4}),          transpose(x, 0, 2),        unsqueeze(x, 1),
      squeeze(unsqueeze(x, 0)), expand(view(x, {2, 3, 1, 4}), {2, 3, 5, 4}),
      permute(x, {2, 0, 1}),    t(view(x, {6, 4})),        x.detach()};
  for (const Tensor& v : views) {
    EXPECT_EQ(v.storage(), x.storage());
    EXPECT_EQ(v.storage()->data(), base);
  }
  EXPECT_EQ(transpose(x, 0, 2).sizes(), Shape({4, 3, 2}));
  EXPECT_EQ(transpose(x, 0, 2).strides(), Shape({1, 4, 12}));
  EXPECT_FALSE(transpose(x, 0, 2).is_contiguous());
  EXPECT_EQ(unsqueeze(x, 1).sizes(), Shape({2, 1, 3, 4}));
  EXPECT_EQ(unsqueeze(x, -1).strides(), Shape({12, 4, 1, 1}));
  EXPECT_EQ(permute(x, {2, 0, 1}).strides(), Shape({1, 12, 4}));
  EXPECT_EQ(t(view(x, {6, 4})).sizes(), Shape({4, 6}));
  Tensor e = expand(view(x, {2, 3, 1, 4}), {2, 3, 5, 4});
  EXPECT_EQ(e.strides(), Shape({12, 4, 0, 1}));
  EXPECT_EQ(squeeze(make({1, 3, 1}, {1, 2, 3}), 0).sizes(), Shape({3, 1}));
  EXPECT_EQ(squeeze(make({1, 3, 1}, {1, 2, 3})).sizes(), Shape({3}));
}

// Shapes live in a SmallVector with 6 inline slots; a 7th dim moves them to the heap.
TEST(Views, SeventhDimSpillsAndStaysCorrect) {
  Tensor x = iota({1, 2, 1, 2, 1, 2});
  Tensor u = unsqueeze(x, 3);
  EXPECT_EQ(u.sizes(), Shape({1, 2, 1, 1, 2, 1, 2}));
  EXPECT_EQ(u.strides(), Shape({8, 4, 4, 4, 2, 2, 1}));
  Tensor u8 = unsqueeze(u, 0);
  EXPECT_EQ(u8.dim(), 8);
  Tensor back = squeeze(u8);
  EXPECT_EQ(back.sizes(), Shape({2, 2, 2}));
  EXPECT_EQ(back.strides(), Shape({4, 2, 1}));
  EXPECT_EQ(testing::values(permute(u, {6, 5, 4, 3, 2, 1, 0})),
            testing::values(permute(view(x, {2, 2, 2}), {2, 1, 0})));
}

TEST(Views, WriteThroughViewIsSeenByBase) {
  Tensor x = iota({2, 3});
  Tensor xt = t(x);  // (3, 2), strides (1, 3)
  // xt[2][1] is x[1][2]
  *reinterpret_cast<double*>(static_cast<char*>(xt.raw_data()) + (2 * xt.stride(0) + 1 * xt.stride(1)) * 8) = 42.0;
  EXPECT_EQ(x.data<double>()[1 * 3 + 2], 42.0);
  Tensor flat = view(x, {6});
  flat.data<double>()[0] = -1.0;
  EXPECT_EQ(testing::at(x, {0, 0}), -1.0);
  EXPECT_EQ(testing::at(xt, {0, 0}), -1.0);
  // A view's values read through its strides are the base's values.
  Tensor p = permute(iota({2, 3, 4}), {1, 2, 0});
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 4; ++j)
      for (int64_t k = 0; k < 2; ++k) EXPECT_EQ(testing::at(p, {i, j, k}), k * 12 + i * 4 + j);
}

TEST(Views, VersionCounterIsSharedAndBumped) {
  Tensor x = iota({4});
  Tensor v = view(x, {2, 2});
  Tensor d = x.detach();
  EXPECT_EQ(x.version(), 0u);
  v.bump_version();
  EXPECT_EQ(x.version(), 1u);
  EXPECT_EQ(d.version(), 1u);
  x.bump_version();
  EXPECT_EQ(v.version(), 2u);

  // `.data` aliases the bytes but counts versions on its own.
  Tensor alias = x.data_alias();
  EXPECT_EQ(alias.raw_data(), x.raw_data());
  EXPECT_NE(alias.storage(), x.storage());
  EXPECT_EQ(alias.version(), 0u);
  alias.bump_version();
  alias.bump_version();
  EXPECT_EQ(alias.version(), 2u);
  EXPECT_EQ(x.version(), 2u);
  x.bump_version();
  EXPECT_EQ(alias.version(), 2u);
  EXPECT_EQ(x.version(), 3u);
  // The alias keeps the memory alive after the original is gone.
  alias.data<double>()[3] = 7.0;
  const void* mem = x.raw_data();
  x = Tensor();
  v = Tensor();
  d = Tensor();
  EXPECT_EQ(alias.raw_data(), mem);
  EXPECT_EQ(alias.data<double>()[3], 7.0);
}

TEST(Views, ViewOfNonViewableStridesThrows) {
  Tensor x = iota({2, 3});
  Tensor xt = transpose(x, 0, 1);
  std::string msg = error_of([&] { view(xt, {6}); }, ErrorKind::Runtime);
  EXPECT_NE(msg.find("view size is not compatible"), std::string::npos) << msg;
  // reshape copies instead, and gives the transposed order.
  Tensor r = reshape(xt, {6});
  EXPECT_NE(r.storage(), x.storage());
  EXPECT_EQ(testing::values(r), std::vector<double>({0, 3, 1, 4, 2, 5}));
  // Splitting a dim of a transposed tensor is still a view.
  Tensor ok = view(transpose(iota({4, 3}), 0, 1), {3, 2, 2});
  EXPECT_EQ(ok.strides(), Shape({1, 6, 3}));
  // Wrong element count.
  std::string count = error_of([&] { view(x, {4}); }, ErrorKind::Runtime);
  EXPECT_NE(count.find("shape '[4]' is invalid for input of size 6"), std::string::npos) << count;
}

TEST(Views, BadDimsThrowIndexError) {
  Tensor x = iota({2, 3});
  error_of([&] { transpose(x, 0, 2); }, ErrorKind::Index);
  error_of([&] { unsqueeze(x, 3); }, ErrorKind::Index);
  error_of([&] { x.size(-3); }, ErrorKind::Index);
  error_of([&] { expand(x, {3, 3}); }, ErrorKind::Runtime);
  error_of([&] { permute(x, {0, 0}); }, ErrorKind::Runtime);
}

}  // namespace
}  // namespace tg
