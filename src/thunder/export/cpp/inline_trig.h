// sin and cos written into the generated C instead of calls to the C library. A call clobbers
// every SSE register (all are caller-saved in the x86-64 System V ABI), so each of a robot's
// sin/cos pairs spilled the live values of the recursion around it (GCC already merges a pair
// into one sincos call): the simple humanoid's tau spends ~5 % of its time there, M ~2 %. The
// inline functions share one reduction by pi/2 for a pair (the compiler sees the same arithmetic
// twice and computes it once) and evaluate fdlibm's minimax kernels on [-pi/4, pi/4]: within
// 1 ulp of the C library for |x| <= 20 and 2 ulp up to 1.6e6; beyond, the exact sin/cos of a
// number within half an ulp of x up to 2^50 (1.1e15 rad); nan from there on and for inf/nan;
// sin(-0) = -0. Where the compiler may reassociate (which would undo the reduction's rounding:
// -ffast-math, MSVC's /fp:fast, Intel's compilers) th_sin/th_cos are the C library's.
#pragma once

#include <string>

namespace thunder {

/// The C definitions of th_sin and th_cos (static inline, double), between the markers
/// "/* thunder: inline sin/cos */" and "/* thunder: end inline sin/cos */".
const std::string& inline_trig_prelude();

/// Replaces the calls sin( and cos( of a generated C file whose reals are double by th_sin( and
/// th_cos( and inserts the prelude after its last #include; returns how many calls it replaced
/// (0: the text is unchanged).
int inline_trig(std::string& c_text);

}  // namespace thunder
