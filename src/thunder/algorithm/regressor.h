// Regressors from per-body 6x10 regressors projected onto the ancestors' joints (Atkeson, An &
// Hollerbach 1986; Pinocchio's computeJointTorqueRegressor): every Newton-Euler-type recursion
// here builds τ = Σ_i Σ_{j ⪯ i} S_jᵀ ʲX_iᵀ f_i from body forces f_i linear in their own body's
// parameters π_i alone, f_i = Φ_i π_i, so
//   Y(j, π_i) = S_jᵀ ʲX_iᵀ Φ_i = (ⁱX_j S_j)ᵀ Φ_i     for every joint j supporting body i.
// The ancestors' motion subspaces are carried down into each body's coordinates, ⁱX_j S_j =
// ᶦX_λ(i) (ᵏX_j S_j) with k = λ(i) (one motion transform per pair), instead of moving ten forces
// up the tree per body (Pinocchio) or differentiating the whole recursion in π (CasADi AD).
// Φ_i is the Jacobian of f_i in π_i: a 6x10 expression of body i's own quantities. For the
// Newton-Euler force f = I a + v ×* I v it is written out (body_regressor, as Pinocchio's
// bodyRegressor): CasADi's Jacobian of that expression keeps terms that vanish only by identities
// (u × m u for the mass, three cross products where h × (α + ω × u) suffices for the first
// moments) as arithmetic, and the free-flyer's rows transform every such term.
#pragma once

#include <vector>

#include "thunder/multibody/kinematics.h"

namespace thunder {

/// Y (nv_full x 10 n) with Y π = the backward force pass of `forces`, where forces[i] (body
/// coordinates) depends on the parameters only through reg(10 i .. 10 i + 9) and linearly.
SX project_body_regressors(const Kinematics& kin, const std::vector<Force>& forces, const SX& reg);

/// The same from the per-body regressors Φ_i (6 x 10 each, rows [n; f], columns π_i =
/// (m, h_x, h_y, h_z, I_xx, I_xy, I_xz, I_yy, I_yz, I_zz), I about the body origin).
SX project_body_regressors(const Kinematics& kin, const std::vector<SX>& Phi);

/// Φ of f = I a + v ×* I v for a body moving with v = (ω, u), a = (ω̇, α) (body coordinates):
/// m: (0, α + ω × u);  h_k: (e_k × (α + ω × u), ω̇ × e_k + ω × (ω × e_k));
/// I_kl: (E_kl ω̇ + ω × E_kl ω, 0), with the six products ω_k ω_l shared.
SX body_regressor(const Motion& v, const Motion& a);

}  // namespace thunder
