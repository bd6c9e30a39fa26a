#include "thunder/model/linalg.h"

#include <vector>

namespace thunder {

using casadi::SX;

SX solve_spd(const SX& A, const SX& B) {
  const casadi_int n = A.size1(), m = B.size2();
  // A = L L', lower triangular L.
  std::vector<std::vector<SX>> L(n, std::vector<SX>(n, SX(0)));
  for (casadi_int j = 0; j < n; ++j) {
    SX d = A(j, j);
    for (casadi_int k = 0; k < j; ++k) d = d - L[j][k] * L[j][k];
    L[j][j] = sqrt(d);
    const SX inv = 1 / L[j][j];
    for (casadi_int i = j + 1; i < n; ++i) {
      SX s = A(i, j);
      for (casadi_int k = 0; k < j; ++k) s = s - L[i][k] * L[j][k];
      L[i][j] = s * inv;
    }
  }
  SX X = SX::zeros(n, m);
  for (casadi_int c = 0; c < m; ++c) {
    std::vector<SX> y(n);
    for (casadi_int i = 0; i < n; ++i) {  // L y = b
      SX s = B(i, c);
      for (casadi_int k = 0; k < i; ++k) s = s - L[i][k] * y[k];
      y[i] = s / L[i][i];
    }
    for (casadi_int i = n - 1; i >= 0; --i) {  // L' x = y
      SX s = y[i];
      for (casadi_int k = i + 1; k < n; ++k) s = s - L[k][i] * X(k, c);
      X(i, c) = s / L[i][i];
    }
  }
  return X;
}

}  // namespace thunder
