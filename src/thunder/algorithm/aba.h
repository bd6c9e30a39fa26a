// Forward dynamics by the articulated-body algorithm on a tree (Featherstone 2008, §7.3,
// Table 7.1), O(n) in the joints, built symbolically:
//
//   forward:  v_i = ᶦX_λ(i) v_λ(i) + S_i q̇_i,  c_i = v_i × S_i q̇_i,
//             I^A_i = I_i,  p^A_i = v_i ×* I_i v_i
//   backward: U_i = I^A_i S_i,  D_i = S_iᵀ U_i,  u_i = τ_i − S_iᵀ p^A_i,
//             I^a = I^A_i − U_i D_i⁻¹ U_iᵀ,  p^a = p^A_i + I^a c_i + U_i D_i⁻¹ u_i,
//             I^A_λ(i) += ᶦX_λ(i)ᵀ I^a ᶦX_λ(i),  p^A_λ(i) += ᶦX_λ(i)ᵀ p^a
//   forward:  a'_i = ᶦX_λ(i) a_λ(i) + c_i  (a_root = −g),  q̈_i = D_i⁻¹ (u_i − U_iᵀ a'_i),
//             a_i = a'_i + S_i q̈_i
// Articulated inertias are not rigid-body inertias, so they are kept as 6×6 SX matrices acting
// on [ω; v] and giving [n; f]; D_i⁻¹ is a division for one-dof joints and a Cholesky solve for
// the free-flyer. No mimic joints (their coupling is not a tree joint: the caller solves M).
#pragma once

#include <vector>

#include "thunder/multibody/kinematics.h"

namespace thunder {

/// q̈ (nv x m) for the velocity `v` and the joint forces `tau` (nv x m: m right-hand sides sharing
/// one articulated-inertia pass); `gravity` may be null.
SX aba(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const SX& v, const SX& tau,
       const Vec3* gravity);

/// M⁻¹ (nv x nv) by the articulated-body algorithm on unit torques at zero velocity without
/// gravity: O(n²) like Pinocchio's computeMinverse, never forming or factorising M.
SX minverse(const Kinematics& kin, const std::vector<BodyInertia>& bodies);

}  // namespace thunder
