#include "thunder/algorithm/body_inertias.h"

#include "thunder/model/inertia.h"

namespace thunder {

std::vector<BodyInertia> inertias_from_dyn(const Parameters& params, int n) {
  std::vector<BodyInertia> bodies;
  for (int k = 0; k < n; ++k) {
    std::vector<SX> dyn;
    for (int j = 0; j < 10; ++j) dyn.push_back(params.element("par_DYN", 10 * k + j));
    BodyInertia L = inertias_from_reg(dyn_to_reg_link(SX::vertcat(dyn)))[0];
    // par_DYN is (m, c, Ic): numeric (folded) parameters keep that form for I m.
    bool numeric = true;
    for (const SX& e : dyn) numeric = numeric && e.is_constant();
    if (numeric && !dyn[0].is_zero()) {
      L.has_com = true;
      L.c = Vec3::of(dyn[1], dyn[2], dyn[3]);
      for (int j = 0; j < 6; ++j) L.Ic.s[j] = dyn[4 + j];
    }
    bodies.push_back(L);
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
