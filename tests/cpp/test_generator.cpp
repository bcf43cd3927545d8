// kernels::Generator (kernels/generator.h) and the runtime default float dtype (core/dtype.h):
// a seed reproduces a stream, two generators are independent, a state round-trips and a bad
// one is refused without changing the generator; set_default_float moves int -> float results.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/error.h"
#include "kernels/copy.h"
#include "kernels/generator.h"
#include "ops/ops.h"

using tg::kernels::Generator;

namespace {
std::vector<uint64_t> draw(Generator& g, int n) {
  return g.draw([&](std::mt19937_64& e) {
    std::vector<uint64_t> out;
    for (int i = 0; i < n; ++i) out.push_back(e());
    return out;
  });
}
}  // namespace

TEST(Generator, SeedReproducesAndGeneratorsAreIndependent) {
  Generator a(5), b(5);
  const auto first = draw(a, 8);
  EXPECT_EQ(first, draw(b, 8));
  Generator c(5);
  draw(a, 100);  // drawing from a moves a only
  EXPECT_EQ(first, draw(c, 8));
  c.manual_seed(6);
  EXPECT_EQ(c.initial_seed(), 6u);
  EXPECT_NE(first, draw(c, 8));
}

TEST(Generator, StateRoundTripsAndBadStatesAreRefused) {
  Generator g(11);
  draw(g, 3);
  const auto state = g.get_state();
  const auto next = draw(g, 4);
  g.set_state(state);
  EXPECT_EQ(next, draw(g, 4));
  const auto before = g.get_state();
  std::vector<uint8_t> truncated(state.begin(), state.end() - 7);
  std::vector<uint8_t> letter = state;
  letter[3] = 'x';
  std::vector<uint8_t> trailing = state;
  trailing.push_back('1');
  for (const auto& bad : {truncated, letter, trailing, std::vector<uint8_t>{}}) {
    EXPECT_THROW(g.set_state(bad), tg::Error);
    EXPECT_EQ(g.get_state(), before);
  }
}

TEST(DefaultFloat, PromotionsFollowIt) {
  using tg::DType;
  const tg::Tensor ints = tg::zeros({2}, DType::Int64);
  EXPECT_EQ(tg::result_type(ints, tg::scalar_tensor(1.5)), DType::Float32);
  tg::set_default_float(DType::Float64);
  EXPECT_EQ(tg::result_type(ints, tg::scalar_tensor(1.5)), DType::Float64);
  EXPECT_THROW(tg::set_default_float(DType::Int64), tg::Error);
  EXPECT_EQ(tg::default_float(), DType::Float64);
  tg::set_default_float(DType::Float32);
  EXPECT_EQ(tg::result_type(ints, tg::scalar_tensor(1.5)), DType::Float32);
}
