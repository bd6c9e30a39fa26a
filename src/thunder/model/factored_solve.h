// The second construction of functions whose outputs are (−)M⁻¹ B with M = LᵀDL factored on the
// tree's sparsity (FactoredSolve in functions/function_set.h): everything but the solve as one
// CasADi function, the solve left to the C++ exporter's vectorizable loops.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "thunder/algorithm/ltdl.h"
#include "thunder/functions/function_set.h"

namespace thunder {

/// The second construction is kept when the CasADi instructions it leaves to the vector loops
/// (the function's less the parts') are at least this many (THUNDER_VECTOR_SOLVE_ABOVE overrides;
/// 0: always). bench_cg per call: the Panda's FD_derivatives (1,400 instructions to the loops)
/// runs as fast either way and its scalar code has fewer operations; solo12's (12,700) 13 % faster
/// with the loops, the humanoid's (72,000) 1.9x.
long long vector_solve_threshold();

/// `others`: the function's outputs that are not solved, in order, with their names; `B`: the
/// right-hand sides of the solved outputs side by side (n x Σ columns); `solved`: the indices of
/// the solved outputs among all the function's outputs; `symmetric`: those of them that are
/// symmetric (M⁻¹ for B = I). Builds `parts` on `inputs` (the
/// function's inputs, in order).
std::shared_ptr<const FactoredSolve> factored_solve(const std::string& name, const std::vector<SX>& inputs,
                                                    const std::vector<std::string>& input_names,
                                                    const std::vector<SX>& others,
                                                    const std::vector<std::string>& other_names, const LTDL& factor,
                                                    const SX& B, std::vector<int> solved, bool negated,
                                                    std::vector<int> symmetric);

}  // namespace thunder
