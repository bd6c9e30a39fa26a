#include "thunder/cli/cost.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace thunder {
namespace {

constexpr double kMaxSeconds = 30 * 60;

/// MemAvailable of /proc/meminfo in MiB, or 0 when unknown (then only the time limit applies).
double available_mib() {
  std::ifstream is("/proc/meminfo");
  std::string key;
  double kib = 0;
  std::string unit;
  while (is >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib / 1024;
  return 0;
}

std::string amount(double mib) {
  char buf[64];
  if (mib >= 1024) std::snprintf(buf, sizeof buf, "%.1f GiB", mib / 1024);
  else std::snprintf(buf, sizeof buf, "%.0f MiB", mib);
  return buf;
}

std::string duration(double s) {
  char buf[64];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
  else std::snprintf(buf, sizeof buf, "%.0f s", s);
  return buf;
}

}  // namespace

BuildCost estimate_build_cost(int joints) {
  const double r = joints / 30.0;
  return {33.0 * std::pow(r, 2.85), 517.0 * std::pow(r, 2.1)};
}

long long coupled_velocity_pairs(const RobotSpec& spec) {
  // A mimic joint has no velocity of its own; its master's couples through it, which this
  // estimate leaves out.
  auto dofs = [&](int j) { return spec.joints[j].mimic < 0 ? joint_nv(spec.joints[j].type) : 0; };
  long long pairs = 0;
  for (int i = 0; i < spec.n(); ++i) {
    long long above = 0;  // velocities of i's ancestors, i included
    for (int a = i; a >= 0; a = spec.joints[a].parent) above += dofs(a);
    const int own = dofs(i);
    pairs += own * above - own * (own - 1) / 2;  // a free-flyer's 6 x 6 block counts its lower triangle
  }
  return pairs;
}

void check_build_cost(const RobotSpec& spec, bool ignore) {
  const BuildCost c = estimate_build_cost(spec.n());
  const double avail = available_mib();
  const bool too_slow = c.seconds > kMaxSeconds;
  const bool too_big = avail > 0 && c.mib > avail;
  if (ignore || (!too_slow && !too_big)) return;
  std::string limit = too_big ? "this machine has " + amount(avail) + " of memory available"
                              : "the limit is " + duration(kMaxSeconds);
  throw std::runtime_error(spec.name + " has " + std::to_string(spec.n()) + " joints: generating its functions is "
                           "estimated to take " + duration(c.seconds) + " and " + amount(c.mib) +
                           " of memory (measured: 30 joints take 33 s and 517 MiB, growing as n^2.85 and "
                           "n^2.1), and " + limit + ". Pass --ignore-cost to generate anyway");
}

}  // namespace thunder

namespace thunder {

std::string compile_estimate(long long instructions) {
  // bench/RESULTS_SCALE.md: 150-240 us of compiler CPU per instruction for whole default
  // libraries (-O2, the large functions in -O1 chunks; Panda 229, anymal_c 221-242, g1 167-205,
  // talos_full_v2 153, romeo 151, tiago_dual 188), plus ~15 s for the wrapper class (Eigen, yaml-cpp).
  const double cpu = 15.0 + 220e-6 * static_cast<double>(instructions);
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(0);
  s << "C++ library: about " << cpu << " CPU-s to compile (cmake --build -j: divided by the cores)";
  return s.str();
}

}  // namespace thunder
