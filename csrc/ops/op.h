// How an op becomes a graph node.
//
// An op is one struct (see unary.cpp and binary.cpp for many):
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
#include <utility>

#include "core/grad_mode.h"
#include "core/small_vector.h"
#include "graph/accumulate_grad.h"
#include "ops/saved_tensor.h"
#include "ops/view_history.h"

namespace tg {

// Which inputs of a node want a gradient (bit i: tensor argument i). One word inline, as every
// fixed-arity op needs; more words for a list op (cat, stack) over more than 64 tensors.
class Needs {
 public:
  explicit Needs(uint64_t bits) : words_{bits} {}
  explicit Needs(SmallVector<uint64_t, 1> words) : words_(std::move(words)) {}
  bool operator[](size_t i) const { return (i >> 6) < words_.size() && ((words_[i >> 6] >> (i & 63)) & 1); }

 private:
  SmallVector<uint64_t, 1> words_;
};

template <class Op>
class FunctionNode final : public Node {
 public:
  typename Op::Saved saved;

  std::string name() const override { return Op::node; }

  TensorList apply(TensorList&& grads) override {
    const size_t n = next_edges_.size();
    if (n <= 64) {
      uint64_t bits = 0;
      for (size_t i = 0; i < n; ++i)
        if (next_edges_[i].valid()) bits |= uint64_t(1) << i;
      return Op::backward(saved, grads[0], Needs(bits));
    }
    SmallVector<uint64_t, 1> words((n + 63) / 64, uint64_t(0));
    for (size_t i = 0; i < n; ++i)
      if (next_edges_[i].valid()) words[i >> 6] |= uint64_t(1) << (i & 63);
    return Op::backward(saved, grads[0], Needs(std::move(words)));
  }

  void release_saved() override {
    if constexpr (requires { saved.tensors(); })
      std::apply([](auto&... t) { (t.release(), ...); }, saved.tensors());
  }

  std::vector<SavedInfo> saved_info() const override {
    std::vector<SavedInfo> out;
    if constexpr (requires(typename Op::Saved& s) { s.tensors(); })
      std::apply([&](auto&... t) { ((t.defined() ? out.push_back(t.info()) : void()), ...); },
                 const_cast<typename Op::Saved&>(saved).tensors());
    return out;
  }
};

namespace detail {

// A view argument's history is made current before it is read (ops/view_history.h).
template <class T>
bool arg_requires_grad(const T& arg) {
  if constexpr (std::is_same_v<std::decay_t<T>, Tensor>) {
    if (!arg.defined()) return false;
    refresh_view_history(arg);
    return arg.requires_grad();
  } else {
    return false;
  }
}

// Why an op's result has no history when no input requires grad: inherited from an input that
// lost its history (no_grad, detach), else "no input requires grad".
template <class T>
void inherit_reason(NoGradReason& reason, const T& arg) {
  if constexpr (std::is_same_v<std::decay_t<T>, Tensor>) {
    if (reason != NoGradReason::NoInputRequiresGrad || !arg.defined()) return;
    NoGradReason r = arg.impl()->no_grad_reason;
    if (r == NoGradReason::GradModeOff || r == NoGradReason::Detached) reason = r;
  }
}

// An op whose result shares its first tensor argument's storage made a view of it: remember
// the tensor that owns the memory (Note [In-place on views] in ops/inplace.cpp).
template <class T>
bool record_view_base(const Tensor& out, const T& arg) {
  if constexpr (std::is_same_v<std::decay_t<T>, Tensor>) {
    if (arg.defined() && !arg.same(out) && arg.storage() == out.storage()) {
      const auto& base = arg.impl()->view_base;
      out.impl()->view_base = base ? base : arg.impl_ptr();
      out.impl()->view_version = out.version();
      out.impl()->multi_view_output = arg.impl()->multi_view_output;  // views of a split piece too
    }
    return true;  // only the first tensor argument counts
  }
  return false;
}

template <class T>
void add_edge(EdgeList& edges, const T& arg) {
  if constexpr (std::is_same_v<std::decay_t<T>, Tensor>) edges.push_back(fresh_gradient_edge(arg));
}

}  // namespace detail

template <class Op, class... Args>
Tensor apply_op(const Args&... args) {
  Tensor out;
  {
    NoGradGuard forward_does_not_record;
    out = Op::forward(args...);
  }
  (detail::record_view_base(out, args) || ...);
  const bool any_requires_grad = (detail::arg_requires_grad(args) || ...);
  if (!GradMode::is_enabled() || !is_floating(out.dtype()) || !any_requires_grad) {
    NoGradReason reason = !any_requires_grad        ? NoGradReason::NoInputRequiresGrad
                          : !GradMode::is_enabled() ? NoGradReason::GradModeOff
                                                    : NoGradReason::Leaf;
    (detail::inherit_reason(reason, args), ...);
    out.impl()->no_grad_reason = reason;
    return out;
  }
  auto node = std::make_shared<FunctionNode<Op>>();
  node->next_edges().reserve((size_t(std::is_same_v<Args, Tensor>) + ... + 0));  // one edge per tensor argument
  (detail::add_edge(node->next_edges(), args), ...);
  node->input_meta().push_back({out.sizes(), out.dtype()});
  AutogradMeta& meta = out.autograd_meta();
  meta.output_nr = 0;
  meta.grad_fn = node;
  if constexpr (requires { Op::save(node->saved, args..., out); }) Op::save(node->saved, args..., out);
  return out;
}

}  // namespace tg

namespace tg {

// apply_op for ops over a list of tensors (cat, stack): one edge per list element.
template <class Op, class... Extra>
Tensor apply_list_op(const TensorList& inputs, const Extra&... extra) {
  Tensor out;
  {
    NoGradGuard forward_does_not_record;
    out = Op::forward(inputs, extra...);
  }
  bool any = false;
  for (const Tensor& t : inputs) any = any || detail::arg_requires_grad(t);
  if (!GradMode::is_enabled() || !is_floating(out.dtype()) || !any) return out;
  auto node = std::make_shared<FunctionNode<Op>>();
  for (const Tensor& t : inputs) node->next_edges().push_back(fresh_gradient_edge(t));
  node->input_meta().push_back({out.sizes(), out.dtype()});
  AutogradMeta& meta = out.autograd_meta();
  meta.output_nr = 0;
  meta.grad_fn = node;
  Op::save(node->saved, inputs, extra..., out);
  return out;
}

}  // namespace tg

namespace tg {

// Ops with several differentiable results recorded as ONE node with one output each (torch's
// aminmax, std_mean, slogdet, ...): Op::forward returns the results, Op::save gets them all,
// and Op::backward(saved, grads, needs) gets one gradient per result, undefined where that
// result got none (backward decides what an undefined one means; usually zeros).
template <class Op>
class MultiOutputNode final : public Node {
 public:
  typename Op::Saved saved;

  std::string name() const override { return Op::node; }

  TensorList apply(TensorList&& grads) override {
    uint64_t bits = 0;
    for (size_t i = 0; i < next_edges_.size(); ++i)
      if (next_edges_[i].valid()) bits |= uint64_t(1) << i;
    return Op::backward(saved, grads, Needs(bits));
  }

  void release_saved() override {
    if constexpr (requires { saved.tensors(); })
      std::apply([](auto&... t) { (t.release(), ...); }, saved.tensors());
  }
};

template <class Op, class... Args>
TensorList apply_multi_output_op(const Args&... args) {
  TensorList outs;
  {
    NoGradGuard forward_does_not_record;
    outs = Op::forward(args...);
  }
  const bool any_requires_grad = (detail::arg_requires_grad(args) || ...);
  if (!GradMode::is_enabled() || !any_requires_grad || !is_floating(outs[0].dtype())) {
    NoGradReason reason = !any_requires_grad        ? NoGradReason::NoInputRequiresGrad
                          : !GradMode::is_enabled() ? NoGradReason::GradModeOff
                                                    : NoGradReason::Leaf;
    (detail::inherit_reason(reason, args), ...);
    for (Tensor& out : outs) out.impl()->no_grad_reason = reason;
    return outs;
  }
  auto node = std::make_shared<MultiOutputNode<Op>>();
  (detail::add_edge(node->next_edges(), args), ...);
  for (size_t i = 0; i < outs.size(); ++i) {
    node->input_meta().push_back({outs[i].sizes(), outs[i].dtype()});
    AutogradMeta& meta = outs[i].autograd_meta();
    meta.output_nr = (uint32_t)i;
    meta.grad_fn = node;
  }
  Op::save(node->saved, args..., outs);
  return outs;
}

}  // namespace tg
