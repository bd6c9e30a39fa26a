#include "thunder/algorithm/aba.h"

#include <stdexcept>

#include "thunder/algorithm/force_pass.h"
#include "thunder/model/linalg.h"

namespace thunder {
namespace {

SX to6(const Vec3& a, const Vec3& b) { return SX::vertcat({a[0], a[1], a[2], b[0], b[1], b[2]}); }
SX to6(const Motion& m) { return to6(m.w, m.v); }
SX to6(const Force& f) { return to6(f.n, f.f); }
Motion motion_of(const SX& x) { return {Vec3::of(x(0), x(1), x(2)), Vec3::of(x(3), x(4), x(5))}; }
Force force_of(const SX& x) { return {Vec3::of(x(0), x(1), x(2)), Vec3::of(x(3), x(4), x(5))}; }

Motion unit_motion(int k) {
  SX e = SX::zeros(6, 1);
  e(k) = 1;
  return motion_of(e);
}

/// The 6x6 matrix of a rigid-body inertia: [n; f] = I [ω; v].
SX matrix_of(const BodyInertia& I) {
  std::vector<SX> cols;
  for (int k = 0; k < 6; ++k) cols.push_back(to6(I * unit_motion(k)));
  return SX::horzcat(cols);
}

/// ᶦX_λᵀ I ᶦX_λ: the child's articulated inertia seen in the parent frame, column by column.
SX to_parent(const JointTransform& X, const SX& I) {
  std::vector<SX> cols;
  for (int k = 0; k < 6; ++k)
    cols.push_back(to6(X.to_parent(force_of(SX::mtimes(I, to6(X.to_child(unit_motion(k))))))));
  return SX::horzcat(cols);
}

/// The symmetric matrix with A's upper triangle: articulated inertias are symmetric, and the
/// entries below the diagonal (never used afterwards) drop out of the generated code.
SX upper_mirrored(const SX& A) {
  SX S = SX::zeros(A.size1(), A.size2());
  for (casadi_int i = 0; i < A.size1(); ++i)
    for (casadi_int j = 0; j < A.size2(); ++j) S(i, j) = i <= j ? A(i, j) : A(j, i);
  return S;
}

}  // namespace

SX aba(const Kinematics& kin, const std::vector<BodyInertia>& bodies, const SX& v, const SX& tau,
       const Vec3* gravity) {
  const MultibodyModel& model = kin.model();
  if (model.has_mimic()) throw std::logic_error("aba: mimic joints are no tree joints");
  const int n = kin.njoints();
  const int m = tau.size2();  // right-hand sides: the articulated inertias are shared by all
  std::vector<Motion> vel(n);
  std::vector<SX> c(n), IA(n), pA(n), S(n), U(n), Dinv_u(n), Dinv_Ut(n);
  for (int i = 0; i < n; ++i) {
    const JointModel& J = model.joint(i);
    const JointTransform& X = kin.joint(i);
    const Motion s = X.motion(v(casadi::Slice(J.idx_v, J.idx_v + J.nv())));
    vel[i] = X.to_child(J.parent >= 0 ? vel[J.parent] : Motion{}) + s;
    c[i] = to6(cross_motion(vel[i], s));
    IA[i] = matrix_of(bodies[i]);
    pA[i] = SX::repmat(to6(cross_force(vel[i], bodies[i] * vel[i])), 1, m);
    std::vector<SX> cols;
    for (int k = 0; k < J.nv(); ++k) cols.push_back(to6(X.subspace_column(k)));
    S[i] = SX::horzcat(cols);
  }
  for (int i = n - 1; i >= 0; --i) {
    const JointModel& J = model.joint(i);
    U[i] = SX::mtimes(IA[i], S[i]);
    const SX D = SX::mtimes(S[i].T(), U[i]);
    const SX u = tau(casadi::Slice(J.idx_v, J.idx_v + J.nv()), casadi::Slice()) - SX::mtimes(S[i].T(), pA[i]);
    // D⁻¹ [u, Uᵀ]: one division per one-dof joint, a Cholesky solve for the 6x6 of a free-flyer.
    const SX rhs = SX::horzcat({u, U[i].T()});
    const SX sol = J.nv() == 1 ? rhs / D : solve_spd(D, rhs);
    Dinv_u[i] = sol(casadi::Slice(), casadi::Slice(0, m));
    Dinv_Ut[i] = sol(casadi::Slice(), casadi::Slice(m, m + 6));
    if (J.parent < 0) continue;
    const SX Ia = upper_mirrored(IA[i] - SX::mtimes(U[i], Dinv_Ut[i]));
    const SX pa = pA[i] + SX::repmat(SX::mtimes(Ia, c[i]), 1, m) + SX::mtimes(U[i], Dinv_u[i]);
    const JointTransform& X = kin.joint(i);
    IA[J.parent] = IA[J.parent] + upper_mirrored(to_parent(X, Ia));
    std::vector<SX> cols;
    for (int k = 0; k < m; ++k) cols.push_back(to6(X.to_parent(force_of(pa(casadi::Slice(), k)))));
    pA[J.parent] = pA[J.parent] + SX::horzcat(cols);
  }
  const SX a_root = SX::repmat(to6(root_acceleration(kin, gravity)), 1, m);
  std::vector<SX> acc(n);
  SX qdd = SX::zeros(model.nv_full(), m);
  for (int i = 0; i < n; ++i) {
    const JointModel& J = model.joint(i);
    const JointTransform& X = kin.joint(i);
    const SX& a_parent = J.parent >= 0 ? acc[J.parent] : a_root;
    std::vector<SX> cols;
    for (int k = 0; k < m; ++k) cols.push_back(to6(X.to_child(motion_of(a_parent(casadi::Slice(), k)))) + c[i]);
    const SX a_prime = SX::horzcat(cols);
    const SX qdd_i = Dinv_u[i] - SX::mtimes(Dinv_Ut[i], a_prime);
    for (int k = 0; k < J.nv(); ++k) qdd(J.idx_v + k, casadi::Slice()) = qdd_i(k, casadi::Slice());
    acc[i] = a_prime + SX::mtimes(S[i], qdd_i);
  }
  return qdd;
}

SX minverse(const Kinematics& kin, const std::vector<BodyInertia>& bodies) {
  // Zero velocity and no gravity: the bias forces vanish symbolically, and the unit torques make
  // most of the propagated forces exact zeros (column k only reaches the ancestors of joint k).
  // M⁻¹ is symmetric: entry (i, k), i <= k, needs the forward pass of column k only down to
  // body i, so the mirrored upper triangle leaves about half of that pass out of the code.
  const int nv = kin.model().nv_full();
  return upper_mirrored(aba(kin, bodies, SX::zeros(nv, 1), SX::eye(nv), nullptr));
}

}  // namespace thunder
