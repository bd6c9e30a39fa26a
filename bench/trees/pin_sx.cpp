// Instruction counts of Pinocchio's algorithms evaluated on casadi::SX, the reference that
// thunder's generated functions are compared with (issue 11: ours should grow no faster).
// Same construction as thunder's FunctionBuilder: dense outputs, casadi::Function with
// {"cse": true}, n_instructions(). Must be built with _GLIBCXX_USE_CXX11_ABI=0 (casadi wheel).
//
//   pin_sx MODEL.txt OUT.json      (MODEL.txt: bench/trees/pin_tree_model.py)
//   PIN_SX_SAVE=DIR pin_sx ...      also saves each function as DIR/NAME.casadi
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <pinocchio/autodiff/casadi.hpp>
// after casadi.hpp: the algorithms must see Pinocchio's casadi specialisations
#include <pinocchio/algorithm/center-of-mass.hpp>
#include <pinocchio/algorithm/centroidal.hpp>
#include <pinocchio/algorithm/crba.hpp>
#include <pinocchio/algorithm/frames.hpp>
#include <pinocchio/algorithm/jacobian.hpp>
#include <pinocchio/algorithm/regressor.hpp>
#include <pinocchio/algorithm/rnea.hpp>
#include <pinocchio/algorithm/rnea-derivatives.hpp>
#include <pinocchio/algorithm/aba-derivatives.hpp>

#include "model_io.hpp"

namespace pin = pinocchio;
using SX = casadi::SX;
using ADModel = pin::ModelTpl<SX>;
using ADData = pin::DataTpl<SX>;
using VecX = Eigen::Matrix<SX, Eigen::Dynamic, 1>;

static SX dense(const Eigen::Matrix<SX, Eigen::Dynamic, Eigen::Dynamic>& m) {
  SX out;
  pin::casadi::copy(m, out);
  return SX::densify(out);
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL.txt OUT.json\n", argv[0]);
    return 2;
  }
  pin::FrameIndex fid;
  const pin::Model model = bench::load_model(argv[1], fid);
  const ADModel ad = model.cast<SX>();
  ADData data(ad);
  const int nq = model.nq, nv = model.nv;
  SX sq = SX::sym("q", nq), sv = SX::sym("dq", nv), sa = SX::sym("ddq", nv);
  VecX q(nq), v(nv), a(nv);
  for (int i = 0; i < nq; ++i) q[i] = sq(i);
  for (int i = 0; i < nv; ++i) v[i] = sv(i), a[i] = sa(i);

  struct Entry { std::string name, pin_alg; std::vector<SX> in; std::function<SX()> expr; };
  const std::vector<Entry> entries = {
      {"M", "crba", {sq}, [&] {
         pin::crba(ad, data, q);  // upper triangle only: mirror it (no new operations)
         data.M.triangularView<Eigen::StrictlyLower>() = data.M.transpose();
         return dense(data.M); }},
      {"C", "computeCoriolisMatrix", {sq, sv}, [&] { return dense(pin::computeCoriolisMatrix(ad, data, q, v)); }},
      {"tau", "rnea", {sq, sv, sa}, [&] { return dense(pin::rnea(ad, data, q, v, a)); }},
      {"Y", "computeJointTorqueRegressor", {sq, sv, sa},
       [&] { return dense(pin::computeJointTorqueRegressor(ad, data, q, v, a)); }},
      {"tau_derivatives", "computeRNEADerivatives", {sq, sv, sa}, [&] {
         pin::computeRNEADerivatives(ad, data, q, v, a);
         return SX::vertcat({SX::vec(dense(data.dtau_dq)), SX::vec(dense(data.dtau_dv))}); }},
      {"FD_derivatives", "computeABADerivatives", {sq, sv, sa}, [&] {  // sa: the torque
         pin::computeABADerivatives(ad, data, q, v, a);
         data.Minv.triangularView<Eigen::StrictlyLower>() = data.Minv.transpose();
         // stacked as one column (the outputs' shapes differ across Pinocchio versions)
         return SX::vertcat({SX::vec(dense(data.ddq)), SX::vec(dense(data.ddq_dq)), SX::vec(dense(data.ddq_dv)),
                             SX::vec(dense(data.Minv))}); }},
      {"G", "computeGeneralizedGravity", {sq}, [&] { return dense(pin::computeGeneralizedGravity(ad, data, q)); }},
      {"J_com", "jacobianCenterOfMass", {sq}, [&] { return dense(pin::jacobianCenterOfMass(ad, data, q)); }},
      {"A_G", "computeCentroidalMap", {sq}, [&] { return dense(pin::computeCentroidalMap(ad, data, q)); }},
      {"J_frame", "computeFrameJacobian (LOCAL_WORLD_ALIGNED)", {sq}, [&] {
         Eigen::Matrix<SX, 6, Eigen::Dynamic> J(6, nv);
         J.setZero();
         pin::computeFrameJacobian(ad, data, q, fid, pin::LOCAL_WORLD_ALIGNED, J);
         return dense(J); }},
  };
  std::ofstream o(argv[2]);
  o << "{\"nq\": " << nq << ", \"nv\": " << nv << ", \"frame\": \"" << model.frames[fid].name
    << "\", \"functions\": {";
  for (size_t k = 0; k < entries.size(); ++k) {
    const auto& e = entries[k];
    const auto t0 = std::chrono::steady_clock::now();
    casadi::Function f(e.name, e.in, {e.expr()}, casadi::Dict{{"cse", true}});
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "pin_sx %-6s %-45s %8lld instructions (%.2f s)\n", e.name.c_str(),
                 e.pin_alg.c_str(), (long long)f.n_instructions(), s);
    o << (k ? ", " : "") << "\"" << e.name << "\": {\"pinocchio\": \"" << e.pin_alg
      << "\", \"n_instructions\": " << f.n_instructions() << "}";
    // PIN_SX_SAVE=DIR: the functions too (DIR/NAME.casadi), to compare expressions part by part
    if (const char* dir = std::getenv("PIN_SX_SAVE")) f.save(std::string(dir) + "/" + e.name + ".casadi");
  }
  o << "}}\n";
  return 0;
}
