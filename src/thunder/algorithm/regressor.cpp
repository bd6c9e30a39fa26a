#include "thunder/algorithm/regressor.h"

#include <utility>

#include "thunder/algorithm/reference_frame.h"


namespace thunder {
namespace {

const SX& at(const Motion& m, int k) { return k < 3 ? m.w[k] : m.v[k - 3]; }
const SX& at(const Force& f, int k) { return k < 3 ? f.n[k] : f.f[k - 3]; }

}  // namespace

SX project_body_regressors(const Kinematics& kin, const std::vector<Force>& forces, const SX& reg) {
  const MultibodyModel& model = kin.model();
  const int n = kin.njoints();
  SX Y = SX::zeros(model.nv_full(), 10 * n);
  // A free-flyer root has S = 1 in its body's frame: its six rows of body i are Φ_i's columns moved
  // to that frame directly (one force transform each, by the placement relative to the base),
  // instead of six motions carried down every branch and dotted with all ten columns.
  const bool ff_root = n > 0 && model.joint(0).type == JointType::FreeFlyer;
  ReferenceFrame base;
  if (ff_root) base = reference_frame(kin, nullptr);  // the frame of body 0: a free-flyer is the only root
  // Per body: (column of v, ⁱX_j S_j) for every column of every other joint j supporting it.
  std::vector<std::vector<std::pair<int, Motion>>> down(n);
  for (int i = 0; i < n; ++i) {
    const JointModel& J = model.joint(i);
    const JointTransform& X = kin.joint(i);
    if (J.parent >= 0)
      for (const auto& cm : down[J.parent]) down[i].push_back({cm.first, X.to_child(cm.second)});
    if (!(ff_root && i == 0))
      for (int k = 0; k < J.nv(); ++k) down[i].push_back({J.idx_v + k, X.subspace_column(k)});
    // Φ_i: f_i is linear in its own 10 parameters and free of the others'.
    std::vector<SX> f6;
    for (int r = 0; r < 6; ++r) f6.push_back(at(forces[i], r));
    const SX Phi = densify(SX::jacobian(SX::vertcat(f6), reg(casadi::Slice(10 * i, 10 * i + 10))));
    if (ff_root) {
      for (int p = 0; p < 10; ++p) {
        const Force col{Vec3::of(Phi(0, p), Phi(1, p), Phi(2, p)), Vec3::of(Phi(3, p), Phi(4, p), Phi(5, p))};
        const Force in_base = i == 0 ? col : to_world(base.R[i], base.p[i], col);
        for (int k = 0; k < 6; ++k) Y(model.joint(0).idx_v + k, 10 * i + p) = kin.joint(0).project(in_base, k);
      }
    }
    for (const auto& cm : down[i]) {
      for (int p = 0; p < 10; ++p) {
        SX s = 0;
        for (int r = 0; r < 6; ++r) s = s + at(cm.second, r) * Phi(r, p);
        Y(cm.first, 10 * i + p) = s;
      }
    }
  }
  return Y;
}

}  // namespace thunder
