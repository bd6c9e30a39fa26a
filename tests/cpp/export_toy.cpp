// A hand-made FunctionSet (planar 2R arm) that exercises the exporters without the symbolic
// model: functions without inputs, several outputs, sparse outputs, partly symbolic par_DYN,
// a fully symbolic set, the par_DYN <-> par_REG maps. `thunder-unit-tests export-toy OUT` writes
// manifest, .casadi files, parameter file and OUT/cpp, for tests/test_export_cpp.py.
#include <filesystem>
#include <iostream>
#include <string>

#include "thunder/export/casadi/casadi_exporter.h"
#include "thunder/export/cpp/cpp_exporter.h"
#include "thunder/export/params_yaml.h"
#include "thunder/functions/function_set.h"
#include "thunder/functions/manifest.h"

namespace {

using casadi::SX;

const char* const kDynNames[] = {"mass", "CoM_x", "CoM_y", "CoM_z", "Ixx",
                                 "Ixy",  "Ixz",   "Iyy",   "Iyz",   "Izz"};
const char* const kRegNames[] = {"mass", "m_CoM_x", "m_CoM_y", "m_CoM_z", "Ixx",
                                 "Ixy",  "Ixz",     "Iyy",     "Iyz",     "Izz"};

/// m (|c|^2 I - c c^T) as [xx, xy, xz, yy, yz, zz].
std::vector<SX> steiner(const SX& m, const SX& cx, const SX& cy, const SX& cz) {
  return {m * (cy * cy + cz * cz), -m * cx * cy, -m * cx * cz,
          m * (cx * cx + cz * cz), -m * cy * cz, m * (cx * cx + cy * cy)};
}

SX dyn_to_reg(const SX& dyn) {
  std::vector<SX> out;
  for (int k = 0; k < dyn.size1() / 10; ++k) {
    SX m = dyn(10 * k), cx = dyn(10 * k + 1), cy = dyn(10 * k + 2), cz = dyn(10 * k + 3);
    auto s = steiner(m, cx, cy, cz);
    out.insert(out.end(), {m, m * cx, m * cy, m * cz});
    for (int j = 0; j < 6; ++j) out.push_back(dyn(10 * k + 4 + j) + s[j]);
  }
  return SX::vertcat(out);
}

SX reg_to_dyn(const SX& reg) {
  std::vector<SX> out;
  for (int k = 0; k < reg.size1() / 10; ++k) {
    SX m = reg(10 * k), cx = reg(10 * k + 1) / m, cy = reg(10 * k + 2) / m,
       cz = reg(10 * k + 3) / m;
    auto s = steiner(m, cx, cy, cz);
    out.insert(out.end(), {m, cx, cy, cz});
    for (int j = 0; j < 6; ++j) out.push_back(reg(10 * k + 4 + j) - s[j]);
  }
  return SX::vertcat(out);
}

SX rot_z(const SX& th, const SX& px, const SX& py) {
  SX c = cos(th), s = sin(th);
  return SX::vertcat({SX::horzcat({c, -s, 0, px}), SX::horzcat({s, c, 0, py}),
                      SX::horzcat({0, 0, 1, 0}), SX::horzcat({0, 0, 0, 1})});
}

}  // namespace

thunder::FunctionSet make_toy_function_set() {
  using thunder::FunctionInfo;
  using thunder::ParamSet;
  const int n = 2;
  const double a1 = 1.0, a2 = 0.8, g = 9.81;

  ParamSet dyn{"par_DYN", "dynamic parameters per link", {}, {}, {}, {}};
  ParamSet reg{"par_REG", "regressor parameters per link", {}, {}, {}, {}};
  const double values[2][10] = {{3.0, 0.45, 0.01, 0.0, 0.02, 0.001, 0.0, 0.03, 0.0, 0.25},
                                {2.0, 0.35, -0.02, 0.01, 0.01, 0.0, 0.002, 0.02, 0.0, 0.12}};
  for (int k = 0; k < n; ++k)
    for (int j = 0; j < 10; ++j) {
      std::string link = "link" + std::to_string(k + 1) + ".";
      dyn.elements.push_back(link + kDynNames[j]);
      dyn.values.push_back(values[k][j]);
      reg.elements.push_back(link + kRegNames[j]);
      reg.symbolic.push_back(false);
    }
  dyn.symbolic.assign(10 * n, false);
  dyn.symbolic[0] = true;   // link1.mass
  dyn.symbolic[11] = true;  // link2.CoM_x

  // par_REG defaults from par_DYN, through the same map.
  SX dyn_full = SX::sym("par_DYN", 10 * n);
  casadi::Function f_dyn_to_reg("par_DYN_to_REG", {dyn_full}, {dyn_to_reg(dyn_full)},
                                {"par_DYN"}, {"par_REG"});
  SX reg_full = SX::sym("par_REG", 10 * n);
  casadi::Function f_reg_to_dyn("par_REG_to_DYN", {reg_full}, {reg_to_dyn(reg_full)},
                                {"par_REG"}, {"par_DYN"});
  std::vector<double> reg_values =
      std::vector<double>(f_dyn_to_reg(casadi::DM(dyn.values))[0].nonzeros());
  reg.values = reg_values;

  ParamSet dl{"par_Dl", "link friction", {"link1.Dl1", "link2.Dl1"}, {0.5, 0.3}, {true, true}, {}};
  ParamSet grav{"par_gravity", "gravity", {"gravity.x", "gravity.y", "gravity.z"},
                {0.0, -g, 0.0}, {false, false, false}};

  // The model: par_DYN with only its symbolic elements as a variable.
  SX dyn_symb = SX::sym("par_DYN", 2);
  std::vector<SX> p(10 * n);
  for (int i = 0; i < 10 * n; ++i) p[i] = dyn.values[i];
  p[0] = dyn_symb(0);
  p[11] = dyn_symb(1);
  SX q = SX::sym("q", n), dq = SX::sym("dq", n), ddq = SX::sym("ddq", n);
  SX w = SX::sym("w", 6), Dl = SX::sym("par_Dl", n);

  SX T01 = rot_z(q(0), 0, 0);
  SX T12 = rot_z(q(1), a1, 0);
  SX T02 = SX::mtimes(T01, T12);
  SX T2e = rot_z(0, a2, 0);
  SX T0e = SX::mtimes(T02, T2e);

  // Centres of mass in the world (CoM_x, CoM_y in the link frame; planar).
  SX c1 = SX::mtimes(T01, SX::vertcat({p[1], p[2], p[3], 1}))(casadi::Slice(0, 2));
  SX c2 = SX::mtimes(T02, SX::vertcat({p[11], p[12], p[13], 1}))(casadi::Slice(0, 2));
  SX Jc1 = SX::jacobian(c1, q), Jc2 = SX::jacobian(c2, q);
  SX Jw1 = SX::horzcat({1, 0}), Jw2 = SX::horzcat({1, 1});
  SX M = p[0] * SX::mtimes(Jc1.T(), Jc1) + p[10] * SX::mtimes(Jc2.T(), Jc2) +
         p[9] * SX::mtimes(Jw1.T(), Jw1) + p[19] * SX::mtimes(Jw2.T(), Jw2);
  SX V = g * (p[0] * c1(1) + p[10] * c2(1));
  SX G = SX::gradient(V, q);
  SX C = SX::zeros(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      SX cij = 0;
      for (int k = 0; k < n; ++k)
        cij += 0.5 *
               (SX::jacobian(M(i, j), q)(k) + SX::jacobian(M(i, k), q)(j) -
                SX::jacobian(M(j, k), q)(i)) *
               dq(k);
      C(i, j) = cij;
    }

  // End-effector Jacobian 6xn [linear; angular]: rows z, wx, wy are structural zeros.
  SX pe = T0e(casadi::Slice(0, 2), 3);
  SX Jp = SX::jacobian(pe, q);
  SX J = SX(6, n);
  for (int j = 0; j < n; ++j) {
    J(0, j) = Jp(0, j);
    J(1, j) = Jp(1, j);
    J(5, j) = 1;
  }
  SX dl_vec = Dl * dq;
  SX Dl_mat = SX(n, n);  // diagonal, sparse
  for (int i = 0; i < n; ++i) Dl_mat(i, i) = Dl(i);

  thunder::FunctionSet fs;
  fs.robot = "toy2R";
  fs.source = "tests/cpp/export_toy.cpp";
  fs.n_joints = n;
  fs.params = {dyn, reg, dl, grav};
  auto add = [&](const std::string& name, const std::vector<SX>& in,
                 const std::vector<std::string>& in_names, const std::vector<SX>& out,
                 const std::vector<std::string>& out_names, const std::string& doc) {
    fs.functions.push_back(FunctionInfo{casadi::Function(name, in, out, in_names, out_names), doc});
  };
  add("T_0", {}, {}, {SX::eye(4)}, {"T_0"}, "world to link 0");
  add("T_0_i", {q}, {"q"}, {T01, T02}, {"T_0_1", "T_0_2"}, "world to link i");
  add("T_0_ee", {q}, {"q"}, {T0e}, {"T_0_ee"}, "world to end effector");
  add("J_ee", {q}, {"q"}, {J}, {"J_ee"}, "end-effector Jacobian (sparse rows)");
  add("M", {q, dyn_symb}, {"q", "par_DYN"}, {M}, {"M"}, "mass matrix");
  add("C", {q, dq, dyn_symb}, {"q", "dq", "par_DYN"}, {C}, {"C"}, "Coriolis matrix");
  add("G", {q, dyn_symb}, {"q", "par_DYN"}, {G}, {"G"}, "gravity torques");
  add("tau", {q, dq, ddq, dyn_symb}, {"q", "dq", "ddq", "par_DYN"},
      {SX::mtimes(M, ddq) + SX::mtimes(C, dq) + G}, {"tau"}, "inverse dynamics");
  add("dl", {dq, Dl}, {"dq", "par_Dl"}, {dl_vec}, {"dl"}, "link friction");
  add("Dl", {dq, Dl}, {"dq", "par_Dl"}, {Dl_mat}, {"Dl"}, "d dl / d dq (sparse)");
  add("reg_JTw", {q, w}, {"q", "w"}, {SX::mtimes(J.T(), w)}, {"JTw"}, "J^T w");
  fs.functions.push_back(FunctionInfo{f_dyn_to_reg, "par_DYN to par_REG"});
  fs.functions.push_back(FunctionInfo{f_reg_to_dyn, "par_REG to par_DYN"});
  return fs;
}

/// `thunder-unit-tests export-toy OUT`: all exporters on the toy FunctionSet.
int export_toy_main(const std::string& out) {
  try {
    thunder::FunctionSet fs = make_toy_function_set();
    std::filesystem::path dir(out);
    thunder::write_manifest(fs, dir);
    thunder::export_casadi(fs, dir);
    thunder::write_par_yaml(fs, dir / (fs.robot + "_par.yaml"));
    thunder::export_cpp(fs, dir, [](const std::string& s) { std::cerr << s << "\n"; });
  } catch (const std::exception& e) {
    std::cerr << "export-toy: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
