// Number formatting shared by human-readable messages.
#pragma once

#include <cstdio>
#include <string>

namespace thunder {

/// A number for messages and summaries: %.6g.
inline std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace thunder
