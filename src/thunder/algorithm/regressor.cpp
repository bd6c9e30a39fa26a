#include "thunder/algorithm/regressor.h"

#include <utility>

#include "thunder/algorithm/reference_frame.h"


namespace thunder {
namespace {

const SX& at(const Motion& m, int k) { return k < 3 ? m.w[k] : m.v[k - 3]; }
const SX& at(const Force& f, int k) { return k < 3 ? f.n[k] : f.f[k - 3]; }

}  // namespace

SX project_body_regressors(const Kinematics& kin, const std::vector<Force>& forces, const SX& reg) {
  std::vector<SX> Phi(forces.size());
  for (size_t i = 0; i < forces.size(); ++i) {
    // Φ_i: f_i is linear in its own 10 parameters and free of the others'.
    std::vector<SX> f6;
    for (int r = 0; r < 6; ++r) f6.push_back(at(forces[i], r));
    const casadi_int c = 10 * static_cast<casadi_int>(i);
    Phi[i] = densify(SX::jacobian(SX::vertcat(f6), reg(casadi::Slice(c, c + 10))));
  }
  return project_body_regressors(kin, Phi);
}

SX body_regressor(const Motion& v, const Motion& a) {
  const Vec3 &w = v.w, &dw = a.w;
  const Vec3 acc = a.v + cross(w, v.v);  // classical acceleration of the body origin
  const SX xx = w[0] * w[0], yy = w[1] * w[1], zz = w[2] * w[2];
  const SX xy = w[0] * w[1], xz = w[0] * w[2], yz = w[1] * w[2];
  SX Phi = SX::zeros(6, 10);
  const auto col = [&](int c, const SX& n0, const SX& n1, const SX& n2, const SX& f0, const SX& f1, const SX& f2) {
    const SX e[6] = {n0, n1, n2, f0, f1, f2};
    for (int r = 0; r < 6; ++r) Phi(r, c) = e[r];
  };
  const SX z = 0;
  col(0, z, z, z, acc[0], acc[1], acc[2]);
  col(1, z, -acc[2], acc[1], -(yy + zz), dw[2] + xy, xz - dw[1]);
  col(2, acc[2], z, -acc[0], xy - dw[2], -(xx + zz), dw[0] + yz);
  col(3, -acc[1], acc[0], z, dw[1] + xz, yz - dw[0], -(xx + yy));
  col(4, dw[0], xz, -xy, z, z, z);                  // I_xx
  col(5, dw[1] - xz, dw[0] + yz, xx - yy, z, z, z);  // I_xy
  col(6, dw[2] + xy, zz - xx, dw[0] - yz, z, z, z);  // I_xz
  col(7, -yz, dw[1], xy, z, z, z);                   // I_yy
  col(8, yy - zz, dw[2] - xy, dw[1] + xz, z, z, z);  // I_yz
  col(9, yz, -xz, dw[2], z, z, z);                   // I_zz
  return Phi;
}

SX project_body_regressors(const Kinematics& kin, const std::vector<SX>& Phi) {
  const MultibodyModel& model = kin.model();
  const int n = kin.njoints();
  SX Y = SX::zeros(model.nv_full(), 10 * n);
  // A free-flyer root has S = 1 in its body's frame: its six rows of body i are Φ_i's columns moved
  // to that frame directly (one force transform each, by the placement relative to the base),
  // instead of six motions carried down every branch and dotted with all ten columns.
  const bool ff_root = n > 0 && model.joint(0).type == JointType::FreeFlyer;
  ReferenceFrame base;
  if (ff_root) base = reference_frame(kin, nullptr);  // the frame of body 0: a free-flyer is the only root
  // Per body: (column of v, ⁱX_j S_j) for every column of every other joint j supporting it.
  std::vector<std::vector<std::pair<int, Motion>>> down(n);
  for (int i = 0; i < n; ++i) {
    const JointModel& J = model.joint(i);
    const JointTransform& X = kin.joint(i);
    if (J.parent >= 0)
      for (const auto& cm : down[J.parent]) down[i].push_back({cm.first, X.to_child(cm.second)});
    if (!(ff_root && i == 0))
      for (int k = 0; k < J.nv(); ++k) down[i].push_back({J.idx_v + k, X.subspace_column(k)});
    if (ff_root) {
      for (int p = 0; p < 10; ++p) {
        const Force col{Vec3::of(Phi[i](0, p), Phi[i](1, p), Phi[i](2, p)),
                        Vec3::of(Phi[i](3, p), Phi[i](4, p), Phi[i](5, p))};
        const Force in_base = i == 0 ? col : to_world(base.R[i], base.p[i], col);
        for (int k = 0; k < 6; ++k) Y(model.joint(0).idx_v + k, 10 * i + p) = kin.joint(0).project(in_base, k);
      }
    }
    for (const auto& cm : down[i]) {
      for (int p = 0; p < 10; ++p) {
        SX s = 0;
        for (int r = 0; r < 6; ++r) s = s + at(cm.second, r) * Phi[i](r, p);
        Y(cm.first, 10 * i + p) = s;
      }
    }
  }
  return Y;
}

}  // namespace thunder
