// A second build of a generated C function for x86-64-v3 (AVX2, FMA), chosen at run time.
//
// The C++ library is compiled for the baseline ISA (x86-64: SSE2, no FMA) so that it runs on any
// x86-64 machine. For the functions where time per call matters most the exporter writes the same
// C twice: `<symbol>_v3.c` (and its chunks) is the file with every `symbol` renamed `symbol`_v3,
// compiled under `#pragma GCC target("arch=x86-64-v3")`, and the baseline's eval function calls it
// where the CPU has that level. FMA took 12-15 % off the humanoids' FD_derivatives
// (bench/RESULTS_DYNAMICS.md), for twice the function's compile time.
#pragma once

#include <string>

namespace thunder {

/// The preprocessor condition under which generated C dispatches between ISA builds: GCC >= 12 on
/// x86-64 (`arch=x86-64-v3` targets, __builtin_cpu_supports of ISA levels), unless the build
/// defines THUNDER_NO_DISPATCH (the baseline alone) or THUNDER_PLAIN_C (no GNU C vectors).
extern const char* const kDispatchCondition;

/// C text of `static int thunder_level(void)`: the CPU's x86-64 level, 4 (AVX-512), 3 (AVX2, FMA)
/// or 1, asked once through a relaxed atomic (the library's functions may run on several
/// threads). For generated files, inside `#if kDispatchCondition`.
extern const char* const kCpuLevelFunction;

/// Whether the exporter writes the second build of function `name` with `instructions` CasADi
/// instructions: the dynamics derivatives (tau_derivatives, dtau_dq, dtau_ddq, FD_derivatives,
/// dFD_dq, dFD_ddq, or the parts of their factored solve), the functions whose time per call model
/// predictive control pays at every step, with at most 60,000 instructions
/// (THUNDER_V3_TWIN_UPTO overrides): larger ones keep one build for compile time. A humanoid's
/// largest (g1's FD_derivatives parts) has about 45k; a 107-dof tree's smallest 85k (tiago_dual's
/// library: 4.9 minutes with its second build, 4.4-4.7 without; bench/RESULTS_SCALE.md).
bool gets_isa_twin(const std::string& name, long long instructions);

/// `text` (a generated file of `symbol`, or one of its chunks) as the x86-64-v3 translation unit:
/// `symbol` renamed `symbol`_v3 throughout, empty where kDispatchCondition does not hold.
std::string isa_twin_text(const std::string& text, const std::string& symbol);

/// Makes the eval function of `c_text` (the baseline file of `symbol`, CasADi's casadi_f0) call
/// `symbol`_v3 where the CPU has x86-64-v3; throws std::runtime_error when the file has no
/// casadi_f0. Apply after isa_twin_text took its copy.
void dispatch_to_isa_twin(std::string& c_text, const std::string& symbol);

}  // namespace thunder
