// Pinocchio looped over a batch of states with OpenMP: the fair CPU baseline of the native batched
// kernels (bench/kernel_bench.py). One pinocchio::Data per thread, created before timing; the
// states are split statically over the threads, and every result is copied into a (batch, size)
// output array, as the kernels write theirs.
//
//   pin_batch MODEL.txt OUT.json [--batch B] [--reps R] [--ee FRAME]     (threads: OMP_NUM_THREADS)
// Functions: M = crba (upper triangle, mirrored), C = computeCoriolisMatrix,
// G = computeGeneralizedGravity, Yr = computeJointTorqueRegressor (the regressor of tau(q, dq, ddq):
// what Pinocchio has for Yr), J_ee = computeFrameJacobian(LOCAL_WORLD_ALIGNED), tau = rnea.
// Reported: the median over R repetitions of evaluations per second (wall clock; with one thread,
// the thread's CPU time, which other processes on a shared machine do not inflate).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <ctime>
#include <vector>

#include <pinocchio/algorithm/aba.hpp>
#include <pinocchio/algorithm/crba.hpp>
#include <pinocchio/algorithm/frames.hpp>
#include <pinocchio/algorithm/jacobian.hpp>
#include <pinocchio/algorithm/kinematics.hpp>
#include <pinocchio/algorithm/model.hpp>
#include <pinocchio/algorithm/regressor.hpp>
#include <pinocchio/algorithm/rnea.hpp>
#include <pinocchio/algorithm/compute-all-terms.hpp>
#include <pinocchio/serialization/model.hpp>

namespace pin = pinocchio;
using Clock = std::chrono::steady_clock;

static double thread_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL.txt OUT.json [--batch B] [--reps R] [--ee FRAME]\n", argv[0]);
    return 2;
  }
  std::string ee = "panda_hand";
  long batch = 4096;
  int reps = 15;
  for (int i = 3; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--batch") batch = std::atol(argv[i + 1]);
    else if (a == "--reps") reps = std::atoi(argv[i + 1]);
    else if (a == "--ee") ee = argv[i + 1];
  }
  pin::Model model;
  model.loadFromText(argv[1]);
  const int n = model.nv;
  const pin::FrameIndex fid = model.getFrameId(ee);
  const int threads = omp_get_max_threads();
  std::vector<pin::Data> datas(threads, pin::Data(model));
  std::vector<Eigen::Matrix<double, 6, Eigen::Dynamic>> jac(threads, Eigen::Matrix<double, 6, Eigen::Dynamic>(6, n));

  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> U(-1.0, 1.0);
  std::vector<Eigen::VectorXd> Q(batch, Eigen::VectorXd(n)), DQ(batch, Eigen::VectorXd(n)),
      DDQ(batch, Eigen::VectorXd(n));
  for (long s = 0; s < batch; ++s)
    for (int i = 0; i < n; ++i) Q[s][i] = 2 * U(rng), DQ[s][i] = U(rng), DDQ[s][i] = U(rng);
  std::vector<double> out(static_cast<size_t>(batch) * 10 * n * n);

  struct Fn {
    const char* name;
    int size;
    std::function<void(pin::Data&, int, long, double*)> eval;  // data, thread, state, output
  };
  const std::vector<Fn> fns = {
      {"M", n * n, [&](pin::Data& d, int, long s, double* y) {
         pin::crba(model, d, Q[s]);
         d.M.triangularView<Eigen::StrictlyLower>() = d.M.transpose();
         std::copy(d.M.data(), d.M.data() + n * n, y);
       }},
      {"C", n * n, [&](pin::Data& d, int, long s, double* y) {
         pin::computeCoriolisMatrix(model, d, Q[s], DQ[s]);
         std::copy(d.C.data(), d.C.data() + n * n, y);
       }},
      {"G", n, [&](pin::Data& d, int, long s, double* y) {
         pin::computeGeneralizedGravity(model, d, Q[s]);
         std::copy(d.g.data(), d.g.data() + n, y);
       }},
      {"Yr", 10 * n * n, [&](pin::Data& d, int, long s, double* y) {
         pin::computeJointTorqueRegressor(model, d, Q[s], DQ[s], DDQ[s]);
         std::copy(d.jointTorqueRegressor.data(), d.jointTorqueRegressor.data() + 10 * n * n, y);
       }},
      {"J_ee", 6 * n, [&](pin::Data& d, int t, long s, double* y) {
         jac[t].setZero();
         pin::computeFrameJacobian(model, d, Q[s], fid, pin::LOCAL_WORLD_ALIGNED, jac[t]);
         std::copy(jac[t].data(), jac[t].data() + 6 * n, y);
       }},
      {"tau", n, [&](pin::Data& d, int, long s, double* y) {
         pin::rnea(model, d, Q[s], DQ[s], DDQ[s]);
         std::copy(d.tau.data(), d.tau.data() + n, y);
       }},
      {"FD", n, [&](pin::Data& d, int, long s, double* y) {   // DDQ as the joint torques
         pin::aba(model, d, Q[s], DQ[s], DDQ[s]);
         std::copy(d.ddq.data(), d.ddq.data() + n, y);
       }},
  };
  FILE* f = std::fopen(argv[2], "w");
  if (!f) return 1;
  std::fprintf(f, "{\"threads\": %d, \"batch\": %ld, \"evals_per_s\": {", threads, batch);
  for (size_t k = 0; k < fns.size(); ++k) {
    const Fn& fn = fns[k];
    std::vector<double> rates;
    for (int r = 0; r < reps + 1; ++r) {
      const auto t0 = Clock::now();
      const double c0 = thread_seconds();
#pragma omp parallel
      {
        const int t = omp_get_thread_num();
#pragma omp for schedule(static)
        for (long s = 0; s < batch; ++s) fn.eval(datas[t], t, s, out.data() + s * fn.size);
      }
      const double dt = threads == 1 ? thread_seconds() - c0
                                     : std::chrono::duration<double>(Clock::now() - t0).count();
      if (r > 0) rates.push_back(batch / dt);  // the first repetition warms caches up
    }
    std::sort(rates.begin(), rates.end());
    std::fprintf(f, "%s\"%s\": %.6g", k ? ", " : "", fn.name, rates[rates.size() / 2]);
    std::fprintf(stderr, "pin_batch %-5s %d threads: %.3g evals/s\n", fn.name, threads, rates[rates.size() / 2]);
  }
  std::fprintf(f, "}}\n");
  std::fclose(f);
  return 0;
}
