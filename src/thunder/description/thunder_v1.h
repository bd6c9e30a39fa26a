// thunder_dynamics 1.0 robot files: a `pipeline` of plugins with one block per plugin (or its keys
// at top level), read into the same RobotSpec as the v0.x layout and URDF.
#pragma once

#include "thunder/description/load.h"
#include "thunder/description/yaml_read.h"

namespace thunder {

/// A file of the 1.0 layout: a `pipeline` key or a block of one of its loaders.
bool is_thunder_v1_layout(const YamlNode& root);

RobotSpec load_thunder_v1_yaml(const YamlReader& r, const YamlNode& root, const LoadOptions& options);

}  // namespace thunder
