// CasADi exporter: every function of a FunctionSet serialized as OUT/casadi/<name>.casadi,
// loadable with casadi.Function.load (Python) or casadi::Function::load (C++); input and output
// names are kept.
#pragma once

#include <filesystem>

#include "thunder/functions/function_set.h"

namespace thunder {

/// Writes `out_dir/casadi/<name>.casadi` for every function (creating the folders).
/// Throws std::runtime_error when a file cannot be written.
void export_casadi(const FunctionSet& fs, const std::filesystem::path& out_dir);

}  // namespace thunder
