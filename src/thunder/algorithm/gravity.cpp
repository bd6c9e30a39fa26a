#include "thunder/algorithm/gravity.h"

#include "thunder/algorithm/force_pass.h"

namespace thunder {

SX gravity_torques(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const Vec3& gravity) {
  const MultibodyModel& model = kin.model();
  const int n = kin.njoints();
  // Composite mass and first moment of every subtree, in its body's frame.
  std::vector<SX> mc(n);
  std::vector<Vec3> hc(n);
  for (int i = 0; i < n; ++i) {
    mc[i] = bodies[i].m;
    hc[i] = bodies[i].h;
  }
  for (int i = n - 1; i >= 0; --i) {
    const int parent = model.parent(i);
    if (parent < 0) continue;
    const JointTransform& X = kin.joint(i);
    mc[parent] = mc[parent] + mc[i];
    hc[parent] = hc[parent] + X.apply_once(hc[i]) + mc[i] * X.origin();
  }
  // The base accelerates by -g; each body sees it rotated into its coordinates.
  const Motion a_root = root_acceleration(kin, &gravity);
  std::vector<Vec3> a(n);
  SX G = SX::zeros(model.nv_full(), 1);
  for (int i = 0; i < n; ++i) {
    const JointModel& J = model.joint(i);
    const JointTransform& X = kin.joint(i);
    a[i] = X.apply_T_once(J.parent >= 0 ? a[J.parent] : a_root.v);
    const Force F{cross(hc[i], a[i]), mc[i] * a[i]};
    for (int k = 0; k < J.nv(); ++k) G(J.idx_v + k) = X.project(F, k);
  }
  return G;
}

}  // namespace thunder
