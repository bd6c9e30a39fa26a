// The human-readable summary of a loaded robot (`thunder check`).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "thunder/description/robot_spec.h"

namespace thunder {

void print_summary(const RobotSpec& spec, std::ostream& os);

}  // namespace thunder
