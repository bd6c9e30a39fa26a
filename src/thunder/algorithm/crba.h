// Mass matrix by the composite rigid body algorithm on a tree (Featherstone 2008, §6.2, Table 6.2).
//
//   I^c_i = I_i + Σ_{children j} ʲX_iᵀ I^c_j ʲX_i                 (leaves to root)
//   for each joint i:  F = I^c_i S_i;  M_ii = S_iᵀ F;
//     j = i; while λ(j) ≥ 0: F = ʲX_λ(j)ᵀ F; j = λ(j); M_ji = S_jᵀ F; M_ij = M_jiᵀ
// Joints with several degrees of freedom (the free-flyer) contribute one column of S at a time.
#pragma once

#include <vector>

#include "thunder/multibody/kinematics.h"

namespace thunder {

/// M (nv_full x nv_full), symmetric by construction.
SX crba(const Kinematics& kin, const std::vector<BodyInertia>& bodies);

/// Composite inertias I^c_i of every subtree, each in its body's coordinates.
std::vector<BodyInertia> composite_inertias(const Kinematics& kin, const std::vector<BodyInertia>& bodies);

}  // namespace thunder
