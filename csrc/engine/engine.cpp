// Note [Engine]: backward in four steps, none of them recursive.
//  1. Walk the graph from the roots with an explicit stack, counting for every node how many
//     edges point at it (its dependencies), in a flat table (core/pointer_map.h).
//  2. Seed the roots' input buffers with the root gradients.
//  3. Pop the ready node with the highest sequence_nr (Note [Tape order]); its buffer holds the
//     sum of everything that flowed into it. Apply it, free its saved tensors unless the graph
//     is retained.
//  4. Bring each output gradient to the shape and dtype its consumer recorded (sum_to undoes
//     broadcasting here and nowhere else), add it into that consumer's buffer; a node whose
//     dependency count reaches zero is ready.
// run_backward calls one function per step; with inputs=, WantedInputs (Note [Wanted inputs])
// says which nodes run in step 3 and keeps the gradients that reach the wanted edges.
#include "engine/engine.h"

#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "core/grad_mode.h"
#include "core/pointer_map.h"
#include "engine/accumulate_grad.h"
#include "graph/anomaly.h"
#include "kernels/pointwise.h"
#include "ops/ops.h"
#include "ops/view_history.h"

namespace tg {

namespace {

struct NewestFirst {
  bool operator()(const std::shared_ptr<Node>& a, const std::shared_ptr<Node>& b) const {
    return a->sequence_nr() < b->sequence_nr();
  }
};

// Brings output `index` of `node` to the shape and dtype its consumer recorded for it; an error
// names the node that produced the gradient.
Tensor conform(const Tensor& grad, const InputMeta& meta, const Node& node, size_t index) {
  Tensor g = grad;
  if (g.sizes() != meta.shape) {
    bool reducible = g.dim() >= (int64_t)meta.shape.size();
    for (size_t i = 0; reducible && i < meta.shape.size(); ++i) {
      int64_t gs = g.sizes()[g.dim() - meta.shape.size() + i];
      reducible = gs == meta.shape[i] || meta.shape[i] == 1;
    }
    TG_CHECK(reducible, Runtime, "Function ", node.name(), " returned an invalid gradient at index ",
             index, " - got ", shape_str(g.sizes()), " but expected shape compatible with ",
             shape_str(meta.shape));
    g = sum_to(g, meta.shape);
  }
  if (g.dtype() != meta.dtype) g = to_dtype(g, meta.dtype);
  return g;
}

// The "why" appended to PyTorch's "does not require grad" message.
std::string no_grad_reason(const Tensor& t) {
  switch (t.impl()->no_grad_reason) {
    case NoGradReason::GradModeOff:
      return " (it was computed while grad mode was off, e.g. inside no_grad())";
    case NoGradReason::Detached:
      return " (it was detached from its graph by .detach() or .data)";
    case NoGradReason::NoInputRequiresGrad:
      return " (none of the tensors it was computed from requires grad)";
    case NoGradReason::Leaf:
      break;
  }
  return " (it is a leaf tensor created with requires_grad=False)";
}

// Sums a gradient into a node's input buffer. Without create_graph, a buffer that nothing else
// can see (its tensor and memory owned by the buffer alone) is added into in place, saving an
// allocation per extra consumer (a weight used at every step of an unrolled RNN).
void accumulate(Tensor& slot, Tensor&& g) {
  if (!slot.defined()) {
    slot = std::move(g);
    return;
  }
  if (!GradMode::is_enabled() && claim_private_buffer(slot) && slot.sizes() == g.sizes() && slot.dtype() == g.dtype()) {
    kernels::binary_into(kernels::BinaryOp::Add, slot, slot, g);
    return;
  }
  slot = add(slot, g);
}

// Tensor hooks, then retain_grad, per incoming gradient (Note [Hook lists]).
void run_tensor_hooks(Node& node, TensorList& inputs) {
  if (NodeHooks* h = node.hooks_if_any())
    for (size_t i = 0; i < inputs.size() && i < h->tensor.size(); ++i)
      if (inputs[i].defined()) inputs[i] = apply_tensor_hooks(h->tensor[i], inputs[i]);
  if (node.is_accumulate_grad() && !inputs.empty() && inputs[0].defined()) {
    AutogradMeta* meta = static_cast<AccumulateGrad&>(node).variable().autograd_meta_if_any();
    if (TensorHooks* hooks = meta ? meta->hooks.get() : nullptr) inputs[0] = apply_tensor_hooks(*hooks, inputs[0]);
  }
}

bool any_defined(const TensorList& ts) {
  for (const Tensor& t : ts)
    if (t.defined()) return true;
  return false;
}

// Pre-hooks, apply, post-hooks. Every replacement a hook returns is checked before it is used
// (Note [Hook results]); a node whose incoming gradients were all dropped by its pre-hooks is
// not applied (nothing flows out of it, as if nothing had flowed in), except a custom Function,
// whose backward PyTorch calls with zeros then.
TensorList apply_with_hooks(Node& node, TensorList&& inputs) {
  NodeHooks* h = node.hooks_if_any();
  auto pre = h ? h->pre.snapshot() : nullptr;
  auto post = h ? h->post.snapshot() : nullptr;
  if (pre)
    for (const auto& hook : *pre)
      if (std::optional<TensorList> replaced = hook.fn(inputs)) {
        validate_hook_result(inputs, *replaced, hook.name);
        inputs = std::move(*replaced);
      }
  TensorList grad_outputs = post ? inputs : TensorList();
  TensorList outputs;
  if (any_defined(inputs) || node.runs_without_gradients()) {
    CurrentNodeGuard current(&node);
    outputs = node.apply(std::move(inputs));
  } else {
    outputs.resize(node.next_edges().size());
  }
  if (post)
    for (const auto& hook : *post)
      if (std::optional<TensorList> replaced = hook.fn(outputs, grad_outputs)) {
        validate_hook_result(outputs, *replaced, hook.name);
        outputs = std::move(*replaced);
      }
  return outputs;
}

void check_anomaly(const Node& node, const TensorList& outputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!outputs[i].defined() || !has_nan(outputs[i])) continue;
    std::string trace = node.forward_trace().empty()
                            ? ""
                            : "\nTraceback of forward call that caused the error:\n" + node.forward_trace();
    TG_ERROR(Runtime, "Function '", node.name(), "' returned nan values in its ", i, "th output.", trace);
  }
}

// One table entry per node reached: its count of pending edges and the buffer its incoming
// gradients are summed into.
struct Pending {
  int deps = 0;
  TensorList buffer;
};
using PendingTable = PointerMap<Node, Pending>;
using ReadyQueue = std::priority_queue<std::shared_ptr<Node>, std::vector<std::shared_ptr<Node>>, NewestFirst>;

// Step 1: every node reachable from the roots gets its entry, so that the lookups of the later
// steps find one and insert nothing.
void count_dependencies(const std::vector<Edge>& roots, PendingTable& table) {
  std::vector<Node*> stack;
  for (const Edge& r : roots)
    if (r.fn && table.try_emplace(r.fn.get()).second) stack.push_back(r.fn.get());
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const Edge& e : n->next_edges()) {
      if (!e.fn) continue;
      auto [pending, fresh] = table.try_emplace(e.fn.get());
      ++pending->deps;
      if (fresh) stack.push_back(e.fn.get());
    }
  }
}

// Step 2: the root gradients go into the roots' buffers; a root nothing else feeds is ready.
void seed(const std::vector<Edge>& roots, const TensorList& grads, PendingTable& table, ReadyQueue& ready) {
  for (size_t i = 0; i < roots.size(); ++i) {
    const Edge& r = roots[i];
    if (!r.fn) continue;
    Pending& p = *table.find(r.fn.get());
    if (p.buffer.empty()) {
      p.buffer.resize(r.fn->num_inputs());
      if (p.deps == 0) ready.push(r.fn);
    }
    accumulate(p.buffer[r.input_nr], Tensor(grads[i]));
  }
}

// Wanted inputs (Note [Wanted inputs]): node -> its wanted slots, each with its index in the result.
using Targets = std::unordered_map<Node*, std::vector<std::pair<uint32_t, size_t>>>;

// Which nodes must run when only some inputs are wanted: those with an edge into a node that
// leads to a wanted input. Found by an iterative post-order walk (Note [No recursion]).
std::unordered_set<Node*> nodes_leading_to(const std::vector<Edge>& roots, const Targets& targets) {
  std::unordered_map<Node*, bool> reaches;  // node is, or leads to, a target
  std::unordered_set<Node*> run;
  std::vector<std::pair<Node*, size_t>> stack;
  for (const Edge& r : roots)
    if (r.fn && !reaches.count(r.fn.get())) {
      reaches[r.fn.get()] = false;
      stack.push_back({r.fn.get(), 0});
    }
  while (!stack.empty()) {
    auto& [n, next] = stack.back();
    if (next < n->next_edges().size()) {
      Node* child = n->next_edges()[next++].fn.get();
      if (child && reaches.emplace(child, false).second) stack.push_back({child, 0});
      continue;
    }
    bool feeds_target = false;
    for (const Edge& e : n->next_edges()) feeds_target = feeds_target || (e.fn && reaches[e.fn.get()]);
    if (feeds_target) run.insert(n);
    reaches[n] = feeds_target || targets.count(n);
    stack.pop_back();
  }
  return run;
}

// Note [Wanted inputs]: with `inputs=` (autograd.grad, backward(inputs=...)) the engine
// captures the gradient that reaches each wanted edge and runs only the nodes that lead to
// one (plus, when accumulating, the AccumulateGrad of a wanted leaf). It is a filter on which
// nodes run and a side output, nothing else, so it is kept here, out of the main loop; without
// `inputs=` it answers "run everything" without a lookup.
class WantedInputs {
 public:
  WantedInputs(const std::vector<Edge>& roots, const BackwardOptions& options)
      : pruned_(!options.inputs.empty()), accumulate_(options.accumulate), captured_(options.inputs.size()) {
    if (!pruned_) return;
    for (size_t i = 0; i < options.inputs.size(); ++i)  // (node, slot) -> index into the result
      if (options.inputs[i].fn) targets_[options.inputs[i].fn.get()].push_back({options.inputs[i].input_nr, i});
    must_run_ = nodes_leading_to(roots, targets_);
  }
  // Keeps the gradients arriving at `node` that were asked for (after its tensor hooks).
  void capture(Node* node, const TensorList& inputs) {
    if (!pruned_) return;
    if (auto t = targets_.find(node); t != targets_.end())
      for (auto [slot, index] : t->second) captured_[index] = inputs[slot];
  }
  bool must_run(Node* node) const {
    return !pruned_ || must_run_.count(node) || (accumulate_ && node->is_accumulate_grad() && targets_.count(node));
  }
  TensorList take_captured() { return std::move(captured_); }

 private:
  bool pruned_;
  bool accumulate_;
  Targets targets_;
  std::unordered_set<Node*> must_run_;
  TensorList captured_;
};

// Step 3: pre-hooks, apply, post-hooks under the node's lock (several threads may run backward
// through one graph), then the anomaly check and freeing what the node saved.
TensorList run_node(Node& node, TensorList&& inputs, bool keep_graph) {
  std::lock_guard<std::mutex> lock(node.apply_mutex);
  TensorList outputs = apply_with_hooks(node, std::move(inputs));
  if (AnomalyMode::is_enabled()) check_anomaly(node, outputs);
  if (!keep_graph) node.release_saved();
  return outputs;
}

// Step 4: each output gradient, brought to its consumer's shape and dtype, is added into the
// consumer's buffer; a consumer whose last pending edge this was becomes ready (also when the
// gradient is undefined: its other inputs may still carry one).
void send_to_consumers(const Node& node, const TensorList& outputs, PendingTable& table, ReadyQueue& ready) {
  const auto& edges = node.next_edges();
  TG_CHECK(outputs.empty() || outputs.size() == edges.size(), Runtime, "function ", node.name(),
           " returned an incorrect number of gradients (expected ", edges.size(), ", got ", outputs.size(), ")");
  for (size_t i = 0; i < edges.size(); ++i) {
    const Edge& e = edges[i];
    if (!e.fn) continue;
    Pending& next = *table.find(e.fn.get());
    if (i < outputs.size() && outputs[i].defined()) {
      Tensor g = conform(outputs[i], e.fn->input_meta()[e.input_nr], node, i);
      if (next.buffer.empty()) next.buffer.resize(e.fn->num_inputs());
      accumulate(next.buffer[e.input_nr], std::move(g));
    }
    if (--next.deps == 0) ready.push(e.fn);
  }
}

}  // namespace

TensorList run_backward(const std::vector<Edge>& roots, const TensorList& grads, const BackwardOptions& options) {
  GradModeGuard grad_mode(options.create_graph);
  PendingTable table(32);
  count_dependencies(roots, table);  // 1
  WantedInputs wanted(roots, options);
  ReadyQueue ready;
  seed(roots, grads, table, ready);  // 2
  while (!ready.empty()) {           // 3-4
    std::shared_ptr<Node> node = ready.top();
    ready.pop();
    TensorList inputs = std::move(table.find(node.get())->buffer);
    TensorList outputs;
    if (any_defined(inputs)) {
      run_tensor_hooks(*node, inputs);
      wanted.capture(node.get(), inputs);
      if (wanted.must_run(node.get())) outputs = run_node(*node, std::move(inputs), options.keep_graph);
    }
    send_to_consumers(*node, outputs, table, ready);
  }
  return wanted.take_captured();
}

TensorList make_root_grads(const TensorList& roots, const TensorList& grads) {
  TensorList out(roots.size());
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& root = roots[i];
    refresh_view_history(root);
    TG_CHECK(root.requires_grad(), Runtime, "element ", i,
             " of tensors does not require grad and does not have a grad_fn", no_grad_reason(root));
    Tensor g = i < grads.size() ? grads[i] : Tensor();
    if (!g.defined()) {
      TG_CHECK(root.numel() == 1, Runtime, "grad can be implicitly created only for scalar outputs");
      g = ones_like(root);
    } else {
      TG_CHECK(g.sizes() == root.sizes(), Runtime, "Mismatch in shape: grad_output[", i,
               "] has a shape of torch.Size(", shape_str(g.sizes()), ") and output[", i,
               "] has a shape of torch.Size(", shape_str(root.sizes()), ").");
      if (g.dtype() != root.dtype()) g = to_dtype(g, root.dtype());
    }
    out[i] = g;
  }
  return out;
}

namespace {
std::vector<Edge> input_edges(const TensorList& inputs) {
  std::vector<Edge> edges;
  for (const Tensor& t : inputs) {
    refresh_view_history(t);
    TG_CHECK(t.defined() && t.requires_grad(), Runtime, "One of the differentiated Tensors does not require grad");
    edges.push_back(fresh_gradient_edge(t));
  }
  return edges;
}
}  // namespace

void backward(const Tensor& root, const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph,
              const TensorList& inputs) {
  TensorList grads = make_root_grads({root}, {gradient});
  BackwardOptions options;
  options.keep_graph = retain_graph.value_or(create_graph);
  options.create_graph = create_graph;
  options.inputs = input_edges(inputs);
  TensorList captured = run_backward({fresh_gradient_edge(root)}, grads, options);
  // Leaves among `inputs` accumulated through their AccumulateGrad; non-leaves get .grad here.
  for (size_t i = 0; i < inputs.size(); ++i) {
    refresh_view_history(inputs[i]);
    if (inputs[i].is_leaf() || !captured[i].defined()) continue;
    AutogradMeta& meta = inputs[i].autograd_meta();
    std::lock_guard<std::mutex> lock(meta.grad_mutex);
    meta.grad = meta.grad.defined() ? add(meta.grad, captured[i]) : captured[i];
  }
}

TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs,
                std::optional<bool> retain_graph, bool create_graph, bool allow_unused) {
  TG_CHECK(grad_outputs.empty() || grad_outputs.size() == outputs.size(), Runtime, "grad requires one grad_output per output: got ",
           grad_outputs.size(), " grad_outputs and ", outputs.size(), " outputs");
  TensorList grads = make_root_grads(outputs, grad_outputs);
  std::vector<Edge> roots;
  for (const Tensor& o : outputs) roots.push_back(fresh_gradient_edge(o));
  BackwardOptions options;
  options.keep_graph = retain_graph.value_or(create_graph);
  options.create_graph = create_graph;
  options.inputs = input_edges(inputs);
  options.accumulate = false;
  TensorList result = run_backward(roots, grads, options);
  for (size_t i = 0; i < result.size(); ++i)
    TG_CHECK(result[i].defined() || allow_unused, Runtime, "The differentiated Tensor at index ", i,
             " appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.");
  return result;
}

}  // namespace tg
