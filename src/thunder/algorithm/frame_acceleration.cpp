#include "thunder/algorithm/frame_acceleration.h"

#include <stdexcept>

#include "thunder/algorithm/rnea.h"

namespace thunder {

std::vector<FrameAcceleration> frame_classical_accelerations(const Kinematics& kin, const SX& v, const SX& a,
                                                            const std::vector<int>& frames, const Vec3* gravity) {
  const MultibodyModel& model = kin.model();
  if (v.size1() != model.nv_full() || a.size1() != model.nv_full())
    throw std::logic_error("frame_classical_accelerations: v, a must be nv_full x 1");
  // The forward pass of RNEA (without gravity unless given).
  const BodyMotions m = rnea_body_motions(kin, v, a, gravity);
  const std::vector<Motion>&vel = m.v, &acc = m.a;
  std::vector<FrameAcceleration> out;
  for (int f : frames) {
    const FrameModel& F = model.frames()[f];
    if (F.body < 0) throw std::logic_error("frame_classical_accelerations: frame " + F.name + " is on the root");
    const Motion &V = vel[F.body], &A = acc[F.body];
    const Vec3 v_P = V.v + cross(V.w, F.p);
    const Vec3 a_P = A.v + cross(A.w, F.p) + cross(V.w, v_P);
    const Mat3& R = kin.R0(F.body);
    // a_i holds −ⁱR₀ g with gravity: ⁰R_i a_P + g is the classical acceleration.
    out.push_back({gravity ? R * a_P + *gravity : R * a_P, R * A.w});
  }
  return out;
}

}  // namespace thunder
