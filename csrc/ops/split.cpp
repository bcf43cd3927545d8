// split / chunk / unbind: several views of one input, recorded as ONE node with one output
// per piece (PyTorch's SplitBackward0 / UnbindBackward0). Backward joins the pieces' gradients
// (zeros for pieces that got none) with cat or stack, so it is itself differentiable.
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

namespace {

class MultiViewNode final : public Node {
 public:
  MultiViewNode(const char* node_name, bool stacked, int64_t dim, DType dtype)
      : name_(node_name), stacked_(stacked), dim_(dim), dtype_(dtype) {}
  std::string name() const override { return name_; }
  TensorList apply(TensorList&& grads) override {
    TensorList parts;
    for (size_t i = 0; i < grads.size(); ++i)
      parts.push_back(grads[i].defined() ? grads[i] : zeros(input_meta()[i].shape, dtype_));
    return {stacked_ ? stack(parts, dim_) : cat(parts, dim_)};
  }

 private:
  const char* name_;
  bool stacked_;
  int64_t dim_;
  DType dtype_;
};

// Makes the pieces (computed without recording) outputs of one node over `a`.
TensorList record_pieces(const Tensor& a, TensorList pieces, const char* node_name, bool stacked, int64_t dim) {
  if (!GradMode::is_enabled()) return pieces;
  refresh_view_history(a);
  if (!a.requires_grad()) return pieces;
  auto node = std::make_shared<MultiViewNode>(node_name, stacked, dim, a.dtype());
  node->next_edges().push_back(fresh_gradient_edge(a));
  for (size_t i = 0; i < pieces.size(); ++i) {
    node->input_meta().push_back({pieces[i].sizes(), pieces[i].dtype()});
    AutogradMeta& meta = pieces[i].autograd_meta();
    meta.grad_fn = node;
    meta.output_nr = (uint32_t)i;
    pieces[i].impl()->multi_view_output = true;
  }
  return pieces;
}

// Registry entries (the node structs above are not op structs).
struct SplitOp {
  static constexpr const char* name = "split";
  static constexpr const char* node = "SplitBackward0";
};
struct SplitWithSizesOp {
  static constexpr const char* name = "split_with_sizes";
  static constexpr const char* node = "SplitWithSizesBackward0";
};
struct UnbindOp {
  static constexpr const char* name = "unbind";
  static constexpr const char* node = "UnbindBackward0";
};

}  // namespace

TensorList split(const Tensor& a, int64_t split_size, int64_t dim) {
  TG_CHECK(a.dim() > 0, Runtime, "split expects at least a 1-dimensional tensor");
  TG_CHECK(split_size >= 0, Runtime, "split expects split_size be non-negative, but got split_size=", split_size);
  int64_t d = wrap_dim(dim, a.dim()), size = a.sizes()[d];
  TG_CHECK(split_size > 0 || size == 0, Runtime,
           "split_size can only be 0 if dimension size is 0, but got dimension size of ", size);
  TensorList pieces;
  {
    NoGradGuard pieces_are_plain_views;
    if (size == 0) pieces.push_back(narrow(a, d, 0, 0));
    for (int64_t at = 0; at < size; at += split_size) pieces.push_back(narrow(a, d, at, std::min(split_size, size - at)));
  }
  return record_pieces(a, std::move(pieces), SplitOp::node, false, d);
}

TensorList split_with_sizes(const Tensor& a, const Shape& sizes, int64_t dim) {
  TG_CHECK(a.dim() > 0, Runtime, "split expects at least a 1-dimensional tensor");
  int64_t d = wrap_dim(dim, a.dim()), total = 0;
  bool overflow = false;
  for (int64_t s : sizes) {
    TG_CHECK(s >= 0, Runtime, "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=",
             shape_str(sizes));
    overflow |= __builtin_add_overflow(total, s, &total);
  }
  TG_CHECK(!overflow && total == a.sizes()[d], Runtime, "split_with_sizes expects split_sizes to sum exactly to ", a.sizes()[d],
           " (input tensor's size at dimension ", d, "), but got split_sizes=", shape_str(sizes));
  TensorList pieces;
  {
    NoGradGuard pieces_are_plain_views;
    int64_t at = 0;
    for (int64_t s : sizes) {
      pieces.push_back(narrow(a, d, at, s));
      at += s;
    }
  }
  return record_pieces(a, std::move(pieces), SplitWithSizesOp::node, false, d);
}

TensorList chunk(const Tensor& a, int64_t chunks, int64_t dim) {
  TG_CHECK(a.dim() > 0, Runtime, "chunk expects at least a 1-dimensional tensor");
  TG_CHECK(chunks > 0, Runtime, "chunk expects `chunks` to be greater than 0, got: ", chunks);
  int64_t size = a.sizes()[wrap_dim(dim, a.dim())];
  return split(a, std::max<int64_t>((size + chunks - 1) / chunks, size == 0 ? 0 : 1), dim);
}

TensorList unbind(const Tensor& a, int64_t dim) {
  int64_t d = wrap_dim(dim, a.dim());
  TG_CHECK(a.dim() > 0, Index, "Dimension specified as 0 but tensor has no dimensions");
  TensorList pieces;
  {
    NoGradGuard pieces_are_plain_views;
    for (int64_t i = 0; i < a.sizes()[d]; ++i) pieces.push_back(select(a, d, i));
  }
  return record_pieces(a, std::move(pieces), UnbindOp::node, true, d);
}

void register_split_ops(std::vector<OpInfo>& ops) { register_ops<SplitOp, SplitWithSizesOp, UnbindOp>(ops); }

}  // namespace tg
