#include "thunder/export/native/cuda_emitter.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace thunder {
namespace {

/// C expression of CasADi operation `op` on operands x, y (device code; T_ is casadi_real).
std::string op_expr(int op, const std::string& x, const std::string& y) {
  using namespace casadi;
  switch (op) {
    case OP_ADD: return x + "+" + y;
    case OP_SUB: return x + "-" + y;
    case OP_MUL: return x + "*" + y;
    case OP_DIV: return x + "/" + y;
    case OP_NEG: return "-" + x;
    case OP_TWICE: return "T_(2)*" + x;
    case OP_SQ: return x + "*" + x;
    case OP_INV: return "T_(1)/" + x;
    case OP_EXP: return "exp(" + x + ")";
    case OP_LOG: return "log(" + x + ")";
    case OP_POW:
    case OP_CONSTPOW: return "pow(" + x + "," + y + ")";
    case OP_SQRT: return "sqrt(" + x + ")";
    case OP_SIN: return "sin(" + x + ")";
    case OP_COS: return "cos(" + x + ")";
    case OP_TAN: return "tan(" + x + ")";
    case OP_ASIN: return "asin(" + x + ")";
    case OP_ACOS: return "acos(" + x + ")";
    case OP_ATAN: return "atan(" + x + ")";
    case OP_SINH: return "sinh(" + x + ")";
    case OP_COSH: return "cosh(" + x + ")";
    case OP_TANH: return "tanh(" + x + ")";
    case OP_ASINH: return "asinh(" + x + ")";
    case OP_ACOSH: return "acosh(" + x + ")";
    case OP_ATANH: return "atanh(" + x + ")";
    case OP_ATAN2: return "atan2(" + x + "," + y + ")";
    case OP_FLOOR: return "floor(" + x + ")";
    case OP_CEIL: return "ceil(" + x + ")";
    case OP_FMOD: return "fmod(" + x + "," + y + ")";
    case OP_REMAINDER: return "remainder(" + x + "," + y + ")";
    case OP_FABS: return "fabs(" + x + ")";
    case OP_SIGN: return "th_sign(" + x + ")";
    case OP_COPYSIGN: return "copysign(" + x + "," + y + ")";
    case OP_FMIN: return "fmin(" + x + "," + y + ")";
    case OP_FMAX: return "fmax(" + x + "," + y + ")";
    case OP_HYPOT: return "hypot(" + x + "," + y + ")";
    case OP_ERF: return "erf(" + x + ")";
    case OP_ERFINV: return "erfinv(" + x + ")";
    case OP_LOG1P: return "log1p(" + x + ")";
    case OP_EXPM1: return "expm1(" + x + ")";
    case OP_LT: return "th_bool(" + x + "<" + y + ")";
    case OP_LE: return "th_bool(" + x + "<=" + y + ")";
    case OP_EQ: return "th_bool(" + x + "==" + y + ")";
    case OP_NE: return "th_bool(" + x + "!=" + y + ")";
    case OP_NOT: return "th_bool(!(" + x + "))";
    case OP_AND: return "th_bool(" + x + "&&" + y + ")";
    case OP_OR: return "th_bool(" + x + "||" + y + ")";
    case OP_IF_ELSE_ZERO: return "(" + x + "?" + y + ":T_(0))";
    default: return "";
  }
}

std::string literal(double v) {
  if (std::isnan(v)) return "T_(NAN)";
  if (std::isinf(v)) return v > 0 ? "T_(INFINITY)" : "T_(-INFINITY)";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".eE") == std::string::npos) s += ".";
  return "T_(" + s + ")";
}

}  // namespace

void emit_cuda_kernel(std::ostream& os, const casadi::Function& fn, const std::string& symbol) {
  using namespace casadi;
  if (!fn.is_a("SXFunction")) throw std::runtime_error("CUDA kernel of " + fn.name() + ": not an SX function");
  const casadi_int n_in = fn.n_in(), n_out = fn.n_out(), n_instr = fn.n_instructions();

  // Work slots used, and output nonzeros written (the rest are written as zeros).
  casadi_int n_work = 0;
  std::vector<std::vector<char>> written(n_out);
  for (casadi_int j = 0; j < n_out; ++j) written[j].assign(fn.nnz_out(j), 0);
  for (casadi_int k = 0; k < n_instr; ++k) {
    const casadi_int op = fn.instruction_id(k);
    const std::vector<casadi_int> out = fn.instruction_output(k);
    if (op == OP_OUTPUT) written.at(out.at(0)).at(out.at(1)) = 1;
    else if (!out.empty()) n_work = std::max(n_work, out[0] + 1);
  }

  os << "\n__global__ void __launch_bounds__(128) " << symbol << "_kernel(";
  for (casadi_int j = 0; j < n_in; ++j) os << "const T_* __restrict__ x" << j << ", long long s" << j << ", ";
  for (casadi_int j = 0; j < n_out; ++j) os << "T_* __restrict__ y" << j << ", ";
  os << "long long batch) {\n";
  os << "  const long long b = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n";
  os << "  if (b >= batch) return;\n";
  for (casadi_int j = 0; j < n_in; ++j)
    if (fn.nnz_in(j) > 0) os << "  x" << j << " += b * s" << j << ";\n";
  for (casadi_int j = 0; j < n_out; ++j)
    if (fn.nnz_out(j) > 0) os << "  y" << j << " += b * " << fn.nnz_out(j) << "LL;\n";
  if (n_work > 0) {
    os << "  T_ w0";
    for (casadi_int w = 1; w < n_work; ++w) os << (w % 16 ? ", w" : ",\n     w") << w;
    os << ";\n";
  }
  for (casadi_int k = 0; k < n_instr; ++k) {
    const casadi_int op = fn.instruction_id(k);
    const std::vector<casadi_int> in = fn.instruction_input(k);
    const std::vector<casadi_int> out = fn.instruction_output(k);
    switch (op) {
      case OP_CONST: os << "  w" << out[0] << " = " << literal(fn.instruction_constant(k)) << ";\n"; break;
      case OP_INPUT: os << "  w" << out[0] << " = x" << in[0] << "[" << in[1] << "];\n"; break;
      case OP_OUTPUT: os << "  y" << out[0] << "[" << out[1] << "] = w" << in[0] << ";\n"; break;
      case OP_ASSIGN:
      case OP_LIFT:
      case OP_PRINTME: os << "  w" << out[0] << " = w" << in[0] << ";\n"; break;
      default: {
        const std::string x = "w" + std::to_string(in.at(0));
        const std::string y = in.size() > 1 ? "w" + std::to_string(in[1]) : "";
        const std::string e = op_expr(static_cast<int>(op), x, y);
        if (e.empty())
          throw std::runtime_error("CUDA kernel of " + fn.name() + ": unsupported CasADi operation " +
                                   std::to_string(op) + " at instruction " + std::to_string(k));
        os << "  w" << out[0] << " = " << e << ";\n";
      }
    }
  }
  for (casadi_int j = 0; j < n_out; ++j)
    for (size_t nz = 0; nz < written[j].size(); ++nz)
      if (!written[j][nz]) os << "  y" << j << "[" << nz << "] = T_(0);\n";
  os << "}\n\n";

  os << "extern \"C\" int " << symbol
     << "_batch(const void* const* in, const long long* in_stride, void* const* out, long long batch, "
        "void* stream) {\n";
  os << "  if (batch <= 0) return 0;\n";
  os << "  const unsigned int threads = 128;\n";
  os << "  const unsigned int blocks = (unsigned int)((batch + threads - 1) / threads);\n";
  std::ostringstream args;
  for (casadi_int j = 0; j < n_in; ++j) args << "(const T_*)in[" << j << "], in_stride[" << j << "], ";
  for (casadi_int j = 0; j < n_out; ++j) args << "(T_*)out[" << j << "], ";
  args << "batch";
  os << "#ifdef __CUDACC__\n";
  os << "  " << symbol << "_kernel<<<blocks, threads, 0, (cudaStream_t)stream>>>(" << args.str() << ");\n";
  os << "  return cudaGetLastError() == cudaSuccess ? 0 : 1;\n";
  os << "#else\n  (void)blocks; (void)stream;\n";
  os << "  for (long long b = 0; b < batch; ++b) {\n    threadIdx.x = (unsigned int)b;\n    " << symbol
     << "_kernel(" << args.str() << ");\n  }\n  return 0;\n#endif\n}\n";
}

}  // namespace thunder
