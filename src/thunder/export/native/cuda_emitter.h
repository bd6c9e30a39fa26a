// CUDA kernel of one SX function from CasADi's instruction list: one thread per instance, the
// instructions as straight-line code on local variables (one per CasADi work slot, so that the
// compiler keeps them in registers), as CusADi does. Part of the native exporter.
#pragma once

#include <ostream>
#include <string>

#include <casadi/casadi.hpp>

namespace thunder {

/// Writes `__global__ void <symbol>_kernel(...)` and the host entry point
/// `extern "C" int <symbol>_batch(const void* const* in, const long long* in_stride,
/// void* const* out, long long batch, void* stream)` (see thunder_native.h). `fn` must be an
/// SXFunction with dense vector inputs and outputs. Throws std::runtime_error on an operation
/// it cannot write (naming it and the function).
void emit_cuda_kernel(std::ostream& os, const casadi::Function& fn, const std::string& symbol);

}  // namespace thunder
