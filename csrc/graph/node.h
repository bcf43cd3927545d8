// A Node is one step of the backward pass: it receives the gradients of its forward op's
// outputs and returns the gradients of that op's inputs. Edges point to the nodes that
// produced those inputs (or to a leaf's AccumulateGrad).
//
// Note [Tape order]: every Node takes a sequence number from a thread-local counter when it is
// created. Among the nodes that are ready to run, the engine always runs the newest first;
// that reproduces the order of the forward tape without keeping a global list.
//
// Note [No recursion] (core/tensor.h): a graph can be a 150,000-node chain. Destroying it must
// not recurse, so a Node never lets its children die inside its own destructor: it hands them
// to release_node().
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "graph/hooks.h"
#include "core/small_vector.h"
#include "core/tensor.h"

namespace tg {

struct Edge {
  std::shared_ptr<Node> fn;  // null: this input needs no gradient
  uint32_t input_nr = 0;     // which of fn's incoming gradients this edge feeds
  bool valid() const { return fn != nullptr; }
};

// Shape and dtype of one incoming gradient (= one output of the forward op), used by the
// engine to undo broadcasting and casts before the node runs.
struct InputMeta {
  Shape shape;
  DType dtype;
};

// Almost every op has one or two inputs and one output: kept inline in the Node, so that
// building a node allocates nothing beyond the Node itself (issue 6's W1g).
using EdgeList = SmallVector<Edge, 2>;
using InputMetaList = SmallVector<InputMeta, 1>;

// What a node keeps for backward, described without unpacking it (tapegrad.autograd.graph).
struct SavedInfo {
  Shape shape;
  DType dtype;
  int64_t nbytes;
  bool released;
};

// Hooks registered on a node; allocated only when one is registered (Note [Hook lists]).
struct NodeHooks {
  explicit NodeHooks(size_t num_inputs) : tensor(num_inputs) {}
  std::vector<TensorHooks> tensor;  // per incoming gradient (the forward output of that index); never resized
  HookList<NodePreHook> pre;
  HookList<NodePostHook> post;
};

class Node : public std::enable_shared_from_this<Node> {
 public:
  Node();
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  virtual std::string name() const = 0;
  // grads[i] is the gradient of forward output i (undefined when nothing flowed into it).
  virtual TensorList apply(TensorList&& grads) = 0;
  // Drops saved tensors after a backward without retain_graph.
  virtual void release_saved() {}
  virtual bool is_accumulate_grad() const { return false; }
  // Whether apply runs when pre-hooks dropped every incoming gradient (else nothing flows out).
  virtual bool runs_without_gradients() const { return false; }
  virtual std::vector<SavedInfo> saved_info() const { return {}; }

  uint64_t sequence_nr() const { return sequence_nr_; }
  EdgeList& next_edges() { return next_edges_; }
  const EdgeList& next_edges() const { return next_edges_; }
  InputMetaList& input_meta() { return input_meta_; }
  const InputMetaList& input_meta() const { return input_meta_; }
  size_t num_inputs() const { return input_meta_.size(); }

  NodeHooks* hooks_if_any() const { return hooks_.get(); }
  NodeHooks& hooks();  // safe while another thread runs backward through this node
  // The Python stack of the forward call that created this node (anomaly mode only).
  const std::string& forward_trace() const { return forward_trace_; }

  static uint64_t live_count();  // nodes alive in the process (leak probes)

 protected:
  uint64_t sequence_nr_;
  EdgeList next_edges_;
  InputMetaList input_meta_;
  LazyBox<NodeHooks> hooks_;
  std::string forward_trace_;

 public:
  // Objects of the host language (a Python backward, Python hooks) this node keeps alive;
  // see AutogradMeta::foreign_refs.
  std::vector<std::weak_ptr<void>> foreign_refs;

  // Serialises apply + release_saved when several threads run backward through one graph.
  std::mutex apply_mutex;

  // Note [Node objects]: the Python object of this node while one exists, so that a node
  // crosses into Python as the same object for as long as it lives (`y.grad_fn is y.grad_fn`,
  // graph walks keyed by id()). Set and read by the bindings under the GIL. While Python holds
  // the object, the object owns the node and this pointer is borrowed; when Python lets go of
  // it while the node lives on, the node takes the object over (owns_python_object) and hands
  // it to Python again on the next access. release_python_object drops that reference.
  void* python_object = nullptr;
  bool owns_python_object = false;
  static void set_python_object_release(void (*release)(Node&));
};

// The engine tells the node being applied (its own saved outputs unpack to tensors whose
// grad_fn is that node, for double backward); null outside of backward.
Node* current_node();
std::shared_ptr<Node> current_node_shared();
class CurrentNodeGuard {
 public:
  explicit CurrentNodeGuard(Node* n);
  ~CurrentNodeGuard();

 private:
  Node* prev_;
};

}  // namespace tg
