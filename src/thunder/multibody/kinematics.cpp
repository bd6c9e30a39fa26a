#include "thunder/multibody/kinematics.h"

namespace thunder {

Kinematics::Kinematics(const MultibodyModel& model, const SX& q) : model_(model) {
  for (int i = 0; i < model.njoints(); ++i) {
    const JointModel& J = model.joint(i);
    joints_.emplace_back(J, q(casadi::Slice(J.idx_q, J.idx_q + J.nq())));
    // ⁰X_i = ⁰X_λ(i) ᶦX_λ(i)⁻¹: origin p_λ + R_λ o_i, orientation R_λ R_i.
    const Mat3& Rp = R0(J.parent);
    const Vec3& pp = p0(J.parent);
    p0_.push_back(pp + Rp * joints_[i].origin());
    R0_.push_back(joints_[i].right_multiply(Rp));
  }
}

Mat3 Kinematics::frame_R(int f) const {
  const FrameModel& F = model_.frames()[f];
  return R0(F.body) * F.R;
}

Vec3 Kinematics::frame_p(int f) const {
  const FrameModel& F = model_.frames()[f];
  return p0(F.body) + R0(F.body) * F.p;
}

Motion Kinematics::world_subspace_column(int j, int k) const {
  const Motion s = joints_[j].subspace_column(k);
  return {R0(j) * s.w, R0(j) * s.v};
}

SX Kinematics::jacobian(int body, const Vec3& point) const {
  SX Jac = SX::zeros(6, model_.nv_full());
  if (body < 0) return Jac;
  for (int j : model_.support(body)) {
    const JointModel& J = model_.joint(j);
    for (int k = 0; k < J.nv(); ++k) {
      // Velocity of `point` for a unit rate: v_j + w_j x (point - o_j).
      const Motion s = world_subspace_column(j, k);
      const Vec3 lin = s.v + cross(s.w, point - p0(j));
      for (int r = 0; r < 3; ++r) {
        Jac(r, J.idx_v + k) = lin[r];
        Jac(3 + r, J.idx_v + k) = s.w[r];
      }
    }
  }
  return Jac;
}

SX homogeneous(const Mat3& R, const Vec3& p) {
  SX T = SX::zeros(4, 4);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) T(r, c) = R(r, c);
    T(r, 3) = p[r];
  }
  T(3, 3) = 1;
  return T;
}

}  // namespace thunder
