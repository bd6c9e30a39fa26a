// CUDA kernel of one SX function from CasADi's instruction list: one thread per instance, the
// instructions as straight-line code on local variables (one per CasADi work slot, so that the
// compiler keeps them in registers), as CusADi does; every operation written from the shared op
// table (export/op_table.h) with runtime/thunder_cuda.h's helpers. Part of the native exporter.
//
// Memory access: element k of instance b is read at x[b * sb + k * se] and written at
// y[b * sb + k * se] (strides of the C ABI, runtime/thunder_native.h). With the slot-major
// layout (sb = 1, se = batch) that thunder_torch uses for outputs, neighbouring threads touch
// neighbouring addresses: every load and store of a warp is coalesced.
#pragma once

#include <ostream>
#include <string>

#include <casadi/casadi.hpp>

namespace thunder {

/// Writes `__global__ void <symbol>_kernel(...)` and the host entry point
/// `extern "C" int <symbol>_batch(const void* const* in, const long long* in_stride,
/// void* const* out, const long long* out_stride, long long batch, void* stream)`: one launch on
/// `stream`. `fn` must be an SXFunction with dense vector inputs and outputs. Throws
/// std::runtime_error on an operation outside op_table().
void emit_cuda_kernel(std::ostream& os, const casadi::Function& fn, const std::string& symbol);

}  // namespace thunder
