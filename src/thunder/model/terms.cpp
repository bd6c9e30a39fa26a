#include "thunder/model/terms.h"

namespace thunder {

SX friction_basis(const SX& v, int order) {
  if (order == 1) return v;
  if (order % 2 == 1) return constpow(v, order);
  return fabs(v) * (order == 2 ? v : constpow(v, order - 1));
}

SX friction_sum(const SX& v, const SX& coeff, int orders) {
  std::vector<SX> out;
  for (casadi_int i = 0; i < v.numel(); ++i) {
    SX sum = 0;
    for (int o = 1; o <= orders; ++o) sum = sum + coeff(i * orders + o - 1) * friction_basis(v(i), o);
    out.push_back(sum);
  }
  return SX::vertcat(out);
}

SX elastic_coupling(const SX& q_elastic, const SX& x, const SX& coeff, int orders) {
  std::vector<SX> out;
  for (casadi_int i = 0; i < x.numel(); ++i) {
    const SX e = x(i) - q_elastic(i);
    SX sum = 0;
    for (int o = 1; o <= orders; ++o) sum = sum + coeff(i * orders + o - 1) * (o == 1 ? e : constpow(e, 2 * o - 1));
    out.push_back(sum);
  }
  return SX::vertcat(out);
}

SX order_matrix(const SX& coeff, int orders, int order) {
  const casadi_int n = coeff.numel() / orders;
  SX m = SX::zeros(n, n);
  for (casadi_int i = 0; i < n; ++i) m(i, i) = coeff(i * orders + order - 1);
  return m;
}

SX coulomb_friction(const SX& v, const SX& coeff, double smoothing) {
  std::vector<SX> out;
  for (casadi_int i = 0; i < v.numel(); ++i)
    out.push_back(coeff(i) * (smoothing > 0 ? tanh(v(i) / smoothing) : sign(v(i))));
  return SX::vertcat(out);
}

}  // namespace thunder
