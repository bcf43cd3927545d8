#include "graph/node.h"

#include <atomic>

#include "graph/anomaly.h"

namespace tg {

static thread_local uint64_t tl_next_sequence_nr = 0;
static std::atomic<uint64_t> g_live_nodes{0};

Node::Node() : sequence_nr_(tl_next_sequence_nr++) {
  g_live_nodes.fetch_add(1, std::memory_order_relaxed);
  if (AnomalyMode::is_enabled()) forward_trace_ = AnomalyMode::capture_stack();
}

NodeHooks& Node::hooks() {
  return hooks_.get_or_create([this] { return new NodeHooks(num_inputs()); });
}

static void (*g_release_python_object)(Node&) = nullptr;
void Node::set_python_object_release(void (*release)(Node&)) { g_release_python_object = release; }

Node::~Node() {
  if (owns_python_object && g_release_python_object) g_release_python_object(*this);
  for (Edge& e : next_edges_) release_node(std::move(e.fn));
  g_live_nodes.fetch_sub(1, std::memory_order_relaxed);
}

uint64_t Node::live_count() { return g_live_nodes.load(std::memory_order_relaxed); }

static thread_local Node* tl_current_node = nullptr;

Node* current_node() { return tl_current_node; }
std::shared_ptr<Node> current_node_shared() {
  return tl_current_node ? tl_current_node->shared_from_this() : nullptr;
}
CurrentNodeGuard::CurrentNodeGuard(Node* n) : prev_(tl_current_node) { tl_current_node = n; }
CurrentNodeGuard::~CurrentNodeGuard() { tl_current_node = prev_; }

}  // namespace tg
