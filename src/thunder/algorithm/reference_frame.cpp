#include "thunder/algorithm/reference_frame.h"

namespace thunder {

ReferenceFrame reference_frame(const Kinematics& kin, const Vec3* gravity) {
  const MultibodyModel& model = kin.model();
  const int n = kin.njoints();
  int roots = 0;
  for (int i = 0; i < n; ++i) roots += model.parent(i) < 0;
  const bool first_body = roots == 1 && n > 0;  // joint 0 is the single root (topological order)
  ReferenceFrame F;
  F.R.resize(n);
  F.p.resize(n);
  for (int i = 0; i < n; ++i) {
    const JointTransform& X = kin.joint(i);
    const int parent = model.parent(i);
    if (first_body && i == 0) {
      F.R[i] = Mat3::identity();
      continue;  // p = 0
    }
    const Mat3 Rp = parent >= 0 ? F.R[parent] : Mat3::identity();
    const Vec3 pp = parent >= 0 ? F.p[parent] : Vec3{};
    F.R[i] = X.right_multiply(Rp);
    F.p[i] = pp + Rp * X.origin();
  }
  if (gravity) {
    const Vec3 g_root = transpose_times(model.root_R(), *gravity);
    F.gravity = first_body ? kin.joint(0).apply_T(g_root) : g_root;
  }
  return F;
}

}  // namespace thunder
