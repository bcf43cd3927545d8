// Neural-network ops (tapegrad.nn.functional): softmax, losses, normalisation, ...
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

void register_nn_ops(std::vector<OpInfo>& ops) { register_ops<>(ops); }

}  // namespace tg
