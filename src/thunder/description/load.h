// Reading robot descriptions into a validated RobotSpec.
#pragma once

#include <string>
#include <vector>

#include "thunder/description/robot_spec.h"

namespace thunder {

struct LoadOptions {
  std::string name;       ///< robot name; default: the file's stem
  std::string base_link;  ///< URDF: base link of the model (default: the root); joints above it are locked
  /// URDF: end-effector link (default: the tip of an unbranched chain, else none). The model is
  /// the serial chain base_link -> ee_link (as thunder_dynamics' base_link/ee_link): every joint
  /// off it is locked at its neutral position and its links' mass stays in the model.
  std::string ee_link;
  bool floating_base = false;              ///< URDF: the base is a free flyer
  std::vector<std::string> locked_joints;  ///< URDF: joints locked at their neutral position
  bool strict = false;    ///< physical-consistency warnings and unknown keys become errors
  /// finish_loading judges physical consistency later (a --par file still has to be applied).
  bool defer_physical_checks = false;
  bool coulomb = false;   ///< --coulomb: Coulomb friction on (Dc from the file, else 0)
  double coulomb_smoothing = -1;  ///< --coulomb-smoothing: >= 0 overrides the file's
};

/// A robot name usable as a file stem and, with '-' as '_', in C and CasADi names: ASCII letters
/// and digits separated by single '_' or '-', starting with a letter and ending with a letter or
/// digit. Empty if `name` is one, else why not.
std::string robot_name_problem(const std::string& name);

/// `name` made into such a name (other characters, a UTF-8 sequence counting as one, become '_';
/// runs of separators become one; leading and trailing ones go; a name that does not start with a
/// letter gets a "robot_" prefix; empty becomes "robot").
std::string sanitize_robot_name(const std::string& name);

/// Loads a thunder YAML robot file or a URDF (chosen by extension, `.urdf`/`.xml` or
/// `.yaml`/`.yml`). Throws InputError naming file, line and field on any invalid input.
RobotSpec load_robot(const std::string& path, const LoadOptions& options = {});

RobotSpec load_thunder_yaml(const std::string& path, const LoadOptions& options = {});
RobotSpec load_urdf(const std::string& path, const LoadOptions& options = {});

/// Overwrites link inertial values (and friction) from a parameter file in any of thunder's
/// layouts (inertial_file.cpp): `franka_inertial.yaml` (linkK.origin.xyz = CoM, linkK.mass,
/// linkK.inertia.{xx..}, linkK.friction.{d1,d2}, end_effector with use_EE), the flat
/// linkK.{mass, CoM_x, .., Izz} or saved par_REG linkK.{mass, m_CoM_x, .., Izz}, possibly under
/// `dynamics:`/`inertial:` and linkK.inertial. A link is linkK (then every link is required) or
/// its own URDF name (then links left out keep their values); friction left out keeps the robot's;
/// a key naming no link is an error. Symbolic flags are kept.
void apply_inertial_file(RobotSpec& spec, const std::string& path);

/// A link's inertial parameters in thunder files, in par_DYN's order (inertia about the CoM).
extern const char* const kInertialKeys[10];

class YamlReader;
struct YamlNode;
/// The same, from the map `block` of an already parsed file (the v0.1 layout keeps it inline);
/// unless `overlay`, every link must give its friction coefficients (spec.Dl_order of them).
void apply_inertial_block(RobotSpec& spec, const YamlReader& r, const YamlNode& block, bool overlay = false);

/// Applies the end of loading common to all formats: physical warnings, or errors with strict.
void finish_loading(RobotSpec& spec, const LoadOptions& options);

}  // namespace thunder
