// SmallVector holds shapes (plain ints) and, in a Node, edges that own shared_ptrs. These tests
// count owners through use_count, so a copy that forgets to copy, a move that copies, or a
// spill to the heap that leaks or double-frees an element shows up as a wrong count (and under
// the sanitized build, as an ASan report).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/small_vector.h"

using tg::SmallVector;

namespace {
using Owned = std::shared_ptr<int>;
using Vec = SmallVector<Owned, 2>;

Vec filled(const Owned& p, size_t n) {
  Vec v;
  for (size_t i = 0; i < n; ++i) v.push_back(p);
  return v;
}
}  // namespace

TEST(SmallVector, InlineAndSpilledElementsAreOwnedOnce) {
  auto p = std::make_shared<int>(7);
  for (size_t n : {0, 1, 2, 3, 9}) {
    {
      Vec v = filled(p, n);
      EXPECT_EQ(p.use_count(), long(1 + n)) << n;
      Vec copy(v);
      EXPECT_EQ(p.use_count(), long(1 + 2 * n)) << n;
      Vec moved(std::move(copy));
      EXPECT_EQ(p.use_count(), long(1 + 2 * n)) << n;
      EXPECT_TRUE(copy.empty());
      EXPECT_EQ(moved.size(), n);
      for (const Owned& q : moved) EXPECT_EQ(*q, 7);
    }
    EXPECT_EQ(p.use_count(), 1) << n;
  }
}

TEST(SmallVector, AssignmentReleasesWhatWasThere) {
  auto a = std::make_shared<int>(1), b = std::make_shared<int>(2);
  Vec v = filled(a, 3);  // on the heap
  Vec w = filled(b, 1);  // inline
  v = w;
  EXPECT_EQ(a.use_count(), 1);
  EXPECT_EQ(b.use_count(), 3);
  w = filled(a, 5);
  EXPECT_EQ(b.use_count(), 2);
  EXPECT_EQ(a.use_count(), 6);
  v = std::move(w);
  EXPECT_EQ(b.use_count(), 1);
  EXPECT_EQ(a.use_count(), 6);
  EXPECT_EQ(v.size(), 5u);
}

TEST(SmallVector, EraseInsertResizeKeepOrderAndCounts) {
  SmallVector<std::string, 2> v{"a", "b", "c"};
  v.erase(v.begin() + 1);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0], "a");
  EXPECT_EQ(v[1], "c");
  v.insert(v.begin(), "z");
  EXPECT_EQ(v[0], "z");
  EXPECT_EQ(v.back(), "c");
  v.resize(5, "r");
  EXPECT_EQ(v[4], "r");
  v.resize(1);
  EXPECT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0], "z");
  v.pop_back();
  EXPECT_TRUE(v.empty());

  auto p = std::make_shared<int>(0);
  Vec owners = filled(p, 4);
  owners.erase(owners.begin());
  owners.resize(1);
  EXPECT_EQ(p.use_count(), 2);
  owners.clear();
  EXPECT_EQ(p.use_count(), 1);
}

// push_back(v[0]) while full: the argument lives in the storage that grows under it.
TEST(SmallVector, PushBackOfOwnElementWhileGrowing) {
  SmallVector<std::string, 2> v{"first", "second"};
  v.push_back(v[0]);
  v.emplace_back(v[1]);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[2], "first");
  EXPECT_EQ(v[3], "second");
}

TEST(SmallVector, PlainValuesCompareAndCopy) {
  SmallVector<int64_t, 6> a{1, 2, 3, 4, 5, 6, 7};
  SmallVector<int64_t, 6> b(a.begin(), a.end());
  EXPECT_EQ(a, b);
  b[6] = 0;
  EXPECT_NE(a, b);
  SmallVector<int64_t, 6> c(3, 9);
  EXPECT_EQ(c, (SmallVector<int64_t, 6>{9, 9, 9}));
}
