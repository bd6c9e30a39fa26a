// "Did you mean" for a name the user mistyped (an option, a function, a parameter element).
#pragma once

#include <string>
#include <vector>

namespace thunder {

/// The candidate closest to `name` (edit distance, case-insensitive; a candidate that contains
/// `name` or is contained in it also counts) as " (did you mean 'X'?)", or "" when none is close.
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

/// Levenshtein distance of `a` and `b`, case-insensitive.
size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace thunder
