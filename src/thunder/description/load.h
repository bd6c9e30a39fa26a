// Reading robot descriptions into a validated RobotSpec.
#pragma once

#include <string>
#include <vector>

#include "thunder/description/robot_spec.h"

namespace thunder {

struct LoadOptions {
  std::string name;       ///< robot name; default: the file's stem
  std::string base_link;  ///< URDF: base link of the model (default: the root); joints above it are locked
  std::string ee_link;    ///< URDF: end-effector link (default: the tip of an unbranched chain, else none)
  bool floating_base = false;              ///< URDF: the base is a free flyer
  std::vector<std::string> locked_joints;  ///< URDF: joints locked at their neutral position
  bool strict = false;    ///< physical-consistency warnings become errors
  bool coulomb = false;   ///< --coulomb: Coulomb friction on (Dc from the file, else 0)
  double coulomb_smoothing = -1;  ///< --coulomb-smoothing: >= 0 overrides the file's
};

/// Loads a thunder YAML robot file or a URDF (chosen by extension, `.urdf`/`.xml` or
/// `.yaml`/`.yml`). Throws InputError naming file, line and field on any invalid input.
RobotSpec load_robot(const std::string& path, const LoadOptions& options = {});

RobotSpec load_thunder_yaml(const std::string& path, const LoadOptions& options = {});
RobotSpec load_urdf(const std::string& path, const LoadOptions& options = {});

/// Overwrites link inertial values (and friction) from a parameter file in the
/// `franka_inertial.yaml` format (linkK.origin.xyz = CoM, linkK.mass, linkK.inertia.{xx..},
/// linkK.friction.{d1,d2}, end_effector with use_EE). Symbolic flags are kept.
void apply_inertial_file(RobotSpec& spec, const std::string& path);

/// Applies the end of loading common to all formats: physical warnings, or errors with strict.
void finish_loading(RobotSpec& spec, const LoadOptions& options);

}  // namespace thunder
