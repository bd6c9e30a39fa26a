// Friction and series-elastic terms (docs/FUNCTIONS.md): all are sums of coefficient times a
// basis function, so each is linear in its parameter set.
#pragma once

#include <vector>

#include <casadi/casadi.hpp>

namespace thunder {

using SX = casadi::SX;

/// Friction basis of order k >= 1, elementwise: k = 1 viscous v, k = 2 Coulomb sign(v)
/// (sign(0) = 0), k >= 3 sign(v) |v|^(k-1).
SX friction_basis(const SX& v, int order);

/// sum_k coeff[i*orders + k] * friction_basis(v_i, k+1) for each element i of v.
SX friction_sum(const SX& v, const SX& coeff, int orders);

/// Elastic coupling k_i = sum_n K_i,n (x_i - q_i)^(2n-1).
SX elastic_coupling(const SX& q_elastic, const SX& x, const SX& coeff, int orders);

}  // namespace thunder
