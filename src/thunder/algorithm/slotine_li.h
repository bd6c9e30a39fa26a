// The Slotine-Li form of inverse dynamics, τ = M(q) q̈_r + C(q, v) q̇_r + G(q), with the
// Christoffel-consistent C of the Niemeyer-Slotine reference-velocity recursion and the
// symmetric body factorization of Echeandia & Wensing (2021): per body
//   B(v) v_r = ½ [ v ×* (I v_r) + v_r ×* (I v) − I (v × v_r) ],
// for which İ − 2B is skew, which makes Ṁ − 2C skew-symmetric. On a tree as rnea.h.
#pragma once

#include <vector>

#include "thunder/multibody/kinematics.h"

namespace thunder {

/// τ = M a_r + C(q, v) v_r + G (nv_full x 1). `gravity` (world) may be null: no G.
SX slotine_li(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const SX& v, const SX& v_r,
              const SX& a_r, const Vec3* gravity);

/// The forward pass alone: each body's force I_i a_r,i + B_i v_r,i (body coordinates), linear in
/// that body's inertia only (what the regressors project, regressor.h).
std::vector<Force> slotine_li_body_forces(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const SX& v,
                                          const SX& v_r, const SX& a_r, const Vec3* gravity);

}  // namespace thunder
