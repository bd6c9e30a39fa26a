// Small dense linear algebra on CasADi expressions.
#pragma once

#include <casadi/casadi.hpp>

namespace thunder {

/// X = A^-1 B for a symmetric positive definite A, by Cholesky factorization (backward stable
/// without pivoting, unlike a symbolic LU/QR of a general matrix, which matters in float32).
casadi::SX solve_spd(const casadi::SX& A, const casadi::SX& B);

}  // namespace thunder
