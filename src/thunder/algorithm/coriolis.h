// Coriolis matrix C(q, v) by a dedicated recursion (Echeandia & Wensing, "Numerical Methods to
// Compute the Coriolis Matrix and Christoffel Symbols for Rigid-Body Systems", JCND 2021, §4;
// the passes of Pinocchio's computeCoriolisMatrix), on a tree, O(n²), every vector in one frame,
// the first body's (reference_frame.h; S_j the motion subspace of joint j, v_i the velocity and
// I_i the inertia of body i in that frame; see rnea_derivatives.h):
//   forward:  v_i = v_λ(i) + S_i q̇_i,  Ṡ = v_i × S,  B_i m = ½ [v_i ×* (I_i m) − I_i (v_i × m) + m ×* (I_i v_i)]
//   backward (I^c, B^c summed over the subtree):  F = I^c_i Ṡ + B^c_i S
//     C_ik = Sᵀ F(k)                            for k in the subtree of i (i included)
//     C_ki = (I^c_k S_k)ᵀ Ṡ + (B^c_kᵀ S_k)ᵀ S   for k strictly below i
// B is the symmetric body factorization for which İ − 2B is skew, so Ṁ − 2C is skew-symmetric
// and C v = v ×* I v terms, the same C as the Jacobian of the Slotine-Li recursion
// (slotine_li.h) in v_r, without differentiating it. Full coordinates; the caller reduces.
#pragma once

#include <vector>

#include "thunder/multibody/kinematics.h"

namespace thunder {

/// C (nv_full x nv_full) for the velocity `v` (nv_full x 1).
SX coriolis_matrix(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const SX& v);

}  // namespace thunder
