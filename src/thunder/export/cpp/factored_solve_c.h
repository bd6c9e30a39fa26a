// The C of a function with a FactoredSolve (functions/function_set.h): its eval calls the parts
// function, then solves M X = B for every right-hand side at once, row by row of X = Bᵀ, with
// the tree factor (Featherstone 2008, §6.5, Table 6.4) held in tables. Each update
// X_i -= L_ki X_k is one loop over a row of `stride` doubles with no remainder, which GCC and
// Clang vectorize at -O2 (SSE2: 2 per instruction, AVX-512 8), where CasADi's scalar code
// writes every column's substitution separately.
#pragma once

#include <string>

#include <casadi/casadi.hpp>

#include "thunder/functions/function_set.h"

namespace thunder {

/// Rewrites CasADi's file `c_text` of `fn` (symbol `symbol`; any code with fn's inputs, outputs
/// and sparsities, its eval function is replaced) so that it calls `parts_symbol` (plan.parts,
/// which asks for `parts_iw` integers and `parts_w` reals of work) and the solve; _work asks for
/// the parts' work and the solve's.
void emit_factored_solve(const casadi::Function& fn, const FactoredSolve& plan, const std::string& symbol,
                         const std::string& parts_symbol, long long parts_iw, long long parts_w, std::string& c_text);

/// A function with fn's name, inputs and output sparsities whose C is cheap to generate (its
/// outputs are zeros): the frame emit_factored_solve fills.
casadi::Function factored_solve_frame(const casadi::Function& fn, const std::string& symbol);

}  // namespace thunder
