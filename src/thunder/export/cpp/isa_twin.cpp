#include "thunder/export/cpp/isa_twin.h"

#include <set>
#include <stdexcept>

#include "thunder/export/cpp/chunked_c.h"
#include "thunder/util/env.h"
#include "thunder/util/text.h"

namespace thunder {

const char* const kDispatchCondition =
    "defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 && defined(__x86_64__) && "
    "!defined(THUNDER_NO_DISPATCH) && !defined(THUNDER_PLAIN_C)";

const char* const kCpuLevelFunction =
    "static int thunder_level(void) {\n  static int level = -1;\n  int l = __atomic_load_n(&level, __ATOMIC_RELAXED);\n"
    "  if (l < 0) {\n    __builtin_cpu_init();\n"
    "    l = __builtin_cpu_supports(\"x86-64-v4\") ? 4 : __builtin_cpu_supports(\"x86-64-v3\") ? 3 : 1;\n"
    "    __atomic_store_n(&level, l, __ATOMIC_RELAXED);\n  }\n  return l;\n}\n";

bool gets_isa_twin(const std::string& name, long long instructions) {
  static const std::set<std::string> names = {"tau_derivatives", "dtau_dq", "dtau_ddq",
                                              "FD_derivatives",  "dFD_dq",  "dFD_ddq"};
  return names.count(name) > 0 && instructions <= env_count("THUNDER_V3_TWIN_UPTO", 60000);
}

std::string isa_twin_text(const std::string& text, const std::string& symbol) {
  return "/* Thunder: " + symbol + " built for x86-64-v3 (AVX2, FMA), called where the CPU has it "
         "(generated; do not edit). */\n#if " + std::string(kDispatchCondition) +
         "\n#pragma GCC target(\"arch=x86-64-v3\")\n" + replace_all(text, symbol, symbol + "_v3") +
         "#else\ntypedef int thunder_no_v3_build; /* not an empty translation unit */\n#endif\n";
}

void dispatch_to_isa_twin(std::string& c_text, const std::string& symbol) {
  const size_t at = c_text.find(kEvalSignature);
  if (at == std::string::npos)
    throw std::runtime_error(symbol + ".c: no eval function casadi_f0 to dispatch from (a CasADi version that "
                             "writes another shape?)");
  const std::string decl = "#if " + std::string(kDispatchCondition) + "\nint " + symbol +
                           "_v3(const casadi_real** arg, casadi_real** res, casadi_int* iw, casadi_real* w, int mem);\n" +
                           kCpuLevelFunction + "#endif\n";
  const std::string call = "#if " + std::string(kDispatchCondition) + "\n  if (thunder_level() >= 3) return " + symbol +
                           "_v3(arg, res, iw, w, mem);\n#endif\n";
  c_text.insert(at + std::string(kEvalSignature).size(), call);
  c_text.insert(at, decl);
}

}  // namespace thunder
