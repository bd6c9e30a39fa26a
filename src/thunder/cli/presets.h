// Presets of `thunder gen --functions` (issue 23): families of function names, so that a user
// asks for "kinematics,M" instead of listing forty names, and frames the default leaves out.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "thunder/description/robot_spec.h"

namespace thunder {

/// The presets and what each selects, for --help.
const std::vector<std::pair<std::string, std::string>>& function_presets();

/// Every function name (with <frame>, <o> placeholders) by family, for --help.
std::string function_names_help();

/// Splits --functions into explicit names (kept: the builder rejects unknown ones) and a predicate
/// that is true for the names of the presets in the list (empty function when there is none).
std::function<bool(const std::string&)> preset_selector(std::vector<std::string>& names);

/// The default set of a large URDF model (`large_model_pairs`): every function but the regressors
/// and the time derivatives, whose code grows fastest with the tree (C_ddot, reg_C, ...).
bool in_large_model_default(const std::string& name);

/// A URDF whose mass matrix couples more velocity pairs than this gets `in_large_model_default`
/// when --functions is not given. tiago_dual (1,557 pairs) took 8.2 min from URDF to C++ library
/// on 2 cores with every function and 4.4-4.7 without those families, romeo (718) 2.2 min with
/// every function (bench/RESULTS_SCALE.md). Thunder files keep every name they had.
/// THUNDER_LARGE_MODEL_PAIRS overrides it (tests use a small robot).
long long large_model_pairs();

/// The frames that get T_w_ / J_ functions by default: `frames` (the builder's default: end
/// effector and leaves) without massless sensor, camera, IMU, logo and rotor links, which are
/// leaves of many URDFs (g1: d435_link, imu_in_torso, logo_link, mid360_link; go1: *_rotor) but
/// no control target. A name left out is still available through --frames.
std::vector<std::string> control_frames(const std::vector<std::string>& frames);

}  // namespace thunder
