// The human-readable summary of a loaded robot (`thunder check`).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "thunder/description/robot_spec.h"

namespace thunder {

/// One parameter set of the generated code: its name, its size and how many entries are symbolic.
struct ParameterSetInfo {
  std::string name;  ///< "par_DYN", ...
  int size = 0;
  int symbolic = 0;
};

/// The parameter sets of `spec`: par_DYN, par_REG, par_Dl, par_K, par_D, par_Dm, par_Mm,
/// par_DHtable (DH joints) or par_origins (URDF joints), par_world2L0, par_Ln2EE, par_gravity.
std::vector<ParameterSetInfo> parameter_sets(const RobotSpec& spec);

void print_summary(const RobotSpec& spec, std::ostream& os);

}  // namespace thunder
