// Per-call latency, one thread: Thunder's generated FD, M_inv, tau_derivatives, FD_derivatives
// against Pinocchio's aba, computeMinverse, computeRNEADerivatives, computeABADerivatives on the
// same robot and states (a fixed or free-flyer root; joint order and q layout must be the same,
// which the agreement check verifies first). Interleaved repetitions, medians. JSON to argv[2].
//
//   bench_dynamics MODEL.txt OUT.json [--reps R] [--states N]   (MODEL.txt: bench/trees/pin_tree_model.py)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <pinocchio/algorithm/aba-derivatives.hpp>
#include <pinocchio/algorithm/aba.hpp>
#include <pinocchio/algorithm/joint-configuration.hpp>
#include <pinocchio/algorithm/rnea-derivatives.hpp>
#include <pinocchio/algorithm/rnea.hpp>
#include <pinocchio/multibody/data.hpp>
#include <pinocchio/multibody/model.hpp>

#include "../trees/model_io.hpp"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define TH(fn) CAT(CAT(CAT(thunder_, THUNDER_ROBOT), _), fn)
#define STR_(x) #x
#define STR(x) STR_(x)
#define TH_HDR(fn) STR(CAT(CAT(CAT(thunder_, THUNDER_ROBOT), _), fn).h)
#include TH_HDR(FD)
#include TH_HDR(M_inv)
#include TH_HDR(tau_derivatives)
#include TH_HDR(FD_derivatives)
#include "../cpp/casadi_fn.hpp"

using Clock = std::chrono::steady_clock;
namespace pin = pinocchio;
static volatile double g_sink = 0;

static Eigen::MatrixXd symmetric_from_upper(const Eigen::MatrixXd& A) {
  Eigen::MatrixXd S = A.triangularView<Eigen::Upper>();
  S.triangularView<Eigen::StrictlyLower>() = S.transpose();
  return S;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL.txt OUT.json [--reps R] [--states N]\n", argv[0]);
    return 2;
  }
  int reps = 51, nstates = 32;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--reps") reps = std::atoi(argv[i + 1]);
    else if (a == "--states") nstates = std::atoi(argv[i + 1]);
  }
  pin::FrameIndex frame_id;
  const pin::Model model = bench::load_model(argv[1], frame_id);
  pin::Data data(model);
  const int nq = model.nq, nv = model.nv;
  const bool floating = model.joints[1].shortname() == "JointModelFreeFlyer";
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> U(-1.0, 1.0);
  std::vector<Eigen::VectorXd> Q(nstates), V(nstates), A(nstates), T(nstates);
  for (int s = 0; s < nstates; ++s) {
    Q[s] = Eigen::VectorXd(nq);
    for (int i = 0; i < nq; ++i) Q[s][i] = U(rng);
    if (floating) Q[s].segment<4>(3).normalize();
    V[s] = Eigen::VectorXd::NullaryExpr(nv, [&] { return U(rng); });
    A[s] = Eigen::VectorXd::NullaryExpr(nv, [&] { return U(rng); });
    T[s] = Eigen::VectorXd::NullaryExpr(nv, [&] { return 5 * U(rng); });
  }
  CasadiFn fFD(TH(FD), TH(FD_work)), fMinv(TH(M_inv), TH(M_inv_work)),
      fRD(TH(tau_derivatives), TH(tau_derivatives_work)), fAD(TH(FD_derivatives), TH(FD_derivatives_work));
  Eigen::VectorXd o1(nv);
  Eigen::MatrixXd o2(nv, nv), o3(nv, nv), o4(nv, nv);
  Eigen::MatrixXd dq(nv, nv), dv(nv, nv), da(nv, nv);

  // ---- agreement: the generated functions are the reference quantities of Pinocchio
  double eFD = 0, eMinv = 0, eRD = 0, eAD = 0;
  auto err = [](const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) { return (a - b).cwiseAbs().maxCoeff(); };
  for (int s = 0; s < nstates; ++s) {
    pin::aba(model, data, Q[s], V[s], T[s]);
    fFD({Q[s].data(), V[s].data(), T[s].data()}, {o1.data()});
    eFD = std::max(eFD, err(o1, data.ddq));
    pin::computeMinverse(model, data, Q[s]);
    fMinv({Q[s].data()}, {o2.data()});
    eMinv = std::max(eMinv, err(o2, symmetric_from_upper(data.Minv)));
    dq.setZero(); dv.setZero(); da.setZero();
    pin::computeRNEADerivatives(model, data, Q[s], V[s], A[s], dq, dv, da);
    fRD({Q[s].data(), V[s].data(), A[s].data()}, {o1.data(), o2.data(), o3.data()});
    eRD = std::max({eRD, err(o1, data.tau), err(o2, dq), err(o3, dv)});
    pin::computeABADerivatives(model, data, Q[s], V[s], T[s]);
    fAD({Q[s].data(), V[s].data(), T[s].data()}, {o1.data(), o2.data(), o3.data(), o4.data()});
    eAD = std::max({eAD, err(o1, data.ddq), err(o2, data.ddq_dq), err(o3, data.ddq_dv),
                    err(o4, symmetric_from_upper(data.Minv))});
  }
  struct Group {
    std::string name;
    double err;
    std::function<void(int)> ours, theirs;
  };
  std::vector<Group> groups = {
      {"FD (aba)", eFD, [&](int s) { fFD({Q[s].data(), V[s].data(), T[s].data()}, {o1.data()}); g_sink = g_sink + o1[0]; },
       [&](int s) { pin::aba(model, data, Q[s], V[s], T[s]); g_sink = g_sink + data.ddq[0]; }},
      {"M_inv (computeMinverse)", eMinv, [&](int s) { fMinv({Q[s].data()}, {o2.data()}); g_sink = g_sink + o2(0, 0); },
       [&](int s) { pin::computeMinverse(model, data, Q[s]); g_sink = g_sink + data.Minv(0, 0); }},
      {"tau_derivatives (computeRNEADerivatives)", eRD,
       [&](int s) { fRD({Q[s].data(), V[s].data(), A[s].data()}, {o1.data(), o2.data(), o3.data()}); g_sink = g_sink + o2(0, 0); },
       [&](int s) { pin::computeRNEADerivatives(model, data, Q[s], V[s], A[s], dq, dv, da); g_sink = g_sink + dq(0, 0); }},
      {"FD_derivatives (computeABADerivatives)", eAD,
       [&](int s) { fAD({Q[s].data(), V[s].data(), T[s].data()}, {o1.data(), o2.data(), o3.data(), o4.data()}); g_sink = g_sink + o2(0, 0); },
       [&](int s) { pin::computeABADerivatives(model, data, Q[s], V[s], T[s]); g_sink = g_sink + data.ddq_dq(0, 0); }},
  };
  bool ok = true;
  std::ofstream out(argv[2]);
  out << "{\"nq\": " << nq << ", \"nv\": " << nv << ", \"floating\": " << (floating ? "true" : "false")
      << ", \"flags\": \"" << BENCH_CFLAGS << "\", \"rows\": [\n";
  for (size_t g = 0; g < groups.size(); ++g) {
    Group& G = groups[g];
    if (!(G.err <= 1e-8)) ok = false;
    std::function<void(int)> impl[2] = {G.ours, G.theirs};
    double slowest = 0;
    for (auto& f : impl) {
      for (int s = 0; s < 200; ++s) f(s % nstates);
      const auto t0 = Clock::now();
      for (int s = 0; s < 200; ++s) f(s % nstates);
      slowest = std::max(slowest, std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / 200);
    }
    const int K = std::max(8, static_cast<int>(200e3 / slowest));
    std::vector<double> t[2];
    for (int r = 0; r < reps; ++r)
      for (int k = 0; k < 2; ++k) {
        const int i = (k + r) % 2;
        const auto t0 = Clock::now();
        for (int c = 0; c < K; ++c) impl[i](c % nstates);
        t[i].push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / K);
      }
    double med[2];
    for (int i = 0; i < 2; ++i) {
      std::sort(t[i].begin(), t[i].end());
      med[i] = t[i][t[i].size() / 2];
    }
    std::fprintf(stderr, "%-42s thunder %8.0f ns  pinocchio %8.0f ns  ratio %.2f  max err %.2g\n", G.name.c_str(),
                 med[0], med[1], med[0] / med[1], G.err);
    out << "  {\"fn\": \"" << G.name << "\", \"thunder_ns\": " << med[0] << ", \"pinocchio_ns\": " << med[1]
        << ", \"max_err\": " << G.err << "}" << (g + 1 < groups.size() ? "," : "") << "\n";
  }
  out << "], \"ok\": " << (ok ? "true" : "false") << "}\n";
  std::fprintf(stderr, "sink %g\n", static_cast<double>(g_sink));
  return ok ? 0 : 1;
}
