// TEMPORARY STUB -- delete this file when src/thunder/spec/urdf.cpp (the real URDF reader) lands.
// It exists only so that load_robot links on the spec-yaml branch.
#include "thunder/spec/load.h"
#include "thunder/util/error.h"

namespace thunder {

RobotSpec load_urdf(const std::string& path, const LoadOptions&) {
  throw InputError(path, 0, "", "URDF reading is not available in this build yet");
}

}  // namespace thunder
