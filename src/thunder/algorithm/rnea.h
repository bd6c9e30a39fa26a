// Inverse dynamics by the recursive Newton-Euler algorithm (Featherstone 2008, §5.3, Table 5.1),
// on a tree, in body coordinates.
//
//   forward:  v_i = ᶦX_λ(i) v_λ(i) + S_i q̇_i
//             a_i = ᶦX_λ(i) a_λ(i) + S_i q̈_i + v_i × S_i q̇_i        (a_root = -g)
//             f_i = I_i a_i + v_i ×* I_i v_i
//   backward: τ_i = S_iᵀ f_i,  f_λ(i) += ᶦX_λ(i)ᵀ f_i
#pragma once

#include <vector>

#include "thunder/multibody/kinematics.h"

namespace thunder {

/// τ = M(q) a + C(q, v) v + G(q) (nv_full x 1). `v`, `a`: nv_full x 1; `bodies`: one inertia per
/// joint; `gravity` (world) may be null: no G. Like every algorithm here it works in the full
/// coordinates of MultibodyModel (mimic joints as joints); the caller reduces.
SX rnea(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const SX& v, const SX& a,
        const Vec3* gravity);

/// The forward pass's motions: each body's velocity and acceleration (gravity included as the
/// root's acceleration −g), body coordinates.
struct BodyMotions {
  std::vector<Motion> v, a;
};
BodyMotions rnea_body_motions(const Kinematics& kin, const SX& v, const SX& a, const Vec3* gravity);

/// The forward pass alone: each body's force f_i = I_i a_i + v_i ×* I_i v_i (body coordinates),
/// linear in that body's inertia only (what the regressors project, regressor.h).
std::vector<Force> rnea_body_forces(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const SX& v,
                                    const SX& a, const Vec3* gravity);

}  // namespace thunder
