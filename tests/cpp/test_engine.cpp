// The backward engine: known gradients of small graphs, accumulation, retain_graph errors,
// diamonds, broadcasting and dtype conformance, node lifetime, and 150,000-node chains that
// must run and be destroyed without recursion (see also the LongChainSmallStack ctest entry,
// which reruns LongChain* under a 1 MiB stack).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "graph/accumulate_grad.h"
#include "engine/engine.h"
#include "graph/node.h"
#include "core/error.h"
#include "ops/ops.h"
#include "test_util.h"

namespace tg {
namespace {

using testing::make;
using testing::values;

Tensor leaf(const Shape& sizes, const std::vector<double>& v, DType dtype = DType::Float64) {
  Tensor t = make(sizes, v, dtype);
  t.set_requires_grad(true);
  return t;
}

void run(const Tensor& root, std::optional<bool> retain = std::nullopt, bool create_graph = false) {
  backward(root, Tensor(), retain, create_graph);
}

void expect_near(const std::vector<double>& got, const std::vector<double>& want, double tol = 1e-12) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol * (1 + std::abs(want[i]))) << i;
}

TEST(Engine, MulAddGradients) {
  uint64_t baseline = Node::live_count();
  {
    Tensor x = leaf({3}, {1, 2, 3});
    Tensor y = leaf({3}, {4, -5, 6});
    Tensor loss = sum(x * y + x);
    EXPECT_EQ(loss.grad_fn()->name(), "SumBackward0");
    run(loss);
    expect_near(values(x.grad()), {5, -4, 7});  // y + 1
    expect_near(values(y.grad()), {1, 2, 3});   // x
    EXPECT_TRUE(x.grad().is_leaf());
    EXPECT_FALSE(x.grad().requires_grad());
  }
  EXPECT_EQ(Node::live_count(), baseline);
}

TEST(Engine, ExpAndMeanGradients) {
  Tensor x = leaf({2, 3}, {0.1, -0.2, 0.3, 1.0, -1.5, 2.0});
  run(sum(exp(x)));
  std::vector<double> want;
  for (double v : values(x)) want.push_back(std::exp(v));
  expect_near(values(x.grad()), want);

  Tensor m = leaf({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor loss = mean(m * m);  // d/dm = 2m / 6
  EXPECT_NEAR(values(loss)[0], 91.0 / 6, 1e-12);
  run(loss);
  expect_near(values(m.grad()), {2.0 / 6, 4.0 / 6, 1.0, 8.0 / 6, 10.0 / 6, 2.0});
}

TEST(Engine, MatmulGradients) {
  Tensor A = leaf({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor B = leaf({3, 4}, {1, -1, 2, 0, 0.5, 3, -2, 1, 2, 2, 1, -1});
  Tensor G = make({2, 4}, {1, 0, -1, 2, 0.5, 1, 3, -2});
  Tensor C = matmul(A, B);
  ASSERT_EQ(C.sizes(), Shape({2, 4}));
  backward(C, G, std::nullopt, false);
  // dA = G B^T, dB = A^T G
  auto a = values(A), b = values(B), g = values(G);
  std::vector<double> dA(6, 0), dB(12, 0);
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 3; ++k)
      for (int j = 0; j < 4; ++j) {
        dA[i * 3 + k] += g[i * 4 + j] * b[k * 4 + j];
        dB[k * 4 + j] += a[i * 3 + k] * g[i * 4 + j];
      }
  expect_near(values(A.grad()), dA);
  expect_near(values(B.grad()), dB);

  // Batched with a broadcast right operand: B's gradient sums over the batch.
  Tensor X = leaf({2, 2, 3}, {1, 2, 3, 4, 5, 6, -1, 0, 1, 2, -2, 0.5});
  Tensor W = leaf({3, 1}, {1, 2, 3});
  run(sum(matmul(X, W)));
  expect_near(values(W.grad()), {1 + 4 - 1 + 2, 2 + 5 + 0 - 2, 3 + 6 + 1 + 0.5});
  expect_near(values(X.grad()), {1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3});
}

TEST(Engine, GradientsAccumulateOverTwoBackwardsWithRetainGraph) {
  Tensor x = leaf({2}, {3, -1});
  Tensor loss = sum(x * x * x);  // d/dx = 3x^2
  run(loss, /*retain=*/true);
  expect_near(values(x.grad()), {27, 3});
  run(loss, /*retain=*/true);
  expect_near(values(x.grad()), {54, 6});
  run(loss);  // a third time, freeing the graph
  expect_near(values(x.grad()), {81, 9});
}

TEST(Engine, SecondBackwardWithoutRetainRaises) {
  Tensor x = leaf({2}, {3, -1});
  Tensor loss = sum(x * x);
  run(loss);
  try {
    run(loss);
    FAIL() << "expected a tg::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Runtime);
    EXPECT_EQ(std::string(e.what()).rfind("Trying to backward through the graph a second time", 0), 0u)
        << e.what();
  }
  expect_near(values(x.grad()), {6, -2});  // the first backward's result is untouched
}

TEST(Engine, UserErrors) {
  Tensor plain = make({2}, {1, 2});
  try {
    run(sum(plain));
    FAIL();
  } catch (const Error& e) {
    // PyTorch's sentence, then why: here no input of the sum required grad.
    EXPECT_EQ(std::string(e.what()),
              "element 0 of tensors does not require grad and does not have a grad_fn (none of the tensors it "
              "was computed from requires grad)");
  }
  Tensor x = leaf({2}, {1, 2});
  try {
    run(x * 2.0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "grad can be implicitly created only for scalar outputs");
  }
  EXPECT_FALSE(x.grad().defined());
  try {
    make({2}, {1, 2}, DType::Int64).set_requires_grad(true);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "only Tensors of floating point dtype can require gradients");
  }
}

TEST(Engine, InPlaceModificationOfSavedTensorIsDetected) {
  Tensor x = leaf({2}, {1, 2});
  Tensor w = leaf({2}, {3, 4});
  Tensor loss = sum(x * w);  // saves x and w
  w.bump_version();          // as an in-place write would
  try {
    run(loss);
    FAIL();
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("modified by an inplace operation"), std::string::npos) << msg;
    EXPECT_NE(msg.find("is at version 1; expected version 0"), std::string::npos) << msg;
  }
  // A write through a view counts; a write through `.data` (its own counter) does not.
  Tensor a = leaf({2}, {1, 2});
  Tensor b = leaf({2}, {3, 4});
  Tensor l2 = sum(a * b);
  a.data_alias().bump_version();
  run(l2, /*retain=*/true);
  expect_near(values(b.grad()), {1, 2});
  view(a.detach(), {2, 1}).bump_version();
  EXPECT_THROW(run(l2), Error);
}

// .grad must never alias a tensor the caller owns: later accumulation writes into .grad in
// place. PyTorch clones the incoming gradient unless nobody else can see it.
TEST(Engine, GradDoesNotAliasTheUsersGradient) {
  Tensor x = leaf({3}, {1, 2, 3});
  Tensor G = make({3}, {5, 6, 7});
  backward(add(x, make({3}, {0, 0, 0})), G, std::nullopt, false);  // AddBackward0 passes G through
  EXPECT_FALSE(x.grad().same(G));
  EXPECT_NE(x.grad().raw_data(), G.raw_data());
  backward(add(x, make({3}, {0, 0, 0})), G, std::nullopt, false);
  expect_near(values(x.grad()), {10, 12, 14});
  expect_near(values(G), {5, 6, 7});
}

// With create_graph=true, .grad must still be a copy of the caller's gradient: were it the
// caller's tensor itself, the next backward's in-place accumulation would overwrite it.
TEST(Engine, CreateGraphGradDoesNotAliasTheUsersGradient) {
  Tensor x = leaf({3}, {1, 2, 3});
  Tensor G = make({3}, {5, 6, 7});
  Tensor y = add(x, make({3}, {0, 0, 0}));
  backward(y, G, /*retain=*/true, /*create_graph=*/true);
  EXPECT_FALSE(x.grad().same(G));
  backward(y, G, /*retain=*/true, /*create_graph=*/false);
  expect_near(values(x.grad()), {10, 12, 14});
  expect_near(values(G), {5, 6, 7});
}

TEST(Engine, DiamondSumsGradients) {
  Tensor x = leaf({3}, {1, -2, 0.5});
  run(sum(x * x));  // x reaches the same accumulator twice
  expect_near(values(x.grad()), {2, -4, 1});

  Tensor z = leaf({2}, {0.3, -0.7});
  Tensor a = z * 2.0, b = exp(z);
  run(sum(a * b + a));  // d/dz = 2 e^z + 2 z e^z + 2
  std::vector<double> want;
  for (double v : values(z)) want.push_back(2 * std::exp(v) + 2 * v * std::exp(v) + 2);
  expect_near(values(z.grad()), want);
}

TEST(Engine, BroadcastGradientIsReducedBySumTo) {
  Tensor x = leaf({3}, {1, 2, 3});
  Tensor c = leaf({2, 1}, {10, 20});
  Tensor y = leaf({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor out = x * y + c;  // (2, 3)
  run(sum(out));
  ASSERT_EQ(x.grad().sizes(), Shape({3}));
  expect_near(values(x.grad()), {5, 7, 9});  // column sums of y
  ASSERT_EQ(c.grad().sizes(), Shape({2, 1}));
  expect_near(values(c.grad()), {3, 3});
  expect_near(values(y.grad()), {1, 2, 3, 1, 2, 3});

  // sum_to directly.
  Tensor g = make({2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  expect_near(values(sum_to(g, {3})), {22, 26, 30});
  expect_near(values(sum_to(g, {2, 1})), {1 + 2 + 3 + 7 + 8 + 9, 4 + 5 + 6 + 10 + 11 + 12});
  EXPECT_EQ(sum_to(g, {2, 1}).sizes(), Shape({2, 1}));
}

TEST(Engine, Float32LeafGradStaysFloat32) {
  Tensor x = leaf({3}, {1, 2, 3}, DType::Float32);
  Tensor w = make({3}, {0.5, -1.25, 2}, DType::Float64);
  Tensor y = x * w;
  ASSERT_EQ(y.dtype(), DType::Float64);
  run(sum(y));
  ASSERT_TRUE(x.grad().defined());
  EXPECT_EQ(x.grad().dtype(), DType::Float32);
  expect_near(values(x.grad()), {0.5, -1.25, 2});
  // And a float64 leaf mixed with float32 stays float64.
  Tensor d = leaf({1}, {2}, DType::Float64);
  run(sum(d * make({3}, {1, 2, 3}, DType::Float32)));
  EXPECT_EQ(d.grad().dtype(), DType::Float64);
  expect_near(values(d.grad()), {6});
}

TEST(Engine, CreateGraphGivesDifferentiableGrad) {
  uint64_t baseline = Node::live_count();
  {
    Tensor x = leaf({}, {0.7});
    run(exp(x) * x, std::nullopt, /*create_graph=*/true);  // d/dx = e^x (1 + x)
    Tensor g = x.grad();
    EXPECT_TRUE(g.requires_grad());
    EXPECT_NEAR(values(g)[0], std::exp(0.7) * 1.7, 1e-12);
    x.set_grad(Tensor());  // break x -> grad -> graph -> x before differentiating again
    run(g);                // d2/dx2 = e^x (2 + x)
    EXPECT_NEAR(values(x.grad())[0], std::exp(0.7) * 2.7, 1e-12);
  }
  EXPECT_EQ(Node::live_count(), baseline);
}

// A node that records when it runs and passes its gradient on to every edge unchanged.
class RecordingNode final : public Node {
 public:
  RecordingNode(std::string name, std::vector<std::string>* log) : name_(std::move(name)), log_(log) {
    input_meta_.push_back({Shape{}, DType::Float64});
  }
  std::string name() const override { return name_; }
  TensorList apply(TensorList&& grads) override {
    log_->push_back(name_);
    return TensorList(next_edges_.size(), grads[0]);
  }
  void connect(const std::shared_ptr<Node>& child) { next_edges_.push_back({child, 0}); }

 private:
  std::string name_;
  std::vector<std::string>* log_;
};

// Note [Tape order]: of the nodes that are ready, the newest (highest sequence_nr) runs first,
// and a node runs only after every edge into it has delivered.
TEST(Engine, RunsReadyNodesNewestFirstAfterAllTheirInputs) {
  std::vector<std::string> log;
  auto a = std::make_shared<RecordingNode>("a", &log);  // oldest
  auto b = std::make_shared<RecordingNode>("b", &log);
  auto c = std::make_shared<RecordingNode>("c", &log);
  auto root = std::make_shared<RecordingNode>("root", &log);
  ASSERT_LT(a->sequence_nr(), b->sequence_nr());
  ASSERT_LT(b->sequence_nr(), c->sequence_nr());
  // root -> a, root -> c, c -> b, b -> a: a has two inputs and must wait for both.
  root->connect(a);
  root->connect(c);
  c->connect(b);
  b->connect(a);
  run_backward({Edge{root, 0}}, {make({}, {1.0})}, BackwardOptions{});
  EXPECT_EQ(log, std::vector<std::string>({"root", "c", "b", "a"}));

  // Two independent ready nodes: the newer one first, whatever the edge order.
  log.clear();
  auto old_node = std::make_shared<RecordingNode>("old", &log);
  auto new_node = std::make_shared<RecordingNode>("new", &log);
  auto top = std::make_shared<RecordingNode>("top", &log);
  top->connect(old_node);
  top->connect(new_node);
  run_backward({Edge{top, 0}}, {make({}, {1.0})}, BackwardOptions{});
  EXPECT_EQ(log, std::vector<std::string>({"top", "new", "old"}));
}

// A node whose backward returns a gradient of the wrong shape for its second input.
class WrongShapeNode final : public Node {
 public:
  WrongShapeNode() { input_meta_.push_back({Shape{}, DType::Float64}); }
  std::string name() const override { return "WrongShapeBackward"; }
  TensorList apply(TensorList&&) override { return {ones({2}, DType::Float64), ones({3}, DType::Float64)}; }
};

// A gradient of the wrong shape is reported against the node that produced it and the index of
// that output, as PyTorch does (it matters for custom Functions).
TEST(Engine, InvalidGradientNamesTheProducingNode) {
  Tensor x = leaf({2}, {1, 2});
  Tensor y = leaf({2}, {3, 4});
  auto node = std::make_shared<WrongShapeNode>();
  node->next_edges().push_back({grad_accumulator(x), 0});
  node->next_edges().push_back({grad_accumulator(y), 0});
  try {
    run_backward({Edge{node, 0}}, {make({}, {1.0})}, BackwardOptions{});
    FAIL() << "expected a tg::Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "Function WrongShapeBackward returned an invalid gradient at index 1 - got [3] but expected "
              "shape compatible with [2]");
  }
  EXPECT_FALSE(y.grad().defined());
}

TEST(Engine, NodesDieWithTheirGraph) {
  uint64_t baseline = Node::live_count();
  Tensor x = leaf({4}, {1, 2, 3, 4});
  {
    Tensor y = exp(x);  // saves its own output: must not keep its node alive
    Tensor z = sum(view(y, {2, 2}) * 3.0);
    EXPECT_GT(Node::live_count(), baseline);
  }
  EXPECT_EQ(Node::live_count(), baseline);
  {
    Tensor loss = mean(tanh(x) * x);
    run(loss, /*retain=*/true);
    EXPECT_GT(Node::live_count(), baseline);
  }
  EXPECT_EQ(Node::live_count(), baseline);  // the leaf's accumulator is held weakly
  EXPECT_TRUE(x.grad().defined());
}

// ---------------------------------------------------------------------------------------------
// Long chains. Each test checks values and that every node is freed.

constexpr int kChain = 150000;

TEST(LongChainTest, MulChainBackwardAndDestruction) {
  uint64_t baseline = Node::live_count();
  {
    Tensor x = leaf({}, {1.0});
    Tensor y = x;
    for (int i = 0; i < kChain; ++i) y = y * 1.0001;
    EXPECT_GE(Node::live_count(), baseline + kChain);
    run(y);
    const double want = std::pow(1.0001, kChain);  // about 3.27e6
    EXPECT_NEAR(values(x.grad())[0], want, want * 1e-9);
    EXPECT_NEAR(values(y)[0], want, want * 1e-9);
  }
  EXPECT_EQ(Node::live_count(), baseline);
}

TEST(LongChainTest, AddChainBackward) {
  uint64_t baseline = Node::live_count();
  {
    Tensor x = leaf({2}, {0.5, -1});
    Tensor y = x;
    for (int i = 0; i < kChain; ++i) y = y + 1.0;
    run(sum(y));
    expect_near(values(x.grad()), {1, 1});
    expect_near(values(y), {0.5 + kChain, -1.0 + kChain});
  }
  EXPECT_EQ(Node::live_count(), baseline);
}

TEST(LongChainTest, ChainDestroyedWithoutBackward) {
  uint64_t baseline = Node::live_count();
  {
    Tensor x = leaf({3}, {1, 2, 3});
    Tensor y = x;
    for (int i = 0; i < kChain; ++i) y = i % 2 ? y * 1.0001 : y + 1.0;
    EXPECT_GE(Node::live_count(), baseline + kChain);
  }  // y's grad_fn goes first, then the whole chain behind it
  EXPECT_EQ(Node::live_count(), baseline);
}

// Every MulBackward0 here saves the non-leaf y it multiplied (because w requires grad), so
// each node keeps the previous node alive through a saved tensor as well as through its edge.
TEST(LongChainTest, ChainThroughSavedIntermediates) {
  uint64_t baseline = Node::live_count();
  {
    Tensor x = leaf({}, {2.0});
    Tensor w = leaf({}, {1.0});
    Tensor y = x;
    for (int i = 0; i < kChain; ++i) y = y * w;
    run(y);
    // y = x w^N: dy/dx = w^N = 1, dy/dw = N x w^(N-1) = 2N
    EXPECT_NEAR(values(x.grad())[0], 1.0, 1e-12);
    EXPECT_NEAR(values(w.grad())[0], 2.0 * kChain, 1e-6);
  }
  EXPECT_EQ(Node::live_count(), baseline);
  {
    // Same, never run: destruction has to go through the saved tensors' histories.
    Tensor x = leaf({}, {2.0});
    Tensor w = leaf({}, {1.0});
    Tensor y = x;
    for (int i = 0; i < kChain; ++i) y = y * (i % 3 ? w : exp(w * 0.0));
    EXPECT_GE(Node::live_count(), baseline + kChain);
  }
  EXPECT_EQ(Node::live_count(), baseline);
  {
    // Retained graph, run twice, then destroyed.
    Tensor x = leaf({}, {2.0});
    Tensor w = leaf({}, {1.0});
    Tensor y = x;
    for (int i = 0; i < kChain; ++i) y = y * w;
    run(y, /*retain=*/true);
    run(y, /*retain=*/true);
    EXPECT_NEAR(values(w.grad())[0], 4.0 * kChain, 1e-6);
  }
  EXPECT_EQ(Node::live_count(), baseline);
}

}  // namespace
}  // namespace tg
