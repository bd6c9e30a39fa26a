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
                                                    std::vector<int> symmetric = {});

}  // namespace thunder
