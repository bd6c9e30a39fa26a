#include "thunder/algorithm/contact_dynamics.h"

#include <stdexcept>

namespace thunder {
namespace {

/// D⁻¹ W, row k scaled by 1 / D_kk.
SX scale_rows(const LTDL& f, SX W) {
  for (casadi_int k = 0; k < W.size1(); ++k)
    for (casadi_int c = 0; c < W.size2(); ++c) W(k, c) = W(k, c) * f.inv_D[k];
  return W;
}

/// Ŷᵀ B with Ŷ = D⁻¹ Y (n x m), B (n x p): the upper triangle only, mirrored, when B is Y (then
/// Yᵀ D⁻¹ Y is symmetric). Entries where Y is structurally 0 (a foot's Jacobian has no columns of
/// the other legs) drop out of the sums.
SX weighted_product(const SX& Y_scaled, const SX& B, bool symmetric) {
  const casadi_int n = Y_scaled.size1(), m = Y_scaled.size2(), p = B.size2();
  SX out = SX::zeros(m, p);
  for (casadi_int i = 0; i < m; ++i)
    for (casadi_int j = symmetric ? i : 0; j < p; ++j) {
      SX s = 0;
      for (casadi_int k = 0; k < n; ++k) s += Y_scaled(k, i) * B(k, j);
      out(i, j) = s;
      if (symmetric) out(j, i) = s;
    }
  return out;
}

/// λ = K⁻¹ S r with K = S A S + (I − S), S = diag(rows): A the operational-space inverse (m x m).
SX masked_solve(const SX& A, const SX& r, const SX& rows) {
  const casadi_int m = A.size1();
  SX K = SX::zeros(m, m);
  for (casadi_int i = 0; i < m; ++i) {
    for (casadi_int j = 0; j < m; ++j) K(i, j) = rows(i) * rows(j) * A(i, j);
    K(i, i) += 1 - rows(i);
  }
  std::vector<int> chain(m);
  for (casadi_int i = 0; i < m; ++i) chain[i] = static_cast<int>(i) - 1;  // dense LDLᵀ
  return ltdl_solve(ltdl(K, chain), SX::repmat(rows, 1, r.size2()) * r);
}

void check_sizes(const LTDL& M, const SX& J, const SX& rows) {
  const casadi_int nv = static_cast<casadi_int>(M.parent.size());
  if (J.size2() != nv || rows.size1() != J.size1() || rows.size2() != 1)
    throw std::logic_error("contact dynamics: J is " + J.dim() + ", rows " + rows.dim() + " for nv = " +
                           std::to_string(nv));
}

}  // namespace

ContactSolution constrained_solve(const LTDL& M, const SX& J, const SX& b, const SX& c, const SX& rows) {
  check_sizes(M, J, rows);
  const SX Y = ltdl_solve_lt(M, J.T());  // L⁻ᵀ Jᵀ
  const SX z = ltdl_solve_lt(M, b);      // L⁻ᵀ b
  const SX Y_scaled = scale_rows(M, Y);  // D⁻¹ L⁻ᵀ Jᵀ
  const SX A = weighted_product(Y_scaled, Y, true);      // J M⁻¹ Jᵀ
  const SX J_x0 = weighted_product(Y_scaled, z, false);  // J M⁻¹ b: J x without contact
  const SX lambda = masked_solve(A, c - J_x0, rows);
  return {ltdl_solve_l(M, scale_rows(M, z) + SX::mtimes(Y_scaled, lambda)), lambda};
}

ContactSolution contact_impulse(const LTDL& M, const SX& J, const SX& dq, const SX& restitution, const SX& rows) {
  check_sizes(M, J, rows);
  // J q̇⁺ = J q̇ + J M⁻¹ Jᵀ Λ = −e J q̇  ⇒  (J M⁻¹ Jᵀ) Λ = −(1 + e) J q̇ on the active rows.
  const SX Y = ltdl_solve_lt(M, J.T());
  const SX Y_scaled = scale_rows(M, Y);
  const SX lambda = masked_solve(weighted_product(Y_scaled, Y, true), -(1 + restitution) * SX::mtimes(J, dq), rows);
  return {dq + ltdl_solve_l(M, SX::mtimes(Y_scaled, lambda)), lambda};
}

}  // namespace thunder
