#include "thunder/model/inertia.h"

namespace thunder {
namespace {

// Shared by the numeric and symbolic versions; sign = +1 moves the inertia from the CoM to the
// origin, -1 back.
template <class T>
void shift(const T* in, T* out, double sign, bool to_reg) {
  const T m = in[0];
  T c[3];
  if (to_reg) {
    for (int i = 0; i < 3; ++i) c[i] = in[1 + i];
  } else {
    for (int i = 0; i < 3; ++i) c[i] = in[1 + i] / m;
  }
  const T cc = c[0] * c[0] + c[1] * c[1] + c[2] * c[2];
  // I entries: xx, xy, xz, yy, yz, zz
  const T d[6] = {cc - c[0] * c[0], -c[0] * c[1], -c[0] * c[2], cc - c[1] * c[1], -c[1] * c[2], cc - c[2] * c[2]};
  out[0] = m;
  for (int i = 0; i < 3; ++i) out[1 + i] = to_reg ? m * c[i] : c[i];
  for (int i = 0; i < 6; ++i) out[4 + i] = in[4 + i] + sign * m * d[i];
}

}  // namespace

std::vector<double> dyn_to_reg(const std::vector<double>& dyn) {
  std::vector<double> reg(dyn.size());
  for (size_t k = 0; k + 10 <= dyn.size(); k += 10) shift(&dyn[k], &reg[k], +1.0, true);
  return reg;
}

std::vector<double> reg_to_dyn(const std::vector<double>& reg) {
  std::vector<double> dyn(reg.size());
  for (size_t k = 0; k + 10 <= reg.size(); k += 10) shift(&reg[k], &dyn[k], -1.0, false);
  return dyn;
}

casadi::SX dyn_to_reg_link(const casadi::SX& dyn10) {
  casadi::SX in[10], out[10];
  for (int i = 0; i < 10; ++i) in[i] = dyn10(i);
  shift(in, out, +1.0, true);
  return casadi::SX::vertcat(std::vector<casadi::SX>(out, out + 10));
}

casadi::SX reg_to_dyn_link(const casadi::SX& reg10) {
  casadi::SX in[10], out[10];
  for (int i = 0; i < 10; ++i) in[i] = reg10(i);
  shift(in, out, -1.0, false);
  return casadi::SX::vertcat(std::vector<casadi::SX>(out, out + 10));
}

}  // namespace thunder
