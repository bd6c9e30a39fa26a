// SIMD tile kernel of one SX function from CasADi's instruction list (the native exporter's
// default CPU kernels): every instruction is one operation on a GCC vector holding W instances
// (runtime/thunder_simd.h), written as straight-line code in SSA form (one const local per
// value). GCC allocates the registers over the whole list (a value's register is reused once it
// is dead; what does not fit spills to an L1-resident stack frame), so a tile's working set is
// its live values, not the batch. Transcendental calls and their inputs are emitted first (see
// the .cpp) because every call clobbers the vector registers.
#pragma once

#include <ostream>
#include <string>

#include <casadi/casadi.hpp>

namespace thunder {

/// Writes `<symbol>_tile` and the entry point `extern "C" int <symbol>_batch(const void* const* in,
/// const long long* in_stride, void* const* out, const long long* out_stride, long long batch,
/// void* stream)` (see runtime/thunder_native.h). `fn` must be an SXFunction with dense vector
/// inputs and outputs. Throws std::runtime_error on an operation outside op_table().
void emit_simd_kernel(std::ostream& os, const casadi::Function& fn, const std::string& symbol);

/// `v` as a C literal of the kernels' value type (`(th_t)v` / `T_(v)`; nan and inf spelled out).
std::string c_literal(double v, const std::string& type);

}  // namespace thunder
