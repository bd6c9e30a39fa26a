// Analytic partial derivatives of inverse dynamics, ∂τ/∂q (tangent space) and ∂τ/∂v, by the
// recursion of Carpentier & Mansard, "Analytical Derivatives of Rigid Body Dynamics Algorithms"
// (RSS 2018, §IV; the same passes as Pinocchio's computeRNEADerivatives), on a tree, O(n²).
//
// Everything is in one frame for all bodies, as in the paper's world frame (a joint's motion moves
// every body below it by S_j ×, so ∂(⁰X_i m)/∂q_j = S_j × ⁰X_i m for j ⪯ i): here the frame of
// the first body (reference_frame.h; the pairings Sᵀ F do not depend on the frame), with S_j the
// motion subspace of joint j, v_i, a_i the velocity and acceleration of body i (a_root = −g,
// gravity enters as an acceleration of the base), I_i its inertia, all in that frame:
//   forward (for each column S of joint i, λ = λ(i)):
//     v_i = v_λ + S_i q̇_i,   a_i = a_λ + S_i q̈_i + v_λ × S_i q̇_i
//     ∂v_i/∂q (column of i)  dV = v_λ × S
//     ∂a_i/∂q                dA_q = a_λ × S + v_λ × dV
//     ∂a_i/∂v                dA_v = v_i × S + dV        (v_i × S = Ṡ; 2 dV for one column, S × S = 0)
//     f_i = I_i a_i + v_i ×* I_i v_i,   B_i m = v_i ×* (I_i m) − I_i (v_i × m) + m ×* (I_i v_i)
//     (B_i = ∂f_i/∂v_i + İ_i: the body's part of the bias force, linear in the motion m)
//   backward (composites over the subtree: I^c_i = Σ I_k, B^c_i = Σ B_k, f^c_i = Σ f_k):
//     τ_i = Sᵀ f^c_i,   F_a = I^c_i S,   F_q = B^c_i dV + I^c_i dA_q,   F_v = B^c_i S + I^c_i dA_v
//     ∂τ_i/∂q_k = Sᵀ F_q(k)           for k in the subtree of i (k's F_q, after k added S_k ×* f^c_k)
//     ∂τ_k/∂q_i = F_a(k)ᵀ dA_q + (B^cᵀ S_k)ᵀ dV   for k strictly below i
//     F_q += S ×* f^c_i
//     ∂τ_i/∂v_k = Sᵀ F_v(k),   ∂τ_k/∂v_i = F_a(k)ᵀ dA_v + (B^cᵀ S_k)ᵀ S
// ∂τ/∂a = M (Sᵀ F_a). The free-flyer's columns (body-frame twist) give Pinocchio's tangent-space
// derivative directly. Like every algorithm here it works in full coordinates (mimic joints as
// joints); the caller reduces with Gᵀ · G.
#pragma once

#include <vector>

#include "thunder/multibody/kinematics.h"

namespace thunder {

/// The result and the recursion's intermediate quantities, per column of the full velocity
/// (nv_full entries each, in the reference frame at its origin), for algorithms built on them
/// (ABA and contact derivatives).
struct RneaDerivatives {
  SX tau;      ///< τ (nv_full x 1)
  SX dtau_dq;  ///< ∂τ/∂q, tangent space (nv_full x nv_full)
  SX dtau_dv;  ///< ∂τ/∂v (nv_full x nv_full)
  SX M;        ///< ∂τ/∂a, the mass matrix (nv_full x nv_full)
  std::vector<Motion> S;     ///< S: the joint's motion subspace column
  std::vector<Motion> dV_dq; ///< ∂v_i/∂q_col (0 under the root)
  std::vector<Motion> dA_dq; ///< ∂a_i/∂q_col
  std::vector<Motion> dA_dv; ///< ∂a_i/∂v_col
  std::vector<Force> F_a;    ///< I^c S (= the col's column of the centroidal-type map)
  std::vector<Force> F_q;    ///< ∂f^c_i/∂q_col
  std::vector<Force> F_v;    ///< ∂f^c_i/∂v_col
  std::vector<Motion> v, a;  ///< per joint: velocity and acceleration (gravity included)
  std::vector<Force> f;      ///< per joint: the subtree's force f^c_i
};

/// `v`, `a`: nv_full x 1 (a may be any expression, e.g. FD, for ABA's derivatives); `gravity`
/// (world) may be null.
RneaDerivatives rnea_derivatives(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const SX& v,
                                 const SX& a, const Vec3* gravity);

}  // namespace thunder
