// A tensor a node keeps for its backward formula, with the storage version it had when saved.
//
// Note [Saved outputs]: when an op saves its own output (exp, tanh, sigmoid, ...), keeping the
// output tensor itself would make node -> output -> grad_fn -> node a reference cycle. So an
// output is kept as bare data, and unpack() re-attaches the node that is running (the engine
// sets it) as grad_fn, which is all double backward needs.
//
// It sits with the ops, which are the ones that save and unpack, rather than in graph/: the
// error for a modified saved view names the view's current producer, which takes remaking its
// history (refresh_view_history, an op).
#pragma once
#include "core/tensor.h"
#include "graph/node.h"

namespace tg {

class SavedTensor {
 public:
  SavedTensor() = default;
  SavedTensor(const Tensor& t, bool is_output);
  SavedTensor& operator=(const Tensor& t) { return *this = SavedTensor(t, false); }
  SavedTensor(const SavedTensor& o);
  SavedTensor(SavedTensor&& o) noexcept;
  SavedTensor& operator=(const SavedTensor& o);
  SavedTensor& operator=(SavedTensor&& o) noexcept;
  ~SavedTensor();

  // Bytes of tensor data held by saved tensors in the whole process (graph.saved_bytes()).
  static int64_t total_bytes();
  SavedInfo info() const;

  // The tensor as it was saved. RuntimeError when it was modified in place since, or when the
  // graph's saved tensors were already freed by an earlier backward.
  Tensor unpack() const;
  void release();
  bool defined() const { return saved_; }

 private:
  Tensor data_;
  uint32_t version_ = 0;
  uint32_t output_nr_ = 0;
  bool saved_ = false;
  bool is_output_ = false;
  int64_t counted_bytes_ = 0;  // this slot's share of total_bytes()
  void count(int64_t bytes);
};

}  // namespace tg
