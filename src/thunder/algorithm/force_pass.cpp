#include "thunder/algorithm/force_pass.h"

namespace thunder {

SX backward_force_pass(const Kinematics& kin, std::vector<Force> f) {
  const MultibodyModel& model = kin.model();
  SX tau = SX::zeros(model.nv_full(), 1);
  for (int i = kin.njoints() - 1; i >= 0; --i) {
    const JointModel& J = model.joint(i);
    const JointTransform& X = kin.joint(i);
    for (int k = 0; k < J.nv(); ++k) tau(J.idx_v + k) = X.project(f[i], k);
    if (J.parent >= 0) f[J.parent] = f[J.parent] + X.to_parent(f[i]);
  }
  return tau;
}

Motion root_acceleration(const Kinematics& kin, const Vec3* gravity) {
  Motion a;
  if (gravity) a.v = -transpose_times(kin.model().root_R(), *gravity);
  return a;
}

}  // namespace thunder
