#include "ops/registry.h"

namespace tg {

const std::vector<OpInfo>& registered_ops() {
  static const std::vector<OpInfo> ops = [] {
    std::vector<OpInfo> all;
    register_pointwise_ops(all);
    register_reduction_ops(all);
    register_linalg_ops(all);
    register_view_ops(all);
    register_math_ops(all);
    register_extrema_ops(all);
    register_statistics_ops(all);
    register_inplace_ops(all);
    register_slice_ops(all);
    register_indexing_ops(all);
    register_join_ops(all);
    register_gather_scatter_ops(all);
    register_split_ops(all);
    register_nn_activation_ops(all);
    register_nn_loss_ops(all);
    register_nn_layer_ops(all);
    return all;
  }();
  return ops;
}

}  // namespace tg
