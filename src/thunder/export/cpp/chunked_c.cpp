#include "thunder/export/cpp/chunked_c.h"

#include <cctype>
#include <cmath>
#include <set>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "thunder/util/env.h"

namespace thunder {
namespace {

/// A double as a C literal that reads back exactly (17 significant digits; -0., inf, nan kept).
std::string literal(double c) {
  if (std::isnan(c)) return "NAN";
  if (std::isinf(c)) return c > 0 ? "INFINITY" : "(-INFINITY)";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", c);
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos) s += ".";
  return c < 0 ? "(" + s + ")" : s;
}

std::string w(casadi_int k) { return "w[" + std::to_string(k) + "]"; }

/// The C expression of an arithmetic instruction (CasADi's own printer, as its C code generator
/// uses it), or "" when it calls a function that is neither C's <math.h> nor defined by the chunk
/// prelude (erfinv, ...: such a function keeps CasADi's single file).
std::string expression(casadi_int op, const std::string& x, const std::string& y) {
  static const std::set<std::string> kC = {
      "exp",  "log",   "pow",  "sqrt",  "sq",    "sin",    "cos",    "tan",   "asin",  "acos",  "atan",
      "floor", "ceil", "fmod", "fabs",  "sign",  "copysign", "erf",  "fmin",  "fmax",  "sinh",  "cosh",
      "tanh", "asinh", "acosh", "atanh", "atan2", "log1p",  "expm1", "hypot", "remainder"};
  std::string e;
  try {
    const auto o = static_cast<unsigned char>(op);
    e = casadi::casadi_math<double>::ndeps(o) == 2 ? casadi::casadi_math<double>::print(o, x, y)
                                                   : casadi::casadi_math<double>::print(o, x);
  } catch (...) {
    return "";
  }
  // every identifier followed by '(' must be a known function
  for (size_t i = 0; i < e.size();) {
    if (std::isalpha(static_cast<unsigned char>(e[i])) || e[i] == '_') {
      size_t j = i;
      while (j < e.size() && (std::isalnum(static_cast<unsigned char>(e[j])) || e[j] == '_')) ++j;
      if (j < e.size() && e[j] == '(' && !kC.count(e.substr(i, j - i))) return "";
      if (j < e.size() && e[j] == '[' && e.substr(i, j - i) != "w") return "";
      i = j;
    } else {
      if (e[i] == '<') {  // CasADi's "<invalid-op>"
        if (e.compare(i, 9, "<invalid-") == 0) return "";
      }
      ++i;
    }
  }
  return e;
}

// The helpers CasADi's printer names beyond <math.h> (sq, sign), with CasADi's definitions;
// static, so every chunk file has its own.
constexpr const char* kChunkPrelude =
    "#include <math.h>\n"
    "#define casadi_real double\n"
    "static inline casadi_real sq(casadi_real x) { return x * x; }\n"
    "static inline casadi_real sign(casadi_real x) { return x < 0 ? -1 : x > 0 ? 1 : x; }\n";

/// Operands an instruction reads from the work vector (CasADi's slots): OP_INPUT and OP_CONST
/// read none, OP_OUTPUT, OP_ASSIGN, OP_LIFT and OP_PRINTME the first, the others ndeps.
std::vector<casadi_int> operand_slots(const casadi::Function& fn, casadi_int k) {
  const casadi_int op = fn.instruction_id(k);
  const std::vector<casadi_int> in = fn.instruction_input(k);
  switch (op) {
    case casadi::OP_CONST:
    case casadi::OP_INPUT: return {};
    case casadi::OP_OUTPUT:
    case casadi::OP_ASSIGN:
    case casadi::OP_LIFT:
    case casadi::OP_PRINTME: return {in.at(0)};
    default: break;
  }
  const casadi_int nd = casadi::casadi_math<double>::ndeps(static_cast<unsigned char>(op));
  return nd > 1 ? std::vector<casadi_int>{in.at(0), in.at(1)} : std::vector<casadi_int>{in.at(0)};
}

/// One instruction as a C statement, its operands named by `x` and its value by `y` (for
/// OP_OUTPUT, the destination is res); empty when its operation does not print as plain C.
std::string statement(const casadi::Function& fn, casadi_int k, const std::vector<std::string>& x, const std::string& y) {
  const casadi_int op = fn.instruction_id(k);
  const std::vector<casadi_int> in = fn.instruction_input(k), out = fn.instruction_output(k);
  switch (op) {
    case casadi::OP_CONST: return "  " + y + " = " + literal(fn.instruction_constant(k)) + ";";
    case casadi::OP_INPUT:
      return "  " + y + " = arg[" + std::to_string(in.at(0)) + "] ? arg[" + std::to_string(in.at(0)) + "][" +
             std::to_string(in.at(1)) + "] : 0;";
    case casadi::OP_OUTPUT:
      return "  if (res[" + std::to_string(out.at(0)) + "]) res[" + std::to_string(out.at(0)) + "][" +
             std::to_string(out.at(1)) + "] = " + x.at(0) + ";";
    case casadi::OP_ASSIGN:
    case casadi::OP_LIFT:
    case casadi::OP_PRINTME: return "  " + y + " = " + x.at(0) + ";";
    default: break;
  }
  const std::string e = expression(op, x.at(0), x.size() > 1 ? x.at(1) : std::string());
  if (e.empty()) return "";
  return "  " + y + " = " + e + ";";
}

/// Where values flow: for each instruction, the instruction that defined each operand it reads
/// (-1: none) and the last instruction that reads its own value (-1: never read).
struct Flow {
  std::vector<std::vector<casadi_int>> source;
  std::vector<casadi_int> last_use;
};

Flow flow(const casadi::Function& fn) {
  const casadi_int n = fn.n_instructions();
  Flow f{std::vector<std::vector<casadi_int>>(n), std::vector<casadi_int>(n, -1)};
  std::vector<casadi_int> defined_by(fn.sz_w(), -1);
  for (casadi_int k = 0; k < n; ++k) {
    for (casadi_int s : operand_slots(fn, k)) {
      const casadi_int d = defined_by.at(s);
      f.source[k].push_back(d);
      if (d >= 0) f.last_use[d] = k;
    }
    if (fn.instruction_id(k) != casadi::OP_OUTPUT) defined_by.at(fn.instruction_output(k).at(0)) = k;
  }
  return f;
}

std::string local(casadi_int k) { return "v" + std::to_string(k); }

/// Instructions [k0, k1) as the body of a chunk function. Values live in locals, which the compiler
/// keeps in registers as in CasADi's single file; only a value a later chunk reads goes through
/// w: stored where it is defined, loaded once where a later chunk first reads it. (Every value in
/// w, as before, cost 8 % per call at -O2 on anymal_c's C_ddot: bench/RESULTS_SCALE.md.)
std::string chunk_body(const casadi::Function& fn, const Flow& f, casadi_int k0, casadi_int k1) {
  std::ostringstream s;
  std::set<casadi_int> loaded;
  for (casadi_int k = k0; k < k1; ++k) {
    const casadi_int op = fn.instruction_id(k);
    const bool output = op == casadi::OP_OUTPUT;
    if (!output && f.last_use[k] < 0) continue;   // never read: no code
    const std::vector<casadi_int> slots = operand_slots(fn, k);
    std::vector<std::string> x;
    for (size_t i = 0; i < slots.size(); ++i) {
      const casadi_int d = f.source[k][i];
      if (d < 0) {  // a slot nothing wrote (CasADi's work starts undefined): read it as CasADi would
        x.push_back(w(slots[i]));
      } else {
        if (d < k0 && loaded.insert(d).second)  // constants are written again, not loaded
          s << "  const casadi_real " << local(d) << " = "
            << (fn.instruction_id(d) == casadi::OP_CONST ? literal(fn.instruction_constant(d))
                                                          : w(fn.instruction_output(d).at(0)))
            << ";\n";
        x.push_back(local(d));
      }
    }
    s << statement(fn, k, x, output ? std::string() : "const casadi_real " + local(k)) << "\n";
    if (!output && op != casadi::OP_CONST && f.last_use[k] >= k1) s << "  " << w(fn.instruction_output(k).at(0)) << " = " << local(k) << ";\n";
  }
  return s.str();
}

}  // namespace

long long chunk_threshold() { return env_count("THUNDER_CHUNK_ABOVE", 20000); }
long long chunk_size() { return std::max(1LL, env_count("THUNDER_CHUNK_SIZE", 6000)); }

bool chunkable(const casadi::Function& fn) {
  if (!fn.is_a("SXFunction")) return false;
  const casadi_int n = fn.n_instructions();
  for (casadi_int k = 0; k < n; ++k) {
    const casadi_int op = fn.instruction_id(k);
    if (op == casadi::OP_CONST || op == casadi::OP_INPUT || op == casadi::OP_OUTPUT || op == casadi::OP_ASSIGN ||
        op == casadi::OP_LIFT || op == casadi::OP_PRINTME)
      continue;
    if (fn.instruction_output(k).size() != 1 ||
        statement(fn, k, std::vector<std::string>(operand_slots(fn, k).size(), "x"), "y").empty())
      return false;
  }
  return true;
}

std::vector<std::string> emit_chunks(const casadi::Function& fn, const std::string& symbol, std::string& c_text) {
  const casadi_int n = fn.n_instructions();
  const long long size = chunk_size();
  const Flow values = flow(fn);
  std::vector<std::string> chunks;
  for (casadi_int k0 = 0; k0 < n; k0 += size) {
    const casadi_int k1 = std::min<casadi_int>(n, k0 + size);
    std::ostringstream s;
    const std::string name = symbol + "_c" + std::to_string(chunks.size());
    s << "/* Thunder: instructions " << k0 << " to " << k1 - 1 << " of " << symbol
      << " (generated; do not edit). See " << symbol << ".c. */\n"
      << kChunkPrelude << "void " << name
      << "(const casadi_real** arg, casadi_real** res, casadi_real* w) {\n  (void)arg; (void)res;\n";
    s << chunk_body(fn, values, k0, k1) << "}\n";
    chunks.push_back(s.str());
  }

  std::ostringstream body;
  for (size_t c = 0; c < chunks.size(); ++c)
    body << "void " << symbol << "_c" << c << "(const casadi_real** arg, casadi_real** res, casadi_real* w);\n";
  body << kEvalSignature << "  (void)iw; (void)mem;\n";
  for (size_t c = 0; c < chunks.size(); ++c) body << "  " << symbol << "_c" << c << "(arg, res, w);\n";
  body << "  return 0;\n}\n";
  replace_eval(c_text, symbol, body.str());
  // Values pass between chunks in CasADi's work vector: ask the caller for it.
  set_work(c_text, symbol, work_size(c_text, "sz_iw"), fn.sz_w());
  return chunks;
}

const char* const kEvalSignature =
    "static int casadi_f0(const casadi_real** arg, casadi_real** res, casadi_int* iw, casadi_real* w, int mem) {\n";

void replace_eval(std::string& c_text, const std::string& symbol, const std::string& function_text) {
  // casadi_f0: from its signature to the first "  return 0;\n}\n" after it.
  const size_t a = c_text.find(kEvalSignature);
  if (a == std::string::npos) throw std::runtime_error("generated C: " + symbol + ".c has no casadi_f0");
  const std::string tail = "  return 0;\n}\n";
  const size_t b = c_text.find(tail, a);
  if (b == std::string::npos) throw std::runtime_error("generated C: " + symbol + ".c: end of casadi_f0 not found");
  c_text.replace(a, b + tail.size() - a, function_text);
}

long long work_size(const std::string& c_text, const std::string& field) {
  const std::string head = "  if (" + field + ") *" + field + " = ";
  const size_t p = c_text.find(head);
  if (p == std::string::npos) throw std::runtime_error("generated C: no '" + head + "'");
  return std::stoll(c_text.substr(p + head.size()));
}

void set_work(std::string& c_text, const std::string& symbol, long long sz_iw, long long sz_w) {
  // The first occurrence of each line is in <symbol>_work, the second in <symbol>_work_bytes.
  for (const char* field : {"sz_iw", "sz_w"}) {
    const std::string value = std::to_string(std::string(field) == "sz_w" ? sz_w : sz_iw);
    const std::string head = std::string("  if (") + field + ") *" + field + " = ";
    size_t p = 0;
    for (int k = 0; k < 2; ++k) {
      p = c_text.find(head, p);
      if (p == std::string::npos)
        throw std::runtime_error("generated C: " + symbol + ".c: '" + head + "' not found in its _work functions");
      p += head.size();
      const size_t e = c_text.find_first_not_of("0123456789", p);
      c_text.replace(p, e - p, value);
    }
  }
}

int localize_casadi_helpers(std::string& c_text) {
  // A definition at the start of a line: "casadi_real casadi_<name>(" (CasADi writes no prototypes
  // of these, so a static definition declares them consistently).
  static const std::string head = "casadi_real casadi_";
  int changed = 0;
  for (size_t p = 0; (p = c_text.find(head, p)) != std::string::npos; p += head.size()) {
    if (p != 0 && c_text[p - 1] != '\n') continue;
    size_t q = p + head.size();
    while (q < c_text.size() && (std::isalnum(static_cast<unsigned char>(c_text[q])) || c_text[q] == '_')) ++q;
    if (q == p + head.size() || q >= c_text.size() || c_text[q] != '(') continue;
    c_text.insert(p, "static ");
    p += 7;
    ++changed;
  }
  return changed;
}

}  // namespace thunder
