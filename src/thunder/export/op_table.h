// The one table of the scalar operations that Thunder's generators write, keyed by CasADi op code
// (as CasADi's calculus.hpp is for its own code generators). The torch exporter writes the names
// into its artifact (python/thunder_torch/_engine.py's OPS executes them); the native emitters
// (SIMD C++ and CUDA) write `x <infix> y` where the table gives an infix operator and
// `th_<name>(x[, y])` otherwise, which their runtime headers (export/native/runtime/) define.
// A test checks that every name here has an implementation in each of them.
#pragma once

#include <map>

namespace thunder {

/// Not a CasADi op: c + a * b (operands c, a, b as torch.addcmul takes them). Only the torch
/// exporter writes it (it fuses add, sub, mul, neg, twice and sq into it, exactly).
constexpr int kOpFma = -1000;

struct OpInfo {
  const char* name;   ///< the operation's name in every backend (torch artifact, th_<name>)
  int nargs;          ///< operands
  const char* infix;  ///< C operator for `x op y` (or `op x` when nargs == 1), or nullptr
};

/// Every operation a generated function may contain, by CasADi op code (plus kOpFma).
/// OP_CONST, OP_INPUT, OP_OUTPUT and OP_ASSIGN are not in it: each emitter handles them itself.
const std::map<int, OpInfo>& op_table();

/// The table's entry of `op`, or nullptr when no backend can execute it.
const OpInfo* find_op(int op);

}  // namespace thunder
