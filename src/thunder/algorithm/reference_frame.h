// One frame in which the world-frame recursions (rnea_derivatives.h, coriolis.h) express their
// vectors. Their results are pairings Sᵀ F of motions and forces, invariant under a common change
// of coordinates, even one that depends on q: the recursions only need every vector expressed in
// the same frame, not an inertial one. The frame of the first body (a single-rooted tree: every
// floating base, every chain) makes its joint's S constant (the free-flyer's: the identity) and
// leaves its rotation (the base quaternion) out of every body's placement; only gravity is
// rotated into it. Several roots: the root frame (world → root, constant).
#pragma once

#include <vector>

#include "thunder/multibody/kinematics.h"

namespace thunder {

struct ReferenceFrame {
  std::vector<Mat3> R;  ///< per body: orientation in the reference frame
  std::vector<Vec3> p;  ///< per body: origin in the reference frame
  Vec3 gravity;         ///< the gravity vector in the reference frame (0 if none)
};

ReferenceFrame reference_frame(const Kinematics& kin, const Vec3* gravity);

}  // namespace thunder
