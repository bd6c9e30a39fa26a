#include "thunder/model/terms.h"

namespace thunder {

SX friction_basis(const SX& v, int order) {
  if (order == 1) return v;
  if (order == 2) return sign(v);
  return sign(v) * pow(fabs(v), order - 1);
}

SX friction_sum(const SX& v, const SX& coeff, int orders) {
  std::vector<SX> out;
  for (casadi_int i = 0; i < v.numel(); ++i) {
    SX sum = 0;
    for (int k = 0; k < orders; ++k) sum = sum + coeff(i * orders + k) * friction_basis(v(i), k + 1);
    out.push_back(sum);
  }
  return SX::vertcat(out);
}

SX elastic_coupling(const SX& q_elastic, const SX& x, const SX& coeff, int orders) {
  std::vector<SX> out;
  for (casadi_int i = 0; i < x.numel(); ++i) {
    const SX e = x(i) - q_elastic(i);
    SX sum = 0;
    for (int k = 0; k < orders; ++k) sum = sum + coeff(i * orders + k) * (k == 0 ? e : constpow(e, 2 * k + 1));
    out.push_back(sum);
  }
  return SX::vertcat(out);
}

}  // namespace thunder
