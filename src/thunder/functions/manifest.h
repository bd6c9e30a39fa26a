// manifest.json: the FunctionSet's metadata beside the generated functions, so that any backend
// can be driven from the manifest alone (schema in docs/FUNCTIONS.md).
#pragma once

#include <filesystem>
#include <ostream>

#include "thunder/functions/function_set.h"

namespace thunder {

/// Writes the manifest of `fs` (schema "thunder_manifest": 1) to `os`.
void write_manifest(const FunctionSet& fs, std::ostream& os);

/// Writes `out_dir/manifest.json` (creating `out_dir`). Each function's "file" is
/// "casadi/<name>.casadi", as written by export_casadi. Throws std::runtime_error on I/O errors.
void write_manifest(const FunctionSet& fs, const std::filesystem::path& out_dir);

}  // namespace thunder
