#include "thunder/algorithm/slotine_li.h"

#include "thunder/algorithm/force_pass.h"

namespace thunder {

SX slotine_li(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const SX& v, const SX& v_r,
              const SX& a_r, const Vec3* gravity) {
  return backward_force_pass(kin, slotine_li_body_forces(kin, bodies, v, v_r, a_r, gravity));
}

std::vector<Force> slotine_li_body_forces(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const SX& v,
                                          const SX& v_r, const SX& a_r, const Vec3* gravity) {
  const MultibodyModel& model = kin.model();
  const int n = kin.njoints();
  std::vector<Motion> vel(n), vel_r(n), acc_r(n);
  std::vector<Force> f(n);
  const Motion a_root = root_acceleration(kin, gravity);
  for (int i = 0; i < n; ++i) {
    const JointModel& J = model.joint(i);
    const JointTransform& X = kin.joint(i);
    const casadi::Slice dofs(J.idx_v, J.idx_v + J.nv());
    const Motion s_r = X.motion(v_r(dofs));
    const bool root = J.parent < 0;
    vel[i] = X.to_child(root ? Motion{} : vel[J.parent]) + X.motion(v(dofs));
    vel_r[i] = X.to_child(root ? Motion{} : vel_r[J.parent]) + s_r;
    acc_r[i] = X.to_child(root ? a_root : acc_r[J.parent]) + X.motion(a_r(dofs)) + cross_motion(vel[i], s_r);
    const BodyInertia& I = bodies[i];
    const Force B_vr = half(cross_force(vel[i], I * vel_r[i]) + cross_force(vel_r[i], I * vel[i]) +
                            I * cross_motion(vel_r[i], vel[i]));
    f[i] = I * acc_r[i] + B_vr;
  }
  return f;
}

}  // namespace thunder
