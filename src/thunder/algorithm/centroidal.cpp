#include "thunder/algorithm/centroidal.h"

#include "thunder/algorithm/crba.h"

namespace thunder {

Centroidal centroidal(const Kinematics& kin, const std::vector<BodyInertia>& bodies) {
  const MultibodyModel& model = kin.model();
  const std::vector<BodyInertia> Ic = composite_inertias(kin, bodies);
  // Total mass and world first moment: the subtrees hanging from the root.
  SX mass = 0;
  Vec3 first_moment;
  for (int i = 0; i < kin.njoints(); ++i) {
    if (model.parent(i) >= 0) continue;
    mass = mass + Ic[i].m;
    first_moment = first_moment + kin.R0(i) * Ic[i].h + Ic[i].m * kin.p0(i);
  }
  const SX inv_mass = 1 / mass;
  const Vec3 c = inv_mass * first_moment;
  Centroidal out;
  out.mass = mass;
  out.com = c.to_sx();
  out.J_com = SX::zeros(3, model.nv_full());
  out.A_G = SX::zeros(6, model.nv_full());
  for (int j = 0; j < kin.njoints(); ++j) {
    const JointModel& J = model.joint(j);
    for (int k = 0; k < J.nv(); ++k) {
      const Force h = Ic[j] * kin.joint(j).subspace_column(k);
      const Vec3 P = kin.R0(j) * h.f;
      const Vec3 L = kin.R0(j) * h.n + cross(kin.p0(j) - c, P);
      for (int r = 0; r < 3; ++r) {
        out.J_com(r, J.idx_v + k) = inv_mass * P[r];
        out.A_G(r, J.idx_v + k) = P[r];
        out.A_G(3 + r, J.idx_v + k) = L[r];
      }
    }
  }
  return out;
}

}  // namespace thunder
