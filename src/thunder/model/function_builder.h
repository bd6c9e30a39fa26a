// From a RobotSpec to the FunctionSet of docs/FUNCTIONS.md.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "thunder/functions/function_set.h"
#include "thunder/model/parameters.h"
#include "thunder/description/robot_spec.h"

namespace thunder {

/// Which construction gives the output C (C_std is always the Christoffel one).
enum class CoriolisConstruction {
  Auto,         ///< the one with fewer instructions (Christoffel on small robots)
  Christoffel,  ///< Christoffel symbols of the first kind of M
  Recursive,    ///< the Coriolis recursion (algorithm/coriolis.h, Echeandia & Wensing 2021)
};

/// One --contacts entry: a frame (a name of RobotSpec::frames) and the rows it constrains, 3 (a
/// point contact: linear) or 6 (a flat contact: [linear; angular]).
struct ContactFrame {
  std::string frame;
  int dim = 3;
};

struct BuildOptions {
  ParameterOptions parameters;
  CoriolisConstruction coriolis = CoriolisConstruction::Auto;
  /// Only these functions (empty: all). Unknown names are an error.
  std::vector<std::string> only;
  /// Also every function this is true for (the CLI's --functions presets); with `only` empty and
  /// no `select`, every function is built.
  std::function<bool(const std::string&)> select;
  /// Frames that get T_w_<frame> and J_<frame> (names of RobotSpec::frames, or "ee"); empty:
  /// default_frames(spec).
  std::vector<std::string> frames;
  /// Also J_<frame>_dot for those frames.
  bool frame_derivatives = false;
  /// Frames that also get J_<frame>_dot, J_<frame>_ddot and J_<frame>_pinv (thunder 1.0's
  /// `derivatives` nodes); each must be one of `frames`.
  std::vector<std::string> derivative_frames;
  /// Contact frames, in row order: the functions of contact_function_names().
  std::vector<ContactFrame> contacts;
  /// Also the C++ exporter's second construction of functions with M⁻¹ B outputs
  /// (FunctionInfo::solve): only a C++ target uses it.
  bool factored_solves = true;
  /// One line per built function (name, instruction count, seconds).
  std::function<void(const std::string&)> progress;
};

/// The functions that --contacts adds (and that need it): p_contact, J_contact, gamma_contact,
/// FD_contact, impulse_contact, step_contact, FD_contact_derivatives.
const std::set<std::string>& contact_function_names();

FunctionSet build_function_set(const RobotSpec& spec, const BuildOptions& options = {});

/// The frames that get functions by default: the end effector of a robot that has one, and
/// every leaf frame of a tree moved by a joint other than the floating base (feet, hands).
std::vector<std::string> default_frames(const RobotSpec& spec);

/// Names of every function build_function_set can produce for this robot, in build order.
std::vector<std::string> available_functions(const RobotSpec& spec);

}  // namespace thunder
