// Native exporter: batched C kernels (OpenMP) and CUDA kernels of every function of a FunctionSet
// and of its reverse-mode partner, compiled at generation time into shared libraries that the
// thunder_torch runtime loads with ctypes (python/thunder_torch/_native.py). Reads a FunctionSet
// and nothing else. Layout of OUT/native/ (robot identifier R = cpp_robot_identifier(robot)):
//
//   thunder_native.h            the C ABI below (shared by CPU and CUDA libraries)
//   thunder_native_batch.h      the OpenMP batch loop included by every generated C file
//   thunder_R_<fn>.c            CasADi C code of <fn> and <fn>_rev + batched entry points
//   thunder_R_registry.c        the registry (names, sizes, function table, robot/hash/dtype)
//   libthunder_R_f64.so         everything compiled with casadi_real = double
//   libthunder_R_f32.so         ... with -Dcasadi_real=float
//   cuda/thunder_R_<fn>.cu      one kernel per function and per reverse partner (one thread per
//                               instance, CasADi's instruction list as straight-line code)
//   cuda/libthunder_R_cuda_f64.so, cuda/libthunder_R_cuda_f32.so   (when nvcc is found)
//
// Data layout of every entry point (forward and reverse alike): input j is a (batch, size_in[j])
// array whose instance b starts at in[j] + b * in_stride[j] (stride 0 broadcasts one vector, e.g.
// parameters, to the whole batch; stride size_in[j] is contiguous); output j is a contiguous
// (batch, size_out[j]) array. Matrices are flattened ROW-major per instance (the torch runtime's
// convention: y.reshape(batch, rows, cols) needs no transpose); outputs are dense (structural
// zeros written as 0). The reverse partner of <fn> is CasADi's fn.reverse(1) of that flattened
// function: inputs (inputs..., outputs..., output seeds...) -> input adjoints.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "thunder/functions/function_set.h"

namespace thunder {

struct NativeOptions {
  int opt_level = 2;        ///< -O level of the C and CUDA compilers
  bool cuda = true;         ///< also write and (when nvcc is found) compile cuda/
  int jobs = 0;             ///< parallel compiler processes (0 = hardware threads)
};

/// Writes and compiles OUT/native/ as described above. `progress` receives one line per step.
/// Throws std::runtime_error when the C compiler is missing or a compilation fails (the message
/// carries the command and the end of the compiler's output). A missing nvcc only skips cuda/
/// (with a progress line).
void export_native(const FunctionSet& set, const std::filesystem::path& out_dir,
                   const NativeOptions& options = {},
                   std::function<void(const std::string&)> progress = {});

/// FNV-1a 64-bit hash of `text` as 16 lowercase hex digits (the runtime hashes manifest.json the
/// same way to refuse a library built for another robot or another generation).
std::string fnv1a64_hex(const std::string& text);

}  // namespace thunder
