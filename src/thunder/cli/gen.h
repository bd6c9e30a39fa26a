// `thunder gen`: the code-generation entry point called by the CLI after loading the robot.
#pragma once

#include <string>
#include <vector>

#include "thunder/description/robot_spec.h"
#include "thunder/model/function_builder.h"

namespace thunder {

struct GenOptions {
  std::string out_dir;                       ///< -o; the CLI defaults it to "gen/<robot name>"
  std::vector<std::string> symbolic_sets;    ///< --symb: names from known_parameter_sets(), no "par_" prefix
  std::vector<std::string> targets;          ///< --targets: names from known_targets(); empty = default
  bool pytorch = false;                      ///< --pytorch
  bool native = false;                       ///< --native (same as adding "native" to targets)
  int native_opt = 2;                        ///< --native-opt: -O level of the native kernels
  bool native_cuda = true;                   ///< false with --no-cuda: skip OUT/native/cuda/
  std::string coriolis = "auto";             ///< --coriolis: auto, christoffel or recursive
  bool force = false;                        ///< --force: write into a non-empty folder that is not a
                                             ///< thunder output, replace files thunder did not write
  int verbosity = 1;                         ///< 0 with -q (errors and warnings only), 2 with -v
  bool ignore_cost = false;                  ///< --ignore-cost: build even when the estimate is too large
  std::string native_kernels = "simd";       ///< --native-kernels: "simd" or "scalar" CPU kernels
  std::vector<std::string> frames;           ///< --frames; empty = default_frames(spec)
  bool frame_derivatives = false;            ///< --frame-derivatives
  std::vector<std::string> functions;        ///< --functions; empty = all
  std::vector<ContactFrame> contacts;        ///< --contacts
};

/// Parameter sets that --symb accepts (written without the "par_" prefix; the CLI strips it).
inline const std::vector<std::string>& known_parameter_sets() {
  static const std::vector<std::string> sets = {"DYN", "REG",     "Dl",      "Dc",       "K",     "D",      "Dm",
                                                "Mm",  "DHtable", "origins", "world2L0", "Ln2EE", "gravity"};
  return sets;
}

/// Exporters that --targets accepts.
inline const std::vector<std::string>& known_targets() {
  static const std::vector<std::string> targets = {"cpp", "casadi", "torch", "native"};
  return targets;
}

/// Generates code for `spec` into options.out_dir (see output_dir.h for what happens to an existing
/// folder); returns the process exit code (0 on success). Errors may be thrown (InputError,
/// std::exception): the CLI prints them as one "thunder: error: ..." line.
int run_gen(const RobotSpec& spec, const GenOptions& options);

}  // namespace thunder
