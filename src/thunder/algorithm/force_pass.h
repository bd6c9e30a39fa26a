// The backward pass shared by the Newton-Euler-type recursions (Featherstone 2008, §5.3):
// from the leaves to the root, τ_i = S_iᵀ f_i and f_λ(i) += ᶦX_λ(i)ᵀ f_i.
#pragma once

#include <vector>

#include "thunder/multibody/kinematics.h"

namespace thunder {

/// `f` holds one body force per joint, in the body's coordinates (consumed). Returns τ (nv x 1).
SX backward_force_pass(const Kinematics& kin, std::vector<Force> f);

/// The spatial acceleration of the root, -g in its coordinates: gravity enters every recursion
/// as an upward acceleration of the base (null: no gravity).
Motion root_acceleration(const Kinematics& kin, const Vec3* gravity);

}  // namespace thunder
