#include "thunder/algorithm/body_inertias.h"

#include "thunder/model/inertia.h"

namespace thunder {

std::vector<BodyInertia> inertias_from_dyn(const Parameters& params, int n) {
  std::vector<BodyInertia> bodies;
  for (int k = 0; k < n; ++k) {
    std::vector<SX> dyn;
    for (int j = 0; j < 10; ++j) dyn.push_back(params.element("par_DYN", 10 * k + j));
    bodies.push_back(inertias_from_reg(dyn_to_reg_link(SX::vertcat(dyn)))[0]);
  }
  return bodies;
}

std::vector<BodyInertia> inertias_from_reg(const SX& reg) {
  std::vector<BodyInertia> bodies;
  for (casadi_int k = 0; k + 10 <= reg.numel(); k += 10) {
    BodyInertia L;
    L.m = reg(k);
    L.h = Vec3::of(reg(k + 1), reg(k + 2), reg(k + 3));
    for (int j = 0; j < 6; ++j) L.I.s[j] = reg(k + 4 + j);
    bodies.push_back(L);
  }
  return bodies;
}

}  // namespace thunder
