#include "thunder/export/native/simd_emitter.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "thunder/export/op_table.h"

namespace thunder {

std::string c_literal(double v, const std::string& type) {
  if (std::isnan(v)) return type + "(NAN)";
  if (std::isinf(v)) return v > 0 ? type + "(INFINITY)" : "(-" + type + "(INFINITY))";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".";
  return type + "(" + s + ")";
}

void emit_simd_kernel(std::ostream& os, const casadi::Function& fn, const std::string& symbol) {
  using namespace casadi;
  if (!fn.is_a("SXFunction")) throw std::runtime_error("SIMD kernel of " + fn.name() + ": not an SX function");
  const casadi_int n_in = fn.n_in(), n_out = fn.n_out(), n_instr = fn.n_instructions();
  std::vector<casadi_int> in_off(n_in + 1, 0), out_off(n_out + 1, 0);
  for (casadi_int j = 0; j < n_in; ++j) in_off[j + 1] = in_off[j] + fn.nnz_in(j);
  for (casadi_int j = 0; j < n_out; ++j) out_off[j + 1] = out_off[j] + fn.nnz_out(j);

  casadi_int n_work = 0;
  std::vector<char> written(out_off[n_out], 0);
  for (casadi_int k = 0; k < n_instr; ++k) {
    const std::vector<casadi_int> out = fn.instruction_output(k);
    if (fn.instruction_id(k) == OP_OUTPUT) written.at(out_off.at(out.at(0)) + out.at(1)) = 1;
    else if (!out.empty()) n_work = std::max(n_work, out[0] + 1);
  }

  // noinline: one frame per tile function keeps GCC's register allocation per function, and the
  // driver's gather/scatter loops out of the straight-line block.
  os << "\nstatic __attribute__((noinline)) void " << symbol
     << "_tile(const th_v* __restrict x, th_v* __restrict y) {\n";
  if (n_work > 0) {
    os << "  th_v w0";
    for (casadi_int w = 1; w < n_work; ++w) os << (w % 16 ? ", w" : ",\n       w") << w;
    os << ";\n";
  }
  auto w = [](casadi_int i) { return "w" + std::to_string(i); };
  for (casadi_int k = 0; k < n_instr; ++k) {
    const casadi_int op = fn.instruction_id(k);
    const std::vector<casadi_int> in = fn.instruction_input(k);
    const std::vector<casadi_int> out = fn.instruction_output(k);
    switch (op) {
      case OP_CONST:
        os << "  " << w(out[0]) << " = th_c(" << c_literal(fn.instruction_constant(k), "th_t") << ");\n";
        break;
      case OP_INPUT: os << "  " << w(out[0]) << " = x[" << in_off.at(in[0]) + in[1] << "];\n"; break;
      case OP_OUTPUT: os << "  y[" << out_off.at(out[0]) + out[1] << "] = " << w(in[0]) << ";\n"; break;
      case OP_ASSIGN:
      case OP_LIFT:
      case OP_PRINTME: os << "  " << w(out[0]) << " = " << w(in[0]) << ";\n"; break;
      default: {
        const OpInfo* info = find_op(static_cast<int>(op));
        if (!info || info->nargs > 2)
          throw std::runtime_error("SIMD kernel of " + fn.name() + ": unsupported CasADi operation " +
                                   std::to_string(op) + " at instruction " + std::to_string(k));
        os << "  " << w(out[0]) << " = ";
        if (info->infix && info->nargs == 2) os << w(in[0]) << " " << info->infix << " " << w(in[1]);
        else if (info->infix) os << info->infix << w(in[0]);
        else if (info->nargs == 2) os << "th_" << info->name << "(" << w(in[0]) << ", " << w(in[1]) << ")";
        else os << "th_" << info->name << "(" << w(in[0]) << ")";
        os << ";\n";
      }
    }
  }
  for (size_t k = 0; k < written.size(); ++k)
    if (!written[k]) os << "  y[" << k << "] = th_c(0);\n";
  os << "}\n\n";

  auto table = [&](const char* what, casadi_int n, auto nnz) {
    os << "static const long long " << symbol << "_" << what << "[] = {";
    for (casadi_int j = 0; j < n; ++j) os << (j ? ", " : "") << nnz(j);
    if (n == 0) os << "0";
    os << "};\n";
  };
  table("in_size", n_in, [&](casadi_int j) { return fn.nnz_in(j); });
  table("out_size", n_out, [&](casadi_int j) { return fn.nnz_out(j); });
  os << "extern \"C\" int " << symbol
     << "_batch(const void* const* in, const long long* in_stride, void* const* out, "
        "const long long* out_stride, long long batch, void* stream) {\n  (void)stream;\n"
     << "  return th_tile_batch(" << symbol << "_tile, " << n_in << ", " << symbol << "_in_size, " << n_out
     << ", " << symbol << "_out_size, in, in_stride, out, out_stride, batch);\n}\n";
}

}  // namespace thunder
