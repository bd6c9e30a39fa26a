// Native exporter: batched CPU kernels (SIMD tiles + OpenMP) and CUDA kernels of every function of a
// FunctionSet and of its reverse-mode partner, compiled at generation time into shared libraries
// that the thunder_torch runtime loads with ctypes (python/thunder_torch/_native.py). Reads a
// FunctionSet and nothing else. Layout of OUT/native/ (robot identifier R = cpp_robot_identifier(robot)):
//
//   thunder_native.h            the C ABI (runtime/thunder_native.h: strided inputs and outputs)
//   thunder_simd.h              SIMD helpers and the tile driver (kernels "simd", the default)
//   thunder_native_scalar.h     the per-instance OpenMP loop over CasADi's C code (kernels "scalar")
//   thunder_R_<fn>.cpp, thunder_R_<fn>_rev.cpp   tile kernels of <fn> and of its reverse partner
//                               (scalar: thunder_R_<fn>.c, CasADi C code of both)
//   thunder_R_registry.c        the registry (names, sizes, function table, robot/hash/dtype)
//   libthunder_R_f64.so         everything compiled in double
//   libthunder_R_f32.so         ... in float
//   cuda/thunder_R_<fn>.cu      one kernel per function and per reverse partner (one thread per
//                               instance, CasADi's instruction list as straight-line code)
//   cuda/libthunder_R_cuda_f64.so, cuda/libthunder_R_cuda_f32.so   (when nvcc is found)
//
// Every entry point (forward and reverse alike) reads input j element k of instance b at
// in[j][b * in_stride[2j] + k * in_stride[2j+1]] and writes outputs the same way (out_stride):
// instance-major (batch, size) and slot-major (size, batch) arrays alike, batch stride 0
// broadcasting one vector (e.g. parameters). Matrices are flattened ROW-major per instance (the
// torch runtime's convention); outputs are dense (structural zeros written as 0). The reverse
// partner of <fn> is CasADi's fn.reverse(1) of that flattened function: inputs (inputs...,
// outputs..., output seeds...) -> input adjoints.
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
  /// CPU kernels: "simd" (tiles of W instances from the instruction lists, vectorized across the
  /// batch) or "scalar" (CasADi's C code once per instance: the previous kernels, kept to measure
  /// against).
  std::string kernels = "simd";
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
