// The bodies' inertias in regressor form (BodyInertia), from the parameter sets.
#pragma once

#include <vector>

#include "thunder/model/parameters.h"
#include "thunder/spatial/motion.h"

namespace thunder {

/// From the par_DYN elements of `params` (constants or symbols), `n` bodies.
std::vector<BodyInertia> inertias_from_dyn(const Parameters& params, int n);
/// From a 10n vector in par_REG order (e.g. a symbol used to differentiate into a regressor).
std::vector<BodyInertia> inertias_from_reg(const SX& reg);

}  // namespace thunder
