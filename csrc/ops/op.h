// How an op becomes a graph node.
//
// An op is one struct (see pointwise.cpp for many):
//   struct Mul {
//     static constexpr const char* name = "mul";            // registry / op table key
//     static constexpr const char* node = "MulBackward0";   // PyTorch's node name
//     struct Saved { SavedTensor a, b; auto tensors() { return std::tie(a, b); } };
//     static Tensor forward(const Tensor& a, const Tensor& b);
//     static void save(Saved& s, const Tensor& a, const Tensor& b, const Tensor& out);
//     static TensorList backward(Saved& s, const Tensor& grad, Needs needs);
//   };
// apply_op<Op>(args...) runs forward without recording, and when grad mode is on and some
// tensor argument requires grad, creates a FunctionNode<Op> with one edge per tensor argument
// (in order), records the output's shape for the engine, and only then calls save().
// backward returns one gradient per tensor argument (undefined where needs[i] is false) and
// is written with tapegrad's own ops, so it can itself be differentiated.
#pragma once
#include <tuple>
#include <type_traits>

#include "autograd/accumulate_grad.h"
#include "autograd/saved_tensor.h"
#include "core/grad_mode.h"

namespace tg {

// Which inputs of a node want a gradient (bit i: tensor argument i).
class Needs {
 public:
  explicit Needs(uint64_t bits) : bits_(bits) {}
  bool operator[](size_t i) const { return (bits_ >> i) & 1; }

 private:
  uint64_t bits_;
};

template <class Op>
class FunctionNode final : public Node {
 public:
  typename Op::Saved saved;

  std::string name() const override { return Op::node; }

  TensorList apply(TensorList&& grads) override {
    uint64_t bits = 0;
    for (size_t i = 0; i < next_edges_.size(); ++i)
      if (next_edges_[i].valid()) bits |= uint64_t(1) << i;
    return Op::backward(saved, grads[0], Needs(bits));
  }

  void release_saved() override {
    if constexpr (requires { saved.tensors(); })
      std::apply([](auto&... t) { (t.release(), ...); }, saved.tensors());
  }
};

namespace detail {

template <class T>
bool arg_requires_grad(const T& arg) {
  if constexpr (std::is_same_v<std::decay_t<T>, Tensor>)
    return arg.defined() && arg.requires_grad();
  else
    return false;
}

template <class T>
void add_edge(std::vector<Edge>& edges, const T& arg) {
  if constexpr (std::is_same_v<std::decay_t<T>, Tensor>) edges.push_back(gradient_edge(arg));
}

}  // namespace detail

template <class Op, class... Args>
Tensor apply_op(const Args&... args) {
  Tensor out;
  {
    NoGradGuard forward_does_not_record;
    out = Op::forward(args...);
  }
  if (!GradMode::is_enabled() || !is_floating(out.dtype()) ||
      !(detail::arg_requires_grad(args) || ...))
    return out;
  auto node = std::make_shared<FunctionNode<Op>>();
  node->next_edges().reserve(sizeof...(Args));
  (detail::add_edge(node->next_edges(), args), ...);
  node->input_meta().push_back({out.sizes(), out.dtype()});
  AutogradMeta& meta = out.autograd_meta();
  meta.output_nr = 0;
  meta.grad_fn = node;
  if constexpr (requires { Op::save(node->saved, args..., out); }) Op::save(node->saved, args..., out);
  return out;
}

}  // namespace tg
