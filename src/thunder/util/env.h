#pragma once
// Tuning knobs read from the environment (chunk sizes of the emitters).

#include <cstdlib>

namespace thunder {

/// The non-negative integer in environment variable `name`, or `fallback` when it is unset,
/// empty or not such an integer.
inline long long env_count(const char* name, long long fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const long long x = std::strtoll(v, &end, 10);
  return (end && *end == 0 && x >= 0) ? x : fallback;
}

}  // namespace thunder
