// Sparse factorization M = Lᵀ D L of a mass matrix with branch-induced sparsity (Featherstone
// 2008, §6.5, Tables 6.3 and 6.4): L is unit lower triangular with L_ki ≠ 0 only where dof i is
// an ancestor of dof k, so factorizing costs Σ_k depth(k)² and each solve 2 Σ_k depth(k) + n
// operations instead of n² per right-hand side with a dense M⁻¹. On a chain (every dof the
// parent of the next) it is a dense LDLᵀ; a parent array λ(k) = k − 1 factorizes any SPD matrix.
#pragma once

#include <vector>

#include "thunder/multibody/model.h"

namespace thunder {

struct LTDL {
  std::vector<int> parent;            ///< λ(k) per dof, −1: none (parent[k] < k)
  std::vector<std::vector<SX>> L;     ///< L[k][i] for the ancestors i of k (others are 0)
  std::vector<SX> inv_D;              ///< 1 / D_kk
};

/// The dof parents of the robot's velocity (nv): within a joint each dof hangs on the previous
/// one, the first on the last dof of the parent joint. Without mimic joints only.
std::vector<int> dof_parents(const MultibodyModel& model);

/// Factorizes M (n x n, symmetric positive definite, zero where the parents say so).
LTDL ltdl(const SX& M, const std::vector<int>& parent);

/// M⁻¹ B (n x m), one back- and one forward-substitution per column of B.
SX ltdl_solve(const LTDL& f, const SX& B);

/// The two halves of ltdl_solve, for products such as J M⁻¹ Jᵀ = Yᵀ D⁻¹ Y with Y = L⁻ᵀ Jᵀ
/// (Featherstone 2008, §6.5): L⁻ᵀ B (leaves to root) and L⁻¹ B (root to leaves), n x m each.
SX ltdl_solve_lt(const LTDL& f, const SX& B);
SX ltdl_solve_l(const LTDL& f, const SX& B);

/// M⁻¹ (n x n): solved for the unit columns, the upper triangle mirrored (the entries below the
/// diagonal, never used, drop out of the generated code).
SX upper_mirrored_inverse(const LTDL& f);

}  // namespace thunder
