#include "thunder/algorithm/coriolis.h"

#include "thunder/algorithm/reference_frame.h"
#include "thunder/spatial/bias_variation.h"

namespace thunder {

SX coriolis_matrix(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const SX& v) {
  const MultibodyModel& model = kin.model();
  const int n = kin.njoints(), nv = model.nv_full();
  std::vector<Motion> S(nv), dS(nv), vel(n);
  std::vector<Force> F(nv), Ag(nv), BtS(nv);
  std::vector<BodyInertia> Ic(n);
  std::vector<BiasVariation> Bc(n);
  const ReferenceFrame frame = reference_frame(kin, nullptr);
  // Forward: motions in the reference frame, Ṡ = v_i × S, the bodies' inertias and ½ B.
  for (int i = 0; i < n; ++i) {
    const JointModel& J = model.joint(i);
    Motion Sv;
    for (int k = 0; k < J.nv(); ++k) {
      const int col = J.idx_v + k;
      S[col] = to_world(frame.R[i], frame.p[i], kin.joint(i).subspace_column(k));
      Sv = Sv + v(col) * S[col];
    }
    vel[i] = J.parent >= 0 ? vel[J.parent] + Sv : Sv;
    for (int k = 0; k < J.nv(); ++k) dS[J.idx_v + k] = cross_motion(vel[i], S[J.idx_v + k]);
    Ic[i] = to_world(frame.R[i], frame.p[i], bodies[i]);
    Bc[i] = bias_variation(Ic[i], vel[i], 0.5);
  }
  // Backward: composites, then row i against the subtree and the subtree's rows against i.
  SX C = SX::zeros(nv, nv);
  for (int i = n - 1; i >= 0; --i) {
    const JointModel& J = model.joint(i);
    const std::vector<int> below = model.subtree_columns(i);
    for (int k = 0; k < J.nv(); ++k) {
      const int col = J.idx_v + k;
      F[col] = Ic[i] * dS[col] + Bc[i] * S[col];
      Ag[col] = Ic[i] * S[col];
      BtS[col] = Bc[i].transpose_times(S[col]);
    }
    for (int k = 0; k < J.nv(); ++k) {
      const int col = J.idx_v + k;
      for (int kk = 0; kk < J.nv(); ++kk) C(col, J.idx_v + kk) = dot(S[col], F[J.idx_v + kk]);
      for (int r : below) {
        C(col, r) = dot(S[col], F[r]);
        C(r, col) = dot(dS[col], Ag[r]) + dot(S[col], BtS[r]);
      }
    }
    if (J.parent < 0) continue;
    Ic[J.parent] = Ic[J.parent] + Ic[i];
    Bc[J.parent] += Bc[i];
  }
  return C;
}

}  // namespace thunder
