// The configuration space of the model as a Lie group: q ∈ R^n for a fixed base, SE(3) × R^n with
// a floating base (position + unit quaternion (x, y, z, w) of the base, Pinocchio's free-flyer).
// Velocities v live in the tangent space (nv entries, base twist in the base frame). These work
// on the robot's q and v (MultibodyModel::nq, nv: mimic joints have no entries).
#pragma once

#include "thunder/multibody/model.h"

namespace thunder {

/// dq/dt for a velocity v (nq x 1): v itself for R^n; for the free-flyer ṗ = R v_lin and
/// q̇_quat = ½ q ⊗ (ω, 0).
SX configuration_rate(const MultibodyModel& model, const SX& q, const SX& v);

/// q ⊕ v dt (nq x 1): q + v dt for R^n; for the free-flyer M(q) exp6(v dt) (Pinocchio's integrate),
/// the quaternion staying in the hemisphere of the input.
SX integrate(const MultibodyModel& model, const SX& q, const SX& v, const SX& dt);

/// q1 ⊖ q0 (nv x 1): the v with integrate(q0, v, 1) = q1; log6(M(q0)⁻¹ M(q1)) for the free-flyer
/// (Pinocchio's difference), the shortest rotation whatever the quaternions' signs.
SX difference(const MultibodyModel& model, const SX& q0, const SX& q1);

/// The neutral configuration (zeros; identity quaternion), numbers.
std::vector<double> neutral_configuration(const MultibodyModel& model);

}  // namespace thunder
