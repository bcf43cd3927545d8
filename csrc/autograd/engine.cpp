// Note [Engine]: backward in four steps, none of them recursive.
//  1. Walk the graph from the roots with an explicit stack, counting for every node how many
//     edges point at it (its dependencies).
//  2. Seed the roots' input buffers with the root gradients.
//  3. Pop the ready node with the highest sequence_nr (Note [Tape order]); its buffer holds the
//     sum of everything that flowed into it. Apply it, free its saved tensors unless the graph
//     is retained.
//  4. Bring each output gradient to the shape and dtype its consumer recorded (sum_to undoes
//     broadcasting here and nowhere else), add it into that consumer's buffer; a node whose
//     dependency count reaches zero is ready.
#include "autograd/engine.h"

#include <queue>
#include <unordered_map>

#include "autograd/accumulate_grad.h"
#include "core/grad_mode.h"
#include "ops/ops.h"

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

void accumulate(Tensor& slot, Tensor&& g) { slot = slot.defined() ? add(slot, g) : std::move(g); }

}  // namespace

void run_backward(const std::vector<Edge>& roots, const TensorList& grads, bool keep_graph,
                  bool create_graph) {
  GradModeGuard grad_mode(create_graph);

  // 1. Dependencies.
  std::unordered_map<Node*, int> deps;
  std::vector<Node*> stack;
  for (const Edge& r : roots)
    if (r.fn && deps.emplace(r.fn.get(), 0).second) stack.push_back(r.fn.get());
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const Edge& e : n->next_edges()) {
      if (!e.fn) continue;
      auto [it, fresh] = deps.emplace(e.fn.get(), 0);
      ++it->second;
      if (fresh) stack.push_back(e.fn.get());
    }
  }

  // 2. Seed.
  std::unordered_map<Node*, TensorList> buffers;
  std::priority_queue<std::shared_ptr<Node>, std::vector<std::shared_ptr<Node>>, NewestFirst> ready;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Edge& r = roots[i];
    if (!r.fn) continue;
    TensorList& buf = buffers[r.fn.get()];
    if (buf.empty()) {
      buf.resize(r.fn->num_inputs());
      if (deps[r.fn.get()] == 0) ready.push(r.fn);
    }
    accumulate(buf[r.input_nr], Tensor(grads[i]));
  }

  // 3-4. Run.
  while (!ready.empty()) {
    std::shared_ptr<Node> node = ready.top();
    ready.pop();
    TensorList inputs;
    if (auto it = buffers.find(node.get()); it != buffers.end()) {
      inputs = std::move(it->second);
      buffers.erase(it);
    }
    bool any = false;
    for (const Tensor& in : inputs) any = any || in.defined();
    TensorList outputs;
    if (any) {
      CurrentNodeGuard current(node.get());
      outputs = node->apply(std::move(inputs));
      if (!keep_graph) node->release_saved();
    }
    const auto& edges = node->next_edges();
    TG_CHECK(outputs.empty() || outputs.size() == edges.size(), Runtime, "function ", node->name(),
             " returned an incorrect number of gradients (expected ", edges.size(), ", got ",
             outputs.size(), ")");
    for (size_t i = 0; i < edges.size(); ++i) {
      const Edge& e = edges[i];
      if (!e.fn) continue;
      if (i < outputs.size() && outputs[i].defined()) {
        Tensor g = conform(outputs[i], e.fn->input_meta()[e.input_nr], *node, i);
        TensorList& buf = buffers[e.fn.get()];
        if (buf.empty()) buf.resize(e.fn->num_inputs());
        accumulate(buf[e.input_nr], std::move(g));
      }
      if (--deps[e.fn.get()] == 0) ready.push(e.fn);
    }
  }
}

void backward(const Tensor& root, const Tensor& gradient, std::optional<bool> retain_graph,
              bool create_graph) {
  TG_CHECK(root.requires_grad(), Runtime,
           "element 0 of tensors does not require grad and does not have a grad_fn");
  Tensor g = gradient;
  if (!g.defined()) {
    TG_CHECK(root.numel() == 1, Runtime, "grad can be implicitly created only for scalar outputs");
    g = ones_like(root);
  } else {
    TG_CHECK(g.sizes() == root.sizes(), Runtime, "Mismatch in shape: grad_output[0] has a shape of torch.Size(",
             shape_str(g.sizes()), ") and output[0] has a shape of torch.Size(", shape_str(root.sizes()), ").");
    if (g.dtype() != root.dtype()) g = to_dtype(g, root.dtype());
  }
  run_backward({gradient_edge(root)}, {g}, retain_graph.value_or(create_graph), create_graph);
}

}  // namespace tg
