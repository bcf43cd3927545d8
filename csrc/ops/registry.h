// The op registry: each ops file lists its op structs once; registered_ops() (registry.cpp)
// collects them by explicit calls, never by static initialisers (a static library's linker
// would be free to drop those).
#pragma once
#include <vector>

#include "ops/ops.h"

namespace tg {

template <class... Ops>
void register_ops(std::vector<OpInfo>& ops) {
  (ops.push_back({Ops::name, Ops::node}), ...);
}

void register_pointwise_ops(std::vector<OpInfo>& ops);
void register_reduction_ops(std::vector<OpInfo>& ops);
void register_linalg_ops(std::vector<OpInfo>& ops);
void register_view_ops(std::vector<OpInfo>& ops);
void register_math_ops(std::vector<OpInfo>& ops);
void register_extrema_ops(std::vector<OpInfo>& ops);
void register_statistics_ops(std::vector<OpInfo>& ops);
void register_inplace_ops(std::vector<OpInfo>& ops);
void register_slice_ops(std::vector<OpInfo>& ops);
void register_indexing_ops(std::vector<OpInfo>& ops);
void register_join_ops(std::vector<OpInfo>& ops);
void register_gather_scatter_ops(std::vector<OpInfo>& ops);
void register_split_ops(std::vector<OpInfo>& ops);
void register_nn_activation_ops(std::vector<OpInfo>& ops);
void register_nn_loss_ops(std::vector<OpInfo>& ops);
void register_nn_layer_ops(std::vector<OpInfo>& ops);

}  // namespace tg
