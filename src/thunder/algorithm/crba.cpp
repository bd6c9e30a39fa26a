#include "thunder/algorithm/crba.h"

namespace thunder {

std::vector<BodyInertia> composite_inertias(const Kinematics& kin, const std::vector<BodyInertia>& bodies) {
  std::vector<BodyInertia> Ic(bodies.begin(), bodies.end());
  for (int i = kin.njoints() - 1; i >= 0; --i) {
    const int parent = kin.model().parent(i);
    if (parent >= 0) Ic[parent] = Ic[parent] + kin.joint(i).to_parent(Ic[i]);
  }
  return Ic;
}

SX crba(const Kinematics& kin, const std::vector<BodyInertia>& bodies) {
  const MultibodyModel& model = kin.model();
  const std::vector<BodyInertia> Ic = composite_inertias(kin, bodies);
  SX M = SX::zeros(model.nv_full(), model.nv_full());
  for (int i = 0; i < kin.njoints(); ++i) {
    const JointModel& Ji = model.joint(i);
    for (int k = 0; k < Ji.nv(); ++k) {
      const int col = Ji.idx_v + k;
      Force F = Ic[i] * kin.joint(i).subspace_column(k);
      for (int kk = 0; kk < Ji.nv(); ++kk) M(Ji.idx_v + kk, col) = kin.joint(i).project(F, kk);
      for (int j = i; model.parent(j) >= 0;) {
        F = kin.joint(j).to_parent(F);
        j = model.parent(j);
        const JointModel& Jj = model.joint(j);
        for (int kk = 0; kk < Jj.nv(); ++kk) {
          const SX m = kin.joint(j).project(F, kk);
          M(Jj.idx_v + kk, col) = m;
          M(col, Jj.idx_v + kk) = m;
        }
      }
    }
  }
  return M;
}

}  // namespace thunder
