#include "thunder/algorithm/rnea_derivatives.h"

#include "thunder/algorithm/reference_frame.h"
#include "thunder/spatial/bias_variation.h"

namespace thunder {

RneaDerivatives rnea_derivatives(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const SX& v,
                                 const SX& a, const Vec3* gravity) {
  const MultibodyModel& model = kin.model();
  const int n = kin.njoints(), nv = model.nv_full();
  RneaDerivatives out;
  out.S.resize(nv);
  out.dV_dq.resize(nv);
  out.dA_dq.resize(nv);
  out.dA_dv.resize(nv);
  out.F_a.resize(nv);
  out.F_q.resize(nv);
  out.F_v.resize(nv);
  out.v.resize(n);
  out.a.resize(n);
  out.f.resize(n);
  std::vector<BodyInertia> Ic(n);
  std::vector<BiasVariation> Bc(n);
  std::vector<Force> BtS(nv);  // B^cᵀ S per column

  const ReferenceFrame frame = reference_frame(kin, gravity);
  Motion a_root;  // −g in the reference frame
  if (gravity) a_root.v = -frame.gravity;

  // Forward pass: motions in the reference frame and their partial derivatives, per column of S_i.
  for (int i = 0; i < n; ++i) {
    const JointModel& J = model.joint(i);
    const bool root = J.parent < 0;
    const Motion v_parent = root ? Motion{} : out.v[J.parent];
    const Motion& a_parent = root ? a_root : out.a[J.parent];
    Motion Sv, Sa;
    for (int k = 0; k < J.nv(); ++k) {
      const int col = J.idx_v + k;
      out.S[col] = to_world(frame.R[i], frame.p[i], kin.joint(i).subspace_column(k));
      Sv = Sv + v(col) * out.S[col];
      Sa = Sa + a(col) * out.S[col];
    }
    out.v[i] = v_parent + Sv;
    // Under the root v_λ = 0: dV = 0 and the terms in v_λ vanish.
    for (int k = 0; k < J.nv(); ++k)
      out.dV_dq[J.idx_v + k] = root ? Motion{} : cross_motion(v_parent, out.S[J.idx_v + k]);
    // v_λ × S q̇ = q̇ dV for one column: the velocity product reuses dV instead of a cross product.
    if (root)
      out.a[i] = a_parent + Sa;
    else if (J.nv() == 1)
      out.a[i] = a_parent + Sa + v(J.idx_v) * out.dV_dq[J.idx_v];
    else
      out.a[i] = a_parent + Sa + cross_motion(v_parent, Sv);
    for (int k = 0; k < J.nv(); ++k) {
      const int col = J.idx_v + k;
      const Motion& S = out.S[col];
      out.dA_dq[col] = root ? cross_motion(a_parent, S)
                            : cross_motion(a_parent, S) + cross_motion(v_parent, out.dV_dq[col]);
      // One column (revolute, prismatic): v_i = v_λ + S q̇ and S × S = 0, so v_i × S = v_λ × S = dV
      // and dA_v = 2 dV, one cross product per column fewer (CasADi cannot see S × S = 0).
      if (root)
        out.dA_dv[col] = cross_motion(out.v[i], S);
      else if (J.nv() == 1)
        out.dA_dv[col] = SX(2) * out.dV_dq[col];
      else
        out.dA_dv[col] = cross_motion(out.v[i], S) + out.dV_dq[col];
    }
    Ic[i] = to_world(frame.R[i], frame.p[i], bodies[i]);
    out.f[i] = Ic[i] * out.a[i] + cross_force(out.v[i], Ic[i] * out.v[i]);
    Bc[i] = bias_variation(Ic[i], out.v[i]);
  }

  // Backward pass: composites over the subtree and the rows / columns of the derivatives.
  out.tau = SX::zeros(nv, 1);
  out.dtau_dq = SX::zeros(nv, nv);
  out.dtau_dv = SX::zeros(nv, nv);
  out.M = SX::zeros(nv, nv);
  for (int i = n - 1; i >= 0; --i) {
    const JointModel& J = model.joint(i);
    const bool root = J.parent < 0;
    // Columns of the strict subtree of i (processed already: children come after i).
    const std::vector<int> below = model.subtree_columns(i);
    for (int k = 0; k < J.nv(); ++k) {
      const int col = J.idx_v + k;
      const Motion& S = out.S[col];
      out.tau(col) = dot(S, out.f[i]);
      out.F_a[col] = Ic[i] * S;
      out.F_q[col] = root ? Ic[i] * out.dA_dq[col] : Bc[i] * out.dV_dq[col] + Ic[i] * out.dA_dq[col];
      out.F_v[col] = Bc[i] * S + Ic[i] * out.dA_dv[col];
      BtS[col] = Bc[i].transpose_times(S);
    }
    for (int k = 0; k < J.nv(); ++k) {
      const int col = J.idx_v + k;
      const Motion& S = out.S[col];
      // Row col against the joint's own columns and the subtree's (their F_q hold S_r ×* f^c).
      for (int kk = 0; kk < J.nv(); ++kk) {
        const int c2 = J.idx_v + kk;
        out.dtau_dq(col, c2) = dot(S, out.F_q[c2]);
        out.dtau_dv(col, c2) = dot(S, out.F_v[c2]);
        out.M(col, c2) = dot(S, out.F_a[c2]);
      }
      for (int r : below) {
        out.dtau_dq(col, r) = dot(S, out.F_q[r]);
        out.dtau_dv(col, r) = dot(S, out.F_v[r]);
        const SX m = dot(S, out.F_a[r]);
        out.M(col, r) = m;
        out.M(r, col) = m;
        // Column col of the rows below: the subtree seen from joint r moves with S.
        out.dtau_dq(r, col) =
            root ? dot(out.dA_dq[col], out.F_a[r]) : dot(out.dA_dq[col], out.F_a[r]) + dot(out.dV_dq[col], BtS[r]);
        out.dtau_dv(r, col) = dot(out.dA_dv[col], out.F_a[r]) + dot(S, BtS[r]);
      }
    }
    for (int k = 0; k < J.nv(); ++k) {
      const int col = J.idx_v + k;
      out.F_q[col] = out.F_q[col] + cross_force(out.S[col], out.f[i]);
    }
    if (root) continue;
    Ic[J.parent] = Ic[J.parent] + Ic[i];
    Bc[J.parent] += Bc[i];
    out.f[J.parent] = out.f[J.parent] + out.f[i];
  }
  return out;
}

}  // namespace thunder
