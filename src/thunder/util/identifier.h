// Names made C identifiers: what generated symbols (C functions, torch methods) are built from.
#pragma once

#include <cctype>
#include <string>

namespace thunder {

/// `name` as a piece of a generated name (T_w_<id>, J_<id>_dot): every character other than an
/// ASCII letter or digit becomes '_', runs of '_' become one and leading/trailing ones go, because
/// CasADi refuses a function name with "__" (Function::check_name) and the pieces are joined by
/// '_'. Any valid URDF name maps to one ("flying_arm_5__gripper" -> "flying_arm_5_gripper"); the
/// original stays in the manifest. A name with no letter or digit gives "frame".
inline std::string identifier_of(const std::string& name) {
  std::string id;
  for (char c : name) {
    const bool keep = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (keep) id += c;
    else if (!id.empty() && id.back() != '_') id += '_';
  }
  while (!id.empty() && id.back() == '_') id.pop_back();
  return id.empty() ? "frame" : id;
}

}  // namespace thunder
