#include "thunder/algorithm/frame_acceleration.h"

#include <stdexcept>

namespace thunder {

std::vector<FrameAcceleration> frame_classical_accelerations(const Kinematics& kin, const SX& v, const SX& a,
                                                            const std::vector<int>& frames) {
  const MultibodyModel& model = kin.model();
  const int n = kin.njoints();
  if (v.size1() != model.nv_full() || a.size1() != model.nv_full())
    throw std::logic_error("frame_classical_accelerations: v, a must be nv_full x 1");
  std::vector<Motion> vel(n), acc(n);
  for (int i = 0; i < n; ++i) {  // the forward pass of RNEA without gravity
    const JointModel& J = model.joint(i);
    const JointTransform& X = kin.joint(i);
    const casadi::Slice dofs(J.idx_v, J.idx_v + J.nv());
    const Motion s = X.motion(v(dofs));
    vel[i] = (J.parent >= 0 ? X.to_child(vel[J.parent]) : Motion{}) + s;
    acc[i] = (J.parent >= 0 ? X.to_child(acc[J.parent]) : Motion{}) + X.motion(a(dofs)) + cross_motion(vel[i], s);
  }
  std::vector<FrameAcceleration> out;
  for (int f : frames) {
    const FrameModel& F = model.frames()[f];
    if (F.body < 0) throw std::logic_error("frame_classical_accelerations: frame " + F.name + " is on the root");
    const Motion &V = vel[F.body], &A = acc[F.body];
    const Vec3 v_P = V.v + cross(V.w, F.p);
    const Vec3 a_P = A.v + cross(A.w, F.p) + cross(V.w, v_P);
    const Mat3& R = kin.R0(F.body);
    out.push_back({R * a_P, R * A.w});
  }
  return out;
}

}  // namespace thunder
