// Conversions between the two per-link inertial parametrizations:
//   par_DYN = [m, c (3), I_c (xx, xy, xz, yy, yz, zz)]  inertia about the centre of mass
//   par_REG = [m, h = m c (3), I_O (xx, xy, xz, yy, yz, zz)]  inertia about the link origin
// with I_O = I_c + m (c'c 1 - c c') (parallel axis). The dynamics are linear in par_REG.
#pragma once

#include <vector>

#include <casadi/casadi.hpp>

namespace thunder {

/// 10n -> 10n, numeric.
std::vector<double> dyn_to_reg(const std::vector<double>& dyn);
std::vector<double> reg_to_dyn(const std::vector<double>& reg);

/// 10 -> 10 for one link, symbolic (any casadi scalar type).
casadi::SX dyn_to_reg_link(const casadi::SX& dyn10);
casadi::SX reg_to_dyn_link(const casadi::SX& reg10);

}  // namespace thunder
