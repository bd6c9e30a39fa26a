// load_robot: chooses the reader by file extension.
#include <cctype>
#include <string>

#include "thunder/description/load.h"
#include "thunder/util/error.h"

namespace thunder {

RobotSpec load_robot(const std::string& path, const LoadOptions& options) {
  const size_t slash = path.find_last_of('/');
  const size_t dot = path.find_last_of('.');
  std::string ext;
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) ext = path.substr(dot);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".yaml" || ext == ".yml") return load_thunder_yaml(path, options);
  if (ext == ".urdf" || ext == ".xml") {
    // URDF has no Coulomb coefficients: --coulomb gives every link Dc = 0 (flag it --symb Dc).
    RobotSpec spec = load_urdf(path, options);
    spec.coulomb_friction = options.coulomb;
    if (options.coulomb_smoothing >= 0) spec.coulomb_smoothing = options.coulomb_smoothing;
    for (Link& l : spec.links)
      if (l.coulomb.field.empty()) l.coulomb.field = l.name + ".Dc";
    return spec;
  }
  throw InputError(path, 0, "",
                   "unknown robot file type '" + ext +
                       "'; expected .yaml/.yml (thunder YAML) or .urdf/.xml (URDF)");
}

}  // namespace thunder
