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
#include <utility>
#include <vector>

#include <casadi/casadi.hpp>

namespace thunder {

/// Writes `<symbol>_tile` and the entry point `extern "C" int <symbol>_batch(const void* const* in,
/// const long long* in_stride, void* const* out, const long long* out_stride, long long batch,
/// void* stream)` (see runtime/thunder_native.h). `fn` must be an SXFunction with dense vector
/// inputs and outputs. Throws std::runtime_error on an operation outside op_table().
/// Above simd_chunk_threshold() emitted lines the tile is split into chunk functions
/// `<symbol>_g<k>` of at most simd_chunk_size() lines each, written to `chunks` (file name, text:
/// each its own translation unit, so one function's chunks compile in parallel and GCC's time
/// stays linear); values live across chunks go through a per-thread spill array of th_v.
/// `chunk_above`: the threshold in lines (< 0: simd_chunk_threshold()).
void emit_simd_kernel(std::ostream& os, const casadi::Function& fn, const std::string& symbol,
                      std::vector<std::pair<std::string, std::string>>* chunks = nullptr,
                      long long chunk_above = -1);

/// Lines above which a tile is chunked ($THUNDER_NATIVE_CHUNK_ABOVE, default 100000; 0: always),
/// above which a reverse partner's tile is ($THUNDER_NATIVE_REVERSE_CHUNK_ABOVE, default 10000, at
/// most the former), and the most lines per chunk ($THUNDER_NATIVE_CHUNK_SIZE, default 6000; the
/// chunks of one tile have equal length). GCC's register allocation (LRA) grows faster than
/// linearly in a function's length, worst in reverse partners, whose backward sweep reads values
/// from all over the forward sweep: Panda C_ddot's reverse partner (43,890 lines) took 57 s of CPU
/// at -O2 in one piece, 16 s in 8 chunks; C_dot's (20,280) 18.7 s vs 7.4 s; a chunked reverse
/// tile runs ~20 % slower per call (values crossing chunks go through the spill array; C_dot
/// reverse at batch 4096, float64: 1.1e6 vs 8.8e5 evals/s). Forward tiles compile near linearly
/// and lose more (C_ddot forward, 15,911 lines: 7.6 s vs 5.0 s of CPU, 2.6e6 vs 1.8e6 evals/s),
/// so only the giants are split.
long long simd_chunk_threshold();
long long simd_reverse_chunk_threshold();
long long simd_chunk_size();

/// `v` as a C literal of the kernels' value type (`(th_t)v` / `T_(v)`; nan and inf spelled out).
std::string c_literal(double v, const std::string& type);

}  // namespace thunder
