// The op registry: each ops file lists its op structs once; registered_ops() (registry.cpp)
// collects them by explicit calls, never by static initialisers (a static library's linker
// would be free to drop those).
#pragma once
#include <initializer_list>
#include <vector>

#include "ops/op.h"
#include "ops/ops.h"

namespace tg {

template <class Op>
OpInfo op_info() {
  if constexpr (requires { Op::schema; }) return {Op::name, Op::node, Op::schema, invoke_op<Op>};
  else return {Op::name, Op::node, {}, {}};
}

// Registers op structs: their node names, and their schemas where they have one.
template <class... Ops>
void register_ops(std::vector<OpInfo>& ops) {
  (ops.push_back(op_info<Ops>()), ...);
}

// A schema served by a plain function, not an op struct (an alias, a composite such as
// add with alpha, an op without history such as eq): {schema, invoke_fn<&function>}.
struct FunctionSchema {
  Schema schema;
  Invoke invoke;
};
inline void register_functions(std::vector<OpInfo>& ops, std::initializer_list<FunctionSchema> functions) {
  for (const FunctionSchema& f : functions) ops.push_back({nullptr, nullptr, f.schema, f.invoke});
}

}  // namespace tg
