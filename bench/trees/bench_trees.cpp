// Per-call latency on floating-base trees, serial, one thread: thunder's generated CasADi C
// functions (called directly with preallocated work arrays, as bench/cpp/bench_cpp.cpp does) vs
// Pinocchio, same robot, same random states (unit quaternions for the base). Checks first that
// the outputs agree (max abs error), then times with interleaved repetitions (each repetition
// runs both implementations, in alternating order) and reports medians. One program for all
// robots, so that Pinocchio's headers are compiled once; the robots are compiled in through
// robots.inc (written by CMakeLists.txt: ROBOT(name, frame) lines).
//
//   bench_trees OUT.json NAME=MODEL.txt [NAME=MODEL.txt ...] [--reps R] [--states N]
// MODEL.txt: bench/trees/pin_tree_model.py (the URDF with a free-flyer root, one frame).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <pinocchio/algorithm/center-of-mass.hpp>
#include <pinocchio/algorithm/centroidal.hpp>
#include <pinocchio/algorithm/crba.hpp>
#include <pinocchio/algorithm/frames.hpp>
#include <pinocchio/algorithm/jacobian.hpp>
#include <pinocchio/algorithm/kinematics.hpp>
#include <pinocchio/algorithm/regressor.hpp>
#include <pinocchio/algorithm/rnea.hpp>

#include "model_io.hpp"

#define casadi_real double
#define casadi_int long long int
using Eval = int (*)(const casadi_real**, casadi_real**, casadi_int*, casadi_real*, int);
using Work = int (*)(casadi_int*, casadi_int*, casadi_int*, casadi_int*);
using Sparsity = const casadi_int* (*)(casadi_int);
using NIn = casadi_int (*)(void);

// the generated functions of every robot, by name (thunder_<robot>_<fn>)
struct GenFn { Eval eval; Work work; Sparsity sp_in; NIn n_in; };
#define DECL(sym) extern "C" { int sym(const casadi_real**, casadi_real**, casadi_int*, casadi_real*, int); \
  int sym##_work(casadi_int*, casadi_int*, casadi_int*, casadi_int*); \
  const casadi_int* sym##_sparsity_in(casadi_int); casadi_int sym##_n_in(void); }
#define ENTRY(name, sym) {name, GenFn{sym, sym##_work, sym##_sparsity_in, sym##_n_in}},
#define ROBOT(r, fr) DECL(thunder_##r##_M) DECL(thunder_##r##_tau) DECL(thunder_##r##_G) \
  DECL(thunder_##r##_Cdq) DECL(thunder_##r##_J_com) DECL(thunder_##r##_A_G) DECL(thunder_##r##_Y) \
  DECL(thunder_##r##_T_w_##fr) DECL(thunder_##r##_J_##fr)
#include "robots.inc"
#undef ROBOT
#define ROBOT(r, fr) {#r, {ENTRY("M", thunder_##r##_M) ENTRY("tau", thunder_##r##_tau) \
  ENTRY("G", thunder_##r##_G) ENTRY("Cdq", thunder_##r##_Cdq) ENTRY("J_com", thunder_##r##_J_com) \
  ENTRY("A_G", thunder_##r##_A_G) ENTRY("Y", thunder_##r##_Y) ENTRY("T_w", thunder_##r##_T_w_##fr) \
  ENTRY("J", thunder_##r##_J_##fr)}},
static const std::map<std::string, std::map<std::string, GenFn>> kRobots = {
#include "robots.inc"
};

namespace pin = pinocchio;
using Clock = std::chrono::steady_clock;
static volatile double g_sink = 0;

// One generated function with its work arrays allocated once.
struct CasadiFn {
  GenFn g;
  std::vector<const casadi_real*> arg;
  std::vector<casadi_real*> res;
  std::vector<casadi_int> iw;
  std::vector<casadi_real> w;
  explicit CasadiFn(const GenFn& fn) : g(fn) {
    casadi_int sa, sr, si, sw;
    g.work(&sa, &sr, &si, &sw);
    arg.resize(std::max<casadi_int>(sa, 1));
    res.resize(std::max<casadi_int>(sr, 1));
    iw.resize(std::max<casadi_int>(si, 1));
    w.resize(std::max<casadi_int>(sw, 1));
  }
  void operator()(std::initializer_list<const double*> in, double* out) {
    int i = 0;
    for (auto p : in) arg[i++] = p;
    res[0] = out;
    g.eval(arg.data(), res.data(), iw.data(), w.data(), 0);
  }
};

struct Row { std::string fn, pin_fn; double err, ours_ns[3], pin_ns[3]; int calls; };

static void median3(std::vector<double> v, double* out) {
  std::sort(v.begin(), v.end());
  out[0] = v[v.size() / 2], out[1] = v[v.size() / 4], out[2] = v[(3 * v.size()) / 4];
}

static std::vector<Row> bench_robot(const std::string& name, const std::string& file, int reps,
                                    int nstates, bool& ok) {
  pin::FrameIndex fid;
  const pin::Model model = bench::load_model(file, fid);
  pin::Data data(model);
  const int nq = model.nq, nv = model.nv;
  const auto& fns = kRobots.at(name);
  std::map<std::string, CasadiFn> f;
  for (auto& [k, g] : fns) {
    if (g.sp_in(0)[0] != nq) {
      std::fprintf(stderr, "%s %s: input q has %lld rows, Pinocchio nq %d\n", name.c_str(),
                   k.c_str(), (long long)g.sp_in(0)[0], nq);
      ok = false;
      return {};
    }
    f.emplace(k, CasadiFn(g));
  }

  // states: base position in [-1, 1]^3, uniform random unit quaternion (x, y, z, w), joints
  // uniform within their limits ([-3, 3] where a limit is missing), v and a uniform in [-1, 1]
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> U(-1.0, 1.0);
  std::normal_distribution<double> N;
  std::vector<Eigen::VectorXd> Q(nstates), V(nstates), A(nstates);
  for (int s = 0; s < nstates; ++s) {
    Q[s].resize(nq), V[s].resize(nv), A[s].resize(nv);
    for (int i = 0; i < 3; ++i) Q[s][i] = U(rng);
    Eigen::Vector4d quat(N(rng), N(rng), N(rng), N(rng));
    Q[s].segment<4>(3) = quat.normalized();
    for (int i = 7; i < nq; ++i) {
      double lo = model.lowerPositionLimit[i], hi = model.upperPositionLimit[i];
      if (!(std::isfinite(lo) && std::isfinite(hi)) || hi <= lo || hi - lo > 1e3) lo = -3, hi = 3;
      Q[s][i] = lo + (hi - lo) * 0.5 * (U(rng) + 1.0);
    }
    for (int i = 0; i < nv; ++i) V[s][i] = U(rng), A[s][i] = U(rng);
  }

  // Regressor: Pinocchio orders each body's inertia (Ixx, Ixy, Iyy, Ixz, Iyz, Izz), thunder's
  // par_REG (Ixx, Ixy, Ixz, Iyy, Iyz, Izz): column j of ours is column reg_col(j) of theirs.
  auto reg_col = [](int j) { int k = j % 10, b = j - k; return b + (k == 6 ? 7 : k == 7 ? 6 : k); };
  const int nbody = model.njoints - 1;
  std::vector<double> out(std::max(nv * 10 * nbody, 16 * 6 * nv)), out2(nv);
  // computeFrameJacobian writes only the columns of the frame's supporting joints
  Eigen::Matrix<double, 6, Eigen::Dynamic> Jp = Eigen::MatrixXd::Zero(6, nv);
  auto maxabs = [](const double* a, const double* b, int m) {
    double e = 0;
    for (int i = 0; i < m; ++i) e = std::max(e, std::abs(a[i] - b[i]));
    return e;
  };

  // one entry per benchmarked function: ours, Pinocchio's, and the error of ours at state s
  struct Group { std::string fn, pin_fn; std::function<void(int)> ours, theirs; std::function<double(int)> err; };
  auto q = [&](int s) { return Q[s].data(); };
  auto v = [&](int s) { return V[s].data(); };
  auto a = [&](int s) { return A[s].data(); };
  std::vector<Group> groups = {
      {"T_w_frame", "forwardKinematics + updateFramePlacement",
       [&](int s) { f.at("T_w")({q(s)}, out.data()); },
       [&](int s) { pin::forwardKinematics(model, data, Q[s]); pin::updateFramePlacement(model, data, fid); },
       [&](int s) { Eigen::Matrix4d T = data.oMf[fid].toHomogeneousMatrix(); return maxabs(out.data(), T.data(), 16); }},
      {"J_frame", "computeFrameJacobian (LOCAL_WORLD_ALIGNED)",
       [&](int s) { f.at("J")({q(s)}, out.data()); },
       [&](int s) { pin::computeFrameJacobian(model, data, Q[s], fid, pin::LOCAL_WORLD_ALIGNED, Jp); },
       [&](int s) { return maxabs(out.data(), Jp.data(), 6 * nv); }},
      {"M", "crba", [&](int s) { f.at("M")({q(s)}, out.data()); },
       [&](int s) { pin::crba(model, data, Q[s]); },
       [&](int s) {  // Pinocchio fills the upper triangle
         Eigen::MatrixXd Ms = data.M.triangularView<Eigen::Upper>();
         Ms.triangularView<Eigen::StrictlyLower>() = Ms.transpose();
         return maxabs(out.data(), Ms.data(), nv * nv); }},
      {"tau", "rnea", [&](int s) { f.at("tau")({q(s), v(s), a(s)}, out.data()); },
       [&](int s) { pin::rnea(model, data, Q[s], V[s], A[s]); },
       [&](int s) { return maxabs(out.data(), data.tau.data(), nv); }},
      {"Cdq+G", "nonLinearEffects",  // ours: two calls, Cdq and G, summed
       [&](int s) { f.at("Cdq")({q(s), v(s)}, out.data()); f.at("G")({q(s)}, out2.data());
                    for (int i = 0; i < nv; ++i) out[i] += out2[i]; },
       [&](int s) { pin::nonLinearEffects(model, data, Q[s], V[s]); },
       [&](int s) { return maxabs(out.data(), data.nle.data(), nv); }},
      {"G", "computeGeneralizedGravity", [&](int s) { f.at("G")({q(s)}, out.data()); },
       [&](int s) { pin::computeGeneralizedGravity(model, data, Q[s]); },
       [&](int s) { return maxabs(out.data(), data.g.data(), nv); }},
      {"J_com", "jacobianCenterOfMass", [&](int s) { f.at("J_com")({q(s)}, out.data()); },
       [&](int s) { pin::jacobianCenterOfMass(model, data, Q[s]); },
       [&](int s) { return maxabs(out.data(), data.Jcom.data(), 3 * nv); }},
      {"A_G", "computeCentroidalMap", [&](int s) { f.at("A_G")({q(s)}, out.data()); },
       [&](int s) { pin::computeCentroidalMap(model, data, Q[s]); },
       [&](int s) { return maxabs(out.data(), data.Ag.data(), 6 * nv); }},
      {"Y", "computeJointTorqueRegressor", [&](int s) { f.at("Y")({q(s), v(s), a(s)}, out.data()); },
       [&](int s) { pin::computeJointTorqueRegressor(model, data, Q[s], V[s], A[s]); },
       [&](int s) {
         double e = 0;
         for (int j = 0; j < 10 * nbody; ++j)
           for (int i = 0; i < nv; ++i)
             e = std::max(e, std::abs(out[j * nv + i] - data.jointTorqueRegressor(i, reg_col(j))));
         return e; }},
  };

  std::vector<Row> rows;
  for (auto& g : groups) {
    double err = 0;
    for (int s = 0; s < nstates; ++s) {
      g.ours(s);
      g.theirs(s);
      err = std::max(err, g.err(s));
    }
    if (!(err <= 1e-9)) ok = false;
    // sinks: keep the outputs alive
    auto ours = [&](int s) { g.ours(s); g_sink = g_sink + out[0]; };
    auto theirs = [&](int s) { g.theirs(s); g_sink = g_sink + data.oMi[1].translation()[0]; };
    std::function<void(int)> impl[2] = {ours, theirs};
    // calls per timed block: about 200 us of the slower implementation
    double slowest = 0;
    for (auto& im : impl) {
      for (int s = 0; s < 200; ++s) im(s % nstates);
      auto t0 = Clock::now();
      for (int s = 0; s < 200; ++s) im(s % nstates);
      slowest = std::max(slowest, std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / 200);
    }
    const int K = std::max(8, (int)(200e3 / slowest));
    std::vector<double> t[2];
    for (int r = 0; r < reps; ++r)
      for (int k = 0; k < 2; ++k) {
        const int i = (k + r) % 2;
        auto t0 = Clock::now();
        for (int c = 0; c < K; ++c) impl[i](c % nstates);
        t[i].push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / K);
      }
    Row row{g.fn, g.pin_fn, err, {}, {}, K};
    median3(t[0], row.ours_ns);
    median3(t[1], row.pin_ns);
    std::fprintf(stderr, "%-4s %-9s err %.2g  thunder %8.0f ns  pinocchio %8.0f ns  ratio %.2f\n",
                 name.c_str(), g.fn.c_str(), err, row.ours_ns[0], row.pin_ns[0], row.ours_ns[0] / row.pin_ns[0]);
    rows.push_back(row);
  }
  return rows;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUT.json NAME=MODEL.txt ... [--reps R] [--states N]\n", argv[0]);
    return 2;
  }
  int reps = 101, nstates = 64;
  std::vector<std::pair<std::string, std::string>> robots;
  for (int i = 2; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--reps" && i + 1 < argc) reps = std::atoi(argv[++i]);
    else if (s == "--states" && i + 1 < argc) nstates = std::atoi(argv[++i]);
    else if (s.find('=') != std::string::npos) robots.emplace_back(s.substr(0, s.find('=')), s.substr(s.find('=') + 1));
    else { std::fprintf(stderr, "bench_trees: bad argument %s\n", s.c_str()); return 2; }
  }
  bool ok = true;
  std::ofstream o(argv[1]);
  o << "{\"reps\": " << reps << ", \"states\": " << nstates << ", \"flags\": \"" << BENCH_CFLAGS
    << "\", \"robots\": {";
  for (size_t r = 0; r < robots.size(); ++r) {
    if (!kRobots.count(robots[r].first)) {
      std::fprintf(stderr, "bench_trees: robot %s not compiled in\n", robots[r].first.c_str());
      return 2;
    }
    auto rows = bench_robot(robots[r].first, robots[r].second, reps, nstates, ok);
    o << (r ? ", " : "") << "\"" << robots[r].first << "\": [";
    for (size_t k = 0; k < rows.size(); ++k) {
      const Row& w = rows[k];
      o << (k ? ", " : "") << "\n  {\"fn\": \"" << w.fn << "\", \"pinocchio\": \"" << w.pin_fn
        << "\", \"max_err\": " << w.err << ", \"calls_per_block\": " << w.calls << ", \"thunder_ns\": ["
        << w.ours_ns[0] << ", " << w.ours_ns[1] << ", " << w.ours_ns[2] << "], \"pinocchio_ns\": ["
        << w.pin_ns[0] << ", " << w.pin_ns[1] << ", " << w.pin_ns[2] << "]}";
    }
    o << "]";
  }
  o << "}, \"ok\": " << (ok ? "true" : "false") << "}\n";
  std::fprintf(stderr, "sink %g\n", (double)g_sink);
  return ok ? 0 : 1;
}
