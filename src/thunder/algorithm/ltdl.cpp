#include "thunder/algorithm/ltdl.h"

#include <stdexcept>

namespace thunder {

std::vector<int> dof_parents(const MultibodyModel& model) {
  if (model.has_mimic()) throw std::logic_error("dof_parents: a mimic coupling has no tree sparsity");
  std::vector<int> parent(model.nv());
  for (int i = 0; i < model.njoints(); ++i) {
    const JointModel& J = model.joint(i);
    for (int k = 0; k < J.nv(); ++k) {
      const int p = J.parent >= 0 ? model.joint(J.parent).idx_v + model.joint(J.parent).nv() - 1 : -1;
      parent[J.idx_v + k] = k > 0 ? J.idx_v + k - 1 : p;
    }
  }
  return parent;
}

LTDL ltdl(const SX& M, const std::vector<int>& parent) {
  const int n = static_cast<int>(parent.size());
  // H holds the lower triangle of M on the ancestor pattern; Table 6.3 overwrites it with L, D.
  std::vector<std::vector<SX>> H(n, std::vector<SX>(n, SX(0)));
  for (int k = 0; k < n; ++k) {
    H[k][k] = M(k, k);
    for (int i = parent[k]; i >= 0; i = parent[i]) H[k][i] = M(k, i);
  }
  LTDL f;
  f.parent = parent;
  f.inv_D.resize(n);
  for (int k = n - 1; k >= 0; --k) {
    f.inv_D[k] = 1 / H[k][k];
    for (int i = parent[k]; i >= 0; i = parent[i]) {
      const SX a = H[k][i] * f.inv_D[k];
      for (int j = i; j >= 0; j = parent[j]) H[i][j] = H[i][j] - a * H[k][j];
      H[k][i] = a;
    }
  }
  f.L = std::move(H);
  return f;
}

SX ltdl_solve_lt(const LTDL& f, const SX& B) {
  const int n = static_cast<int>(f.parent.size());
  SX X = SX::zeros(n, B.size2());
  for (casadi_int c = 0; c < B.size2(); ++c) {
    std::vector<SX> x(n);
    for (int k = 0; k < n; ++k) x[k] = B(k, c);
    // Lᵀ y = b (Table 6.4's first loop): leaves to root.
    for (int k = n - 1; k >= 0; --k)
      for (int i = f.parent[k]; i >= 0; i = f.parent[i]) x[i] = x[i] - f.L[k][i] * x[k];
    for (int k = 0; k < n; ++k) X(k, c) = x[k];
  }
  return X;
}

SX ltdl_solve_l(const LTDL& f, const SX& B) {
  const int n = static_cast<int>(f.parent.size());
  SX X = SX::zeros(n, B.size2());
  for (casadi_int c = 0; c < B.size2(); ++c) {
    std::vector<SX> x(n);
    for (int k = 0; k < n; ++k) x[k] = B(k, c);
    // L x = z: root to leaves.
    for (int k = 0; k < n; ++k)
      for (int i = f.parent[k]; i >= 0; i = f.parent[i]) x[k] = x[k] - f.L[k][i] * x[i];
    for (int k = 0; k < n; ++k) X(k, c) = x[k];
  }
  return X;
}

SX ltdl_solve(const LTDL& f, const SX& B) {
  SX Y = ltdl_solve_lt(f, B);
  for (casadi_int c = 0; c < Y.size2(); ++c)
    for (casadi_int k = 0; k < Y.size1(); ++k) Y(k, c) = Y(k, c) * f.inv_D[k];
  return ltdl_solve_l(f, Y);
}

SX upper_mirrored_inverse(const LTDL& f) {
  const int n = static_cast<int>(f.parent.size());
  const SX X = ltdl_solve(f, SX::eye(n));
  SX M_inv = SX::zeros(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) M_inv(i, j) = i <= j ? X(i, j) : X(j, i);
  return M_inv;
}

}  // namespace thunder
