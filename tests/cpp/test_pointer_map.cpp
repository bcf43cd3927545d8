// PointerMap (core/pointer_map.h), the engine's per-backward table: every inserted key is found
// again with its own value across the rebuilds that growing makes, absent keys are not found,
// and values that own memory move with their slot (a lost or doubled shared_ptr shows in
// use_count, and under the sanitized build as an ASan report).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/pointer_map.h"

using tg::PointerMap;

namespace {
struct Value {
  int count = 0;
  std::shared_ptr<int> owned;
};
}  // namespace

TEST(PointerMap, FindsEveryKeyAcrossRebuilds) {
  std::vector<int> objects(5000);
  auto owned = std::make_shared<int>(1);
  {
    PointerMap<int, Value> map(2);
    for (size_t i = 0; i < objects.size(); ++i) {
      auto [v, fresh] = map.try_emplace(&objects[i]);
      ASSERT_TRUE(fresh);
      v->count = int(i);
      v->owned = owned;
    }
    EXPECT_EQ(map.size(), objects.size());
    EXPECT_EQ(owned.use_count(), long(1 + objects.size()));
    for (size_t i = 0; i < objects.size(); ++i) {
      Value* v = map.find(&objects[i]);
      ASSERT_NE(v, nullptr);
      EXPECT_EQ(v->count, int(i));
      auto [again, fresh] = map.try_emplace(&objects[i]);
      EXPECT_FALSE(fresh);
      EXPECT_EQ(again, v);
    }
    EXPECT_EQ(map.size(), objects.size());
  }
  EXPECT_EQ(owned.use_count(), 1);
}

TEST(PointerMap, AbsentKeysAreNotFound) {
  std::vector<double> objects(64);
  PointerMap<double, int> map;
  for (size_t i = 0; i < objects.size(); i += 2) *map.try_emplace(&objects[i]).first = 1;
  for (size_t i = 0; i < objects.size(); ++i) EXPECT_EQ(map.find(&objects[i]) != nullptr, i % 2 == 0) << i;
}

TEST(PointerMap, NewValuesStartValueInitialised) {
  std::vector<int> objects(100);
  PointerMap<int, Value> map;
  for (int& o : objects) {
    auto [v, fresh] = map.try_emplace(&o);
    EXPECT_TRUE(fresh);
    EXPECT_EQ(v->count, 0);
    EXPECT_EQ(v->owned, nullptr);
    v->count = 9;
  }
}
