// PyTorch exporter: turns every SX function of a FunctionSet (and its reverse-mode partner) into a
// level schedule stored as compact data, read by the `thunder_torch` runtime (no CasADi needed).
//
// Output: OUT/torch/thunder_torch.json (index) + OUT/torch/thunder_torch.bin (little-endian
// arrays referenced by the index). The format is documented in docs/TORCH_ARTIFACT.md.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "thunder/functions/function_set.h"

namespace thunder {

/// Statistics of one schedule (also written into the index).
struct TorchScheduleStats {
  long long n_instructions = 0;  ///< CasADi instructions of the function
  long long n_ops = 0;           ///< arithmetic instructions kept (no assign/input/output/const)
  int n_levels = 0;              ///< depth of the expression DAG
  int n_steps = 0;               ///< vectorized (level, operation) groups
  int n_const = 0;               ///< constant block size (slot 0 is the constant 0.0)
  int n_in = 0;                  ///< input block size
  int n_slots = 0;               ///< total slots: constants + inputs + reused work slots
};

/// Writes out_dir/torch/. Throws std::runtime_error on an operation the runtime cannot execute
/// (the message names the operation and the function).
void export_torch(const FunctionSet& set, const std::filesystem::path& out_dir,
                  std::function<void(const std::string&)> progress = {});

}  // namespace thunder
