// `thunder convert`: a v0.x thunder robot file written in the thunder_dynamics 1.0 layout.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "thunder/description/robot_spec.h"

namespace thunder {

/// Writes `spec` (loaded from a v0.x file: a modified-DH chain) as a 1.0 file with dh_loader,
/// dyn_loader and, for elastic joints, soft_loader, keeping values (to 17 digits) and symb flags.
/// dh_loader's nodes shift the friction: node link<k> holds the friction of joint k + 1.
/// Returns what the 1.0 layout cannot hold (Coulomb friction), as warnings.
std::vector<std::string> write_v1_yaml(const RobotSpec& spec, std::ostream& os);

}  // namespace thunder
