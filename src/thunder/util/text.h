// String helpers shared by the exporters and the CLI.
#pragma once

#include <string>

namespace thunder {

/// `s` with every occurrence of `from` (not empty) replaced by `to`, left to right, never
/// rescanning what was put in.
inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t i = s.find(from); !from.empty() && i != std::string::npos; i = s.find(from, i + to.size()))
    s.replace(i, from.size(), to);
  return s;
}

}  // namespace thunder
