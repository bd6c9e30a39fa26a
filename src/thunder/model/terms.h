// Friction and series-elastic terms (docs/FUNCTIONS.md), with thunder_dynamics' definitions
// (v0.8 dynamics.cpp, unchanged in 1.0) so that thunder files mean what they meant there:
//   f_o(v) = v^o (o odd), |v| v^(o-1) (o even)        the friction basis of order o
//   dl_j = sum_o Dl_{j,o} f_o(dq_j)                    link friction
//   k_e  = sum_o K_{e,o} (x_e - q_j)^(2o-1)            elastic coupling, j = j(e)
//   d_e  = sum_o D_{e,o} f_o(dx_e - dq_j)              coupling damping
//   dm_e = sum_o Dm_{e,o} f_o(dx_e)                    motor damping
// Coefficients are stored per element, orders contiguous: coeff[i * orders + (o - 1)].
// Each term is linear in its coefficients, so its regressor is its Jacobian in them.
#pragma once

#include <vector>

#include <casadi/casadi.hpp>

namespace thunder {

using SX = casadi::SX;

/// f_o(v) elementwise: v^o for odd o, |v| v^(o-1) for even o (odd in v, C^(o-1)).
SX friction_basis(const SX& v, int order);

/// sum_o coeff[i*orders + o-1] * f_o(v_i) for each element i of v.
SX friction_sum(const SX& v, const SX& coeff, int orders);

/// k_i = sum_o coeff[i*orders + o-1] (x_i - q_i)^(2o-1); `q_elastic` holds q_j(i).
SX elastic_coupling(const SX& q_elastic, const SX& x, const SX& coeff, int orders);

/// The diagonal matrix of the order-`order` coefficients: diag(coeff[i*orders + order-1]).
SX order_matrix(const SX& coeff, int orders, int order);

/// Coulomb friction (Thunder's explicit model, not a thunder_dynamics term): coeff_i s(v_i) with
/// s = sign (sign(0) = 0) when smoothing == 0, else tanh(v / smoothing).
SX coulomb_friction(const SX& v, const SX& coeff, double smoothing);

}  // namespace thunder
