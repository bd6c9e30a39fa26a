// Generalized gravity G(q) from composite masses and first moments: the gravity wrench on the
// subtree of body i, projected on S_i. Cheaper than RNEA with v = a = 0 because only the subtree
// mass m^c_i and first moment h^c_i are propagated (leaves to root), not full inertias.
#pragma once

#include <vector>

#include "thunder/multibody/kinematics.h"

namespace thunder {

/// G (nv_full x 1) for a world-frame gravity vector.
SX gravity_torques(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const Vec3& gravity);

}  // namespace thunder
