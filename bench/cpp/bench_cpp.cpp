// Per-call latency, serial, one thread: Thunder's generated CasADi C functions (called directly
// with preallocated work arrays; optionally through the generated wrapper class) vs Pinocchio, on
// the same robot and the same random states. First checks that the outputs agree, then times with
// interleaved repetitions (every repetition runs each implementation once, in rotating order) and
// reports medians. Writes JSON to the file given as argv[2].
//
//   bench_cpp MODEL.txt OUT.json [--reps R] [--states N] [--ee FRAME]
// MODEL.txt: the Pinocchio model saved with Model.saveToText by bench/pin_model.py (the URDF with
// the joints that are not ancestors of the EE locked, as thunder's URDF reader does). The wheel's
// CMake package needs urdfdom_headers, which it does not ship, so URDF parsing stays in Python.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <pinocchio/algorithm/compute-all-terms.hpp>
#include <pinocchio/algorithm/crba.hpp>
#include <pinocchio/algorithm/frames.hpp>
#include <pinocchio/algorithm/jacobian.hpp>
#include <pinocchio/algorithm/joint-configuration.hpp>
#include <pinocchio/algorithm/kinematics.hpp>
#include <pinocchio/algorithm/model.hpp>
#include <pinocchio/algorithm/regressor.hpp>
#include <pinocchio/algorithm/rnea.hpp>
#include <pinocchio/serialization/model.hpp>

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define TH(fn) CAT(CAT(CAT(thunder_, THUNDER_ROBOT), _), fn)
#define STR_(x) #x
#define STR(x) STR_(x)
#define TH_HDR(fn) STR(CAT(CAT(CAT(thunder_, THUNDER_ROBOT), _), fn).h)

#include TH_HDR(T_0_ee)
#include TH_HDR(J_ee)
#include TH_HDR(M)
#include TH_HDR(C)
#include TH_HDR(G)
#include TH_HDR(tau)
#include TH_HDR(Yr)
#ifdef BENCH_WRAPPER
#define WRAPPER_HDR STR(CAT(thunder_, THUNDER_ROBOT).h)
#include WRAPPER_HDR
using Wrapper = CAT(thunder_, THUNDER_ROBOT);
#endif

#include "casadi_fn.hpp"

using Clock = std::chrono::steady_clock;
namespace pin = pinocchio;

struct Impl {
  std::string name;
  std::function<void(int)> call;  // evaluates at state index s
};

struct Row {
  std::string fn;
  std::vector<std::string> impls;
  std::vector<double> ns;  // median ns per call
  std::vector<double> p25, p75;
  double max_err;
  int k_calls;
};

static volatile double g_sink = 0;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL.txt OUT.json [--reps R] [--states N] [--ee FRAME]\n", argv[0]);
    return 2;
  }
  std::string model_file = argv[1], out_file = argv[2], ee = "panda_hand";
  int reps = 101, nstates = 64;
  double block_us = 200;
  for (int i = 3; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--reps") reps = std::atoi(argv[i + 1]);
    else if (a == "--states") nstates = std::atoi(argv[i + 1]);
    else if (a == "--ee") ee = argv[i + 1];
    else if (a == "--block-us") block_us = std::atof(argv[i + 1]);
  }

  pin::Model model;
  model.loadFromText(model_file);
  pin::Data data(model);
  const int n = model.nv;
  const pin::FrameIndex fid = model.getFrameId(ee);
  if (n != (int)TH(M_sparsity_in)(0)[0]) {
    std::fprintf(stderr, "joint count mismatch: pinocchio %d, thunder %lld\n", n,
                 (long long)TH(M_sparsity_in)(0)[0]);
    return 1;
  }

  // Random states, same for everyone.
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> U(-1.0, 1.0);
  std::vector<Eigen::VectorXd> Q(nstates), DQ(nstates), DDQ(nstates);
  for (int s = 0; s < nstates; ++s) {
    Q[s] = Eigen::VectorXd(n); DQ[s] = Eigen::VectorXd(n); DDQ[s] = Eigen::VectorXd(n);
    for (int i = 0; i < n; ++i) {
      double lo = model.lowerPositionLimit[i], hi = model.upperPositionLimit[i];
      if (!(std::isfinite(lo) && std::isfinite(hi)) || hi <= lo) { lo = -3.0; hi = 3.0; }
      Q[s][i] = lo + (hi - lo) * 0.5 * (U(rng) + 1.0);
      DQ[s][i] = U(rng);
      DDQ[s][i] = U(rng);
    }
  }

  CasadiFn fFK(TH(T_0_ee), TH(T_0_ee_work)), fJ(TH(J_ee), TH(J_ee_work)), fM(TH(M), TH(M_work)),
      fC(TH(C), TH(C_work)), fG(TH(G), TH(G_work)), fTau(TH(tau), TH(tau_work)),
      fYr(TH(Yr), TH(Yr_work));
  std::vector<double> out(n * 10 * n + 64);
#ifdef BENCH_WRAPPER
  Wrapper W;
#endif
  Eigen::Matrix<double, 6, Eigen::Dynamic> Jp(6, n);

  // Regressor: pinocchio's inertia order is (Ixx, Ixy, Iyy, Ixz, Iyz, Izz); thunder's par_REG is
  // (Ixx, Ixy, Ixz, Iyy, Iyz, Izz). Column j of ours = column perm(j) of theirs.
  auto reg_col = [](int j) { int k = j % 10, b = j - k; return b + (k == 6 ? 7 : k == 7 ? 6 : k); };

  // ---- agreement (all states) -------------------------------------------------------------
  struct Check { std::string fn; double err; };
  std::vector<Check> checks;
  auto maxabs = [&](const double* a, const double* b, int m) {
    double e = 0; for (int i = 0; i < m; ++i) e = std::max(e, std::abs(a[i] - b[i])); return e; };
  double eFK = 0, eJ = 0, eM = 0, eC = 0, eG = 0, eTau = 0, eYr = 0;
  double eW = 0;  // wrapper vs direct
  for (int s = 0; s < nstates; ++s) {
    const double *q = Q[s].data(), *dq = DQ[s].data(), *ddq = DDQ[s].data();
    pin::forwardKinematics(model, data, Q[s]);
    pin::updateFramePlacement(model, data, fid);
    Eigen::Matrix4d T = data.oMf[fid].toHomogeneousMatrix();
    fFK({q}, out.data()); eFK = std::max(eFK, maxabs(out.data(), T.data(), 16));
    Jp.setZero();
    pin::computeFrameJacobian(model, data, Q[s], fid, pin::LOCAL_WORLD_ALIGNED, Jp);
    fJ({q}, out.data()); eJ = std::max(eJ, maxabs(out.data(), Jp.data(), 6 * n));
    pin::crba(model, data, Q[s]);
    Eigen::MatrixXd Ms = data.M.triangularView<Eigen::Upper>();
    Ms.triangularView<Eigen::StrictlyLower>() = Ms.transpose();
    fM({q}, out.data()); eM = std::max(eM, maxabs(out.data(), Ms.data(), n * n));
    pin::computeCoriolisMatrix(model, data, Q[s], DQ[s]);
    fC({q, dq}, out.data()); eC = std::max(eC, maxabs(out.data(), data.C.data(), n * n));
    pin::computeGeneralizedGravity(model, data, Q[s]);
    fG({q}, out.data()); eG = std::max(eG, maxabs(out.data(), data.g.data(), n));
    pin::rnea(model, data, Q[s], DQ[s], DDQ[s]);
    fTau({q, dq, ddq}, out.data()); eTau = std::max(eTau, maxabs(out.data(), data.tau.data(), n));
    pin::computeJointTorqueRegressor(model, data, Q[s], DQ[s], DDQ[s]);
    fYr({q, dq, dq, ddq}, out.data());
    for (int j = 0; j < 10 * n; ++j)
      for (int i = 0; i < n; ++i)
        eYr = std::max(eYr, std::abs(out[j * n + i] - data.jointTorqueRegressor(i, reg_col(j))));
#ifdef BENCH_WRAPPER
    W.set_q(Q[s]); W.set_dq(DQ[s]); W.set_ddq(DDQ[s]); W.set_dqr(DQ[s]); W.set_ddqr(DDQ[s]);
    Eigen::MatrixXd Mw = W.get_M();
    fM({q}, out.data()); eW = std::max(eW, maxabs(out.data(), Mw.data(), n * n));
    Eigen::MatrixXd Yw = W.get_Yr();
    fYr({q, dq, dq, ddq}, out.data()); eW = std::max(eW, maxabs(out.data(), Yw.data(), n * 10 * n));
#endif
  }
  checks = {{"FK", eFK}, {"J_ee", eJ}, {"M", eM}, {"C", eC}, {"G", eG}, {"ID", eTau}, {"Yr", eYr}};
  bool ok = true;
  for (auto& c : checks) {
    std::fprintf(stderr, "check %-5s max|ours - pinocchio| = %.3g\n", c.fn.c_str(), c.err);
    if (!(c.err <= 1e-9)) ok = false;
  }
#ifdef BENCH_WRAPPER
  std::fprintf(stderr, "check wrapper vs direct: %.3g\n", eW);
  if (!(eW <= 1e-12)) ok = false;
#endif

  // ---- timing ------------------------------------------------------------------------------
  auto ours = [&](CasadiFn& f, int nin) {
    return [&f, nin, &Q, &DQ, &DDQ, &out](int s) {
      const double *q = Q[s].data(), *dq = DQ[s].data(), *ddq = DDQ[s].data();
      if (nin == 1) f({q}, out.data());
      else if (nin == 2) f({q, dq}, out.data());
      else if (nin == 3) f({q, dq, ddq}, out.data());
      else f({q, dq, dq, ddq}, out.data());
      g_sink = g_sink + out[0];
    };
  };
  std::vector<std::pair<std::string, std::vector<Impl>>> groups;
  auto P = [&](std::function<void(int)> f) { return f; };
#ifdef BENCH_WRAPPER
#define WRAP(expr1, getter)                                                                  \
  Impl{"thunder_wrapper", [&](int s) { expr1; Eigen::MatrixXd r = W.getter(); g_sink = g_sink + r(0, 0); }}
#endif
  groups.push_back({"FK", {Impl{"thunder_c", ours(fFK, 1)},
      Impl{"pinocchio", P([&](int s) { pin::forwardKinematics(model, data, Q[s]);
        pin::updateFramePlacement(model, data, fid); g_sink = g_sink + data.oMf[fid].translation()[0]; })}
#ifdef BENCH_WRAPPER
      , WRAP(W.set_q(Q[s]), get_T_0_ee)
#endif
  }});
  groups.push_back({"J_ee", {Impl{"thunder_c", ours(fJ, 1)},
      Impl{"pinocchio", P([&](int s) { pin::computeFrameJacobian(model, data, Q[s], fid,
        pin::LOCAL_WORLD_ALIGNED, Jp); g_sink = g_sink + Jp(0, 0); })}
#ifdef BENCH_WRAPPER
      , WRAP(W.set_q(Q[s]), get_J_ee)
#endif
  }});
  groups.push_back({"M", {Impl{"thunder_c", ours(fM, 1)},
      Impl{"pinocchio", P([&](int s) { pin::crba(model, data, Q[s]); g_sink = g_sink + data.M(0, 0); })}
#ifdef BENCH_WRAPPER
      , WRAP(W.set_q(Q[s]), get_M)
#endif
  }});
  groups.push_back({"C", {Impl{"thunder_c", ours(fC, 2)},
      Impl{"pinocchio", P([&](int s) { pin::computeCoriolisMatrix(model, data, Q[s], DQ[s]);
        g_sink = g_sink + data.C(0, 0); })}
#ifdef BENCH_WRAPPER
      , WRAP((W.set_q(Q[s]), W.set_dq(DQ[s])), get_C)
#endif
  }});
  groups.push_back({"G", {Impl{"thunder_c", ours(fG, 1)},
      Impl{"pinocchio", P([&](int s) { pin::computeGeneralizedGravity(model, data, Q[s]);
        g_sink = g_sink + data.g[0]; })}
#ifdef BENCH_WRAPPER
      , WRAP(W.set_q(Q[s]), get_G)
#endif
  }});
  groups.push_back({"ID", {Impl{"thunder_c", ours(fTau, 3)},
      Impl{"pinocchio", P([&](int s) { pin::rnea(model, data, Q[s], DQ[s], DDQ[s]);
        g_sink = g_sink + data.tau[0]; })}
#ifdef BENCH_WRAPPER
      , WRAP((W.set_q(Q[s]), W.set_dq(DQ[s]), W.set_ddq(DDQ[s])), get_tau)
#endif
  }});
  groups.push_back({"Yr", {Impl{"thunder_c", ours(fYr, 4)},
      Impl{"pinocchio", P([&](int s) { pin::computeJointTorqueRegressor(model, data, Q[s], DQ[s], DDQ[s]);
        g_sink = g_sink + data.jointTorqueRegressor(0, 0); })}
#ifdef BENCH_WRAPPER
      , WRAP((W.set_q(Q[s]), W.set_dq(DQ[s]), W.set_dqr(DQ[s]), W.set_ddqr(DDQ[s])), get_Yr)
#endif
  }});

  std::vector<Row> rows;
  for (auto& [fn, impls] : groups) {
    // calls per block: about block_us for the slowest implementation
    double slowest = 0;
    for (auto& im : impls) {
      for (int s = 0; s < 200; ++s) im.call(s % nstates);  // warm-up
      auto t0 = Clock::now();
      for (int s = 0; s < 200; ++s) im.call(s % nstates);
      slowest = std::max(slowest, std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / 200);
    }
    int K = std::max(8, (int)(block_us * 1e3 / slowest));
    std::vector<std::vector<double>> t(impls.size());
    for (int r = 0; r < reps; ++r) {
      for (size_t k = 0; k < impls.size(); ++k) {
        size_t i = (k + r) % impls.size();
        auto t0 = Clock::now();
        for (int c = 0; c < K; ++c) impls[i].call(c % nstates);
        t[i].push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / K);
      }
    }
    Row row{fn, {}, {}, {}, {}, 0, K};
    for (auto& c : checks) if (c.fn == fn) row.max_err = c.err;
    for (size_t i = 0; i < impls.size(); ++i) {
      auto v = t[i];
      std::sort(v.begin(), v.end());
      row.impls.push_back(impls[i].name);
      row.ns.push_back(v[v.size() / 2]);
      row.p25.push_back(v[v.size() / 4]);
      row.p75.push_back(v[(3 * v.size()) / 4]);
    }
    std::fprintf(stderr, "%-5s", fn.c_str());
    for (size_t i = 0; i < impls.size(); ++i) std::fprintf(stderr, "  %s %.0f ns", row.impls[i].c_str(), row.ns[i]);
    std::fprintf(stderr, "\n");
    rows.push_back(row);
  }

  std::ofstream o(out_file);
  o << "{\n  \"ok\": " << (ok ? "true" : "false") << ",\n  \"n\": " << n << ",\n  \"ee\": \"" << ee
    << "\",\n  \"reps\": " << reps << ",\n  \"states\": " << nstates << ",\n  \"flags\": \"" << BENCH_CFLAGS
    << "\",\n  \"wrapper_vs_direct_err\": " << eW << ",\n  \"rows\": [\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    auto& row = rows[r];
    o << "    {\"fn\": \"" << row.fn << "\", \"max_err\": " << row.max_err << ", \"calls_per_block\": " << row.k_calls
      << ", \"ns\": {";
    for (size_t i = 0; i < row.impls.size(); ++i)
      o << (i ? ", " : "") << "\"" << row.impls[i] << "\": [" << row.ns[i] << ", " << row.p25[i] << ", " << row.p75[i] << "]";
    o << "}}" << (r + 1 < rows.size() ? "," : "") << "\n";
  }
  o << "  ]\n}\n";
  std::fprintf(stderr, "sink %g\n", (double)g_sink);
  return ok ? 0 : 1;
}
