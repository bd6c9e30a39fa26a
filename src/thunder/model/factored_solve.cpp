#include "thunder/model/factored_solve.h"

#include <stdexcept>

#include "thunder/util/env.h"

namespace thunder {

long long vector_solve_threshold() { return env_count("THUNDER_VECTOR_SOLVE_ABOVE", 5000); }

std::shared_ptr<const FactoredSolve> factored_solve(const std::string& name, const std::vector<SX>& inputs,
                                                    const std::vector<std::string>& input_names,
                                                    const std::vector<SX>& others,
                                                    const std::vector<std::string>& other_names, const LTDL& factor,
                                                    const SX& B, std::vector<int> solved, bool negated,
                                                    std::vector<int> symmetric) {
  const int n = static_cast<int>(factor.parent.size());
  if (B.size1() != n) throw std::logic_error("factored_solve: B has " + std::to_string(B.size1()) + " rows, M " +
                                             std::to_string(n));
  auto plan = std::make_shared<FactoredSolve>();
  plan->parent = factor.parent;
  plan->solved = std::move(solved);
  plan->negated = negated;
  plan->symmetric = std::move(symmetric);
  std::vector<SX> L;
  for (int k = 0; k < n; ++k)
    for (int i = factor.parent[k]; i >= 0; i = factor.parent[i]) L.push_back(factor.L[k][i]);
  // A column of B that is structurally zero (a floating base's translations in ∂τ/∂q) has a
  // zero solution: it gets no row of B_t, so the loops never touch it.
  int rows = 0;
  for (casadi_int c = 0; c < B.size2(); ++c) {
    bool zero = true;
    for (casadi_int r = 0; r < n && zero; ++r) zero = B(r, c).is_zero();
    plan->columns.push_back(zero ? -1 : rows++);
  }
  // Rows of B_t padded to a multiple of 8 doubles: the loops work in units of 8 columns (one
  // AVX-512 vector, two AVX2, four SSE2), with no remainder.
  plan->stride = (rows + 7) / 8 * 8;
  SX Bt = SX::zeros(plan->stride, n);
  std::vector<casadi_int> nz_row, nz_col;
  for (casadi_int c = 0; c < B.size2(); ++c)
    if (plan->columns[c] >= 0)
      for (casadi_int r = 0; r < n; ++r) {
        Bt(plan->columns[c], r) = B(r, c);
        if (!B(r, c).is_zero()) {
          nz_row.push_back(plan->columns[c]);
          nz_col.push_back(r);
        }
      }
  plan->pattern = casadi::Sparsity::triplet(plan->stride, n, nz_row, nz_col);
  std::vector<SX> outs;
  for (const SX& o : others) outs.push_back(densify(o));
  outs.push_back(L.empty() ? SX::zeros(0, 1) : SX::vertcat(L));
  outs.push_back(SX::vertcat(factor.inv_D));
  outs.push_back(densify(Bt));
  std::vector<std::string> names = other_names;
  for (const char* s : {"L", "inv_D", "B_t"}) names.push_back(s);
  plan->parts = casadi::Function(name + "_parts", inputs, outs, input_names, names, casadi::Dict{{"cse", true}});
  return plan;
}

}  // namespace thunder
