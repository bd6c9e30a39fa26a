// The parameter file (<robot>_par.yaml, format in docs/FUNCTIONS.md): one map per parameter set,
// keyed by element name, values in full double precision. Written with a plain ostream (the
// readers live in the generated C++ class and in thunder_torch).
#pragma once

#include <filesystem>
#include <ostream>
#include <string>

#include "thunder/functions/function_set.h"

namespace thunder {

/// Writes every parameter set of `fs` with its current values to `os`.
void write_par_yaml(const FunctionSet& fs, std::ostream& os);

/// Writes the parameter file `file` (creating its folder). Throws std::runtime_error on I/O
/// errors.
void write_par_yaml(const FunctionSet& fs, const std::filesystem::path& file);

/// One value as the parameter file writes it: %.17g (with a point in the mantissa, "1.0e+20",
/// which YAML 1.1 readers need), and .nan/.inf/-.inf.
std::string yaml_double(double v);

}  // namespace thunder
