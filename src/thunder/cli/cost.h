// A cost estimate of `thunder gen` from the joint count, checked before CasADi starts: a 200-joint
// chain would otherwise run for hours and end killed for lack of memory, with no message.
#pragma once

#include <string>

#include "thunder/description/robot_spec.h"

namespace thunder {

struct BuildCost {
  double seconds = 0;   ///< estimated wall time of gen (all functions, one core)
  double mib = 0;       ///< estimated peak memory
};

/// Fitted to bench/RESULTS.md (section 1, generation of n-joint chains of Panda links, all
/// functions): 7 joints 0.55 s / 24 MiB, 15 joints 4.6 s / 125 MiB, 30 joints 33 s / 517 MiB, i.e.
/// time ~ n^2.85 and memory ~ n^2.1 (the Coriolis derivatives C_dot, C_ddot dominate).
BuildCost estimate_build_cost(int joints);

/// Pairs (i, j) of velocities with j = i or j moving i's body (an ancestor's): the entries of M's
/// lower triangle that the tree couples. Most generated functions grow with it (n(n+1)/2 for an
/// n-joint chain, 6 per free-flyer velocity and the legs' own for a quadruped).
long long coupled_velocity_pairs(const RobotSpec& spec);

/// Refuses (std::runtime_error with the estimate and the limit) when the estimate exceeds the
/// memory this machine has available or 30 minutes, unless `ignore` (--ignore-cost).
void check_build_cost(const RobotSpec& spec, bool ignore);

/// "C++ library: about N CPU-s to compile (cmake --build -j)" for `instructions` CasADi
/// instructions of the generated functions: the build's CPU per instruction measured by
/// bench/scale.sh (bench/RESULTS_SCALE.md), linear since large functions compile in chunks.
std::string compile_estimate(long long instructions);

}  // namespace thunder
