#include "thunder/algorithm/rnea.h"

#include "thunder/algorithm/force_pass.h"

namespace thunder {

SX rnea(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const SX& v, const SX& a,
        const Vec3* gravity) {
  return backward_force_pass(kin, rnea_body_forces(kin, bodies, v, a, gravity));
}

std::vector<Force> rnea_body_forces(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const SX& v,
                                    const SX& a, const Vec3* gravity) {
  const MultibodyModel& model = kin.model();
  const int n = kin.njoints();
  std::vector<Motion> vel(n), acc(n);
  std::vector<Force> f(n);
  const Motion a_root = root_acceleration(kin, gravity);
  for (int i = 0; i < n; ++i) {
    const JointModel& J = model.joint(i);
    const JointTransform& X = kin.joint(i);
    const casadi::Slice dofs(J.idx_v, J.idx_v + J.nv());
    const Motion s = X.motion(v(dofs));
    const Motion& v_parent = J.parent >= 0 ? vel[J.parent] : Motion{};
    const Motion& a_parent = J.parent >= 0 ? acc[J.parent] : a_root;
    vel[i] = X.to_child(v_parent) + s;
    acc[i] = X.to_child(a_parent) + X.motion(a(dofs)) + cross_motion(vel[i], s);
    f[i] = bodies[i] * acc[i] + cross_force(vel[i], bodies[i] * vel[i]);
  }
  return f;
}

}  // namespace thunder
