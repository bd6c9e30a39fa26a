// Centre of mass, its Jacobian and the centroidal momentum matrix (Orin, Goswami & Lee 2013),
// over the bodies that move (the root welded to the world is left out, as in Pinocchio).
//
// Every body of the subtree of joint j moves with joint j's unit motion, so column (j, k) of the
// momentum map is the subtree's composite inertia I^c_j times S_j,k, taken to world axes:
//   P = ⁰R_j (I^c_j S_j,k).f,   L_O = ⁰R_j (I^c_j S_j,k).n + o_j × P,   L_G = L_O − c × P.
#pragma once

#include <vector>

#include "thunder/multibody/kinematics.h"

namespace thunder {

struct Centroidal {
  SX mass;  ///< total mass (1x1)
  SX com;   ///< centre of mass, world (3x1)
  SX J_com; ///< ∂ċ/∂v (3 x nv_full)
  SX A_G;   ///< centroidal momentum matrix [linear; angular about c], world-aligned (6 x nv_full)
};

Centroidal centroidal(const Kinematics& kin, const std::vector<BodyInertia>& bodies);

}  // namespace thunder
