#include "thunder/algorithm/rnea.h"

#include "thunder/algorithm/force_pass.h"

namespace thunder {

SX rnea(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const SX& v, const SX& a,
        const Vec3* gravity) {
  return backward_force_pass(kin, rnea_body_forces(kin, bodies, v, a, gravity));
}

BodyMotions rnea_body_motions(const Kinematics& kin, const SX& v, const SX& a, const Vec3* gravity) {
  const MultibodyModel& model = kin.model();
  const int n = kin.njoints();
  BodyMotions m;
  m.v.resize(n);
  m.a.resize(n);
  const Motion a_root = root_acceleration(kin, gravity);
  for (int i = 0; i < n; ++i) {
    const JointModel& J = model.joint(i);
    const JointTransform& X = kin.joint(i);
    const casadi::Slice dofs(J.idx_v, J.idx_v + J.nv());
    const Motion s = X.motion(v(dofs));
    const Motion& v_parent = J.parent >= 0 ? m.v[J.parent] : Motion{};
    const Motion& a_parent = J.parent >= 0 ? m.a[J.parent] : a_root;
    m.v[i] = X.to_child(v_parent) + s;
    m.a[i] = X.to_child(a_parent) + X.motion(a(dofs)) + cross_motion(m.v[i], s);
  }
  return m;
}

std::vector<Force> rnea_body_forces(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const SX& v,
                                    const SX& a, const Vec3* gravity) {
  const BodyMotions m = rnea_body_motions(kin, v, a, gravity);
  std::vector<Force> f(m.v.size());
  for (size_t i = 0; i < f.size(); ++i) f[i] = bodies[i] * m.a[i] + cross_force(m.v[i], bodies[i] * m.v[i]);
  return f;
}

}  // namespace thunder
