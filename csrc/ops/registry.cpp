#include "ops/registry.h"

namespace tg {

// One per ops file, defined at its end (a new family file adds its line here and below).
void register_unary_ops(std::vector<OpInfo>& ops);
void register_binary_ops(std::vector<OpInfo>& ops);
void register_where_clamp_lerp_ops(std::vector<OpInfo>& ops);
void register_cumulative_ops(std::vector<OpInfo>& ops);
void register_sorting_ops(std::vector<OpInfo>& ops);
void register_quantile_ops(std::vector<OpInfo>& ops);
void register_unique_ops(std::vector<OpInfo>& ops);
void register_reduction_ops(std::vector<OpInfo>& ops);
void register_linalg_ops(std::vector<OpInfo>& ops);
void register_view_ops(std::vector<OpInfo>& ops);
void register_extrema_ops(std::vector<OpInfo>& ops);
void register_statistics_ops(std::vector<OpInfo>& ops);
void register_inplace_ops(std::vector<OpInfo>& ops);
void register_indexing_ops(std::vector<OpInfo>& ops);
void register_slice_ops(std::vector<OpInfo>& ops);
void register_join_ops(std::vector<OpInfo>& ops);
void register_gather_scatter_ops(std::vector<OpInfo>& ops);
void register_split_ops(std::vector<OpInfo>& ops);
void register_nn_activation_ops(std::vector<OpInfo>& ops);
void register_nn_loss_ops(std::vector<OpInfo>& ops);
void register_nn_layer_ops(std::vector<OpInfo>& ops);
void register_triangular_ops(std::vector<OpInfo>& ops);
void register_rearrange_ops(std::vector<OpInfo>& ops);
void register_products_ops(std::vector<OpInfo>& ops);
void register_contraction_ops(std::vector<OpInfo>& ops);
void register_index_ops(std::vector<OpInfo>& ops);
void register_search_ops(std::vector<OpInfo>& ops);
void register_list_ops(std::vector<OpInfo>& ops);
void register_scatter_reduce_ops(std::vector<OpInfo>& ops);
void register_unary_trig_ops(std::vector<OpInfo>& ops);
void register_unary_special_ops(std::vector<OpInfo>& ops);
void register_rounding_ops(std::vector<OpInfo>& ops);
void register_binary_math_ops(std::vector<OpInfo>& ops);
void register_bitwise_ops(std::vector<OpInfo>& ops);

const std::vector<OpInfo>& registered_ops() {
  static const std::vector<OpInfo> ops = [] {
    std::vector<OpInfo> all;
    register_unary_ops(all);
    register_binary_ops(all);
    register_where_clamp_lerp_ops(all);
    register_cumulative_ops(all);
    register_sorting_ops(all);
    register_quantile_ops(all);
    register_unique_ops(all);
    register_reduction_ops(all);
    register_linalg_ops(all);
    register_view_ops(all);
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
    register_triangular_ops(all);
    register_rearrange_ops(all);
    register_products_ops(all);
    register_contraction_ops(all);
    register_index_ops(all);
    register_search_ops(all);
    register_list_ops(all);
    register_scatter_reduce_ops(all);
    register_unary_trig_ops(all);
    register_unary_special_ops(all);
    register_rounding_ops(all);
    register_binary_math_ops(all);
    register_bitwise_ops(all);
    return all;
  }();
  return ops;
}

}  // namespace tg
