// Frames whose generated names (T_w_<id>, J_<id>) would collide, found before any work.
#pragma once

#include <string>
#include <vector>

#include "thunder/description/robot_spec.h"

namespace thunder {

/// Throws InputError naming both frames when two of `frames` (the ones gen builds) map to the same
/// identifier; `chosen` says whether they came from --frames (else: the default frames).
void check_frame_identifiers(const RobotSpec& spec, const std::vector<std::string>& frames, bool chosen);

}  // namespace thunder
