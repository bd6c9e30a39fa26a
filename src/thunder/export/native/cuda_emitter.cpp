#include "thunder/export/native/cuda_emitter.h"

#include <sstream>
#include <stdexcept>
#include <vector>

#include "thunder/export/native/simd_emitter.h"
#include "thunder/export/op_table.h"

namespace thunder {

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
  for (casadi_int j = 0; j < n_in; ++j)
    os << "const T_* __restrict__ x" << j << ", long long xb" << j << ", long long xe" << j << ", ";
  for (casadi_int j = 0; j < n_out; ++j)
    os << "T_* __restrict__ y" << j << ", long long yb" << j << ", long long ye" << j << ", ";
  os << "long long batch) {\n";
  os << "  const long long b = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n";
  os << "  if (b >= batch) return;\n";
  for (casadi_int j = 0; j < n_in; ++j)
    if (fn.nnz_in(j) > 0) os << "  x" << j << " += b * xb" << j << ";\n";
  for (casadi_int j = 0; j < n_out; ++j)
    if (fn.nnz_out(j) > 0) os << "  y" << j << " += b * yb" << j << ";\n";
  if (n_work > 0) {
    os << "  T_ w0";
    for (casadi_int w = 1; w < n_work; ++w) os << (w % 16 ? ", w" : ",\n     w") << w;
    os << ";\n";
  }
  auto w = [](casadi_int i) { return "w" + std::to_string(i); };
  for (casadi_int k = 0; k < n_instr; ++k) {
    const casadi_int op = fn.instruction_id(k);
    const std::vector<casadi_int> in = fn.instruction_input(k);
    const std::vector<casadi_int> out = fn.instruction_output(k);
    switch (op) {
      case OP_CONST: os << "  " << w(out[0]) << " = " << c_literal(fn.instruction_constant(k), "T_") << ";\n"; break;
      case OP_INPUT:
        os << "  " << w(out[0]) << " = x" << in[0] << "[" << in[1] << " * xe" << in[0] << "];\n";
        break;
      case OP_OUTPUT:
        os << "  y" << out[0] << "[" << out[1] << " * ye" << out[0] << "] = " << w(in[0]) << ";\n";
        break;
      case OP_ASSIGN:
      case OP_LIFT:
      case OP_PRINTME: os << "  " << w(out[0]) << " = " << w(in[0]) << ";\n"; break;
      default: {
        const OpInfo* info = find_op(static_cast<int>(op));
        if (!info || info->nargs > 2)
          throw std::runtime_error("CUDA kernel of " + fn.name() + ": unsupported CasADi operation " +
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
  for (casadi_int j = 0; j < n_out; ++j)
    for (size_t nz = 0; nz < written[j].size(); ++nz)
      if (!written[j][nz]) os << "  y" << j << "[" << nz << " * ye" << j << "] = T_(0);\n";
  os << "}\n\n";

  os << "extern \"C\" int " << symbol
     << "_batch(const void* const* in, const long long* in_stride, void* const* out, "
        "const long long* out_stride, long long batch, void* stream) {\n";
  os << "  if (batch <= 0) return 0;\n";
  os << "  const unsigned int threads = 128;\n";
  os << "  const unsigned int blocks = (unsigned int)((batch + threads - 1) / threads);\n";
  std::ostringstream args;
  for (casadi_int j = 0; j < n_in; ++j)
    args << "(const T_*)in[" << j << "], in_stride[" << 2 * j << "], in_stride[" << 2 * j + 1 << "], ";
  for (casadi_int j = 0; j < n_out; ++j)
    args << "(T_*)out[" << j << "], out_stride[" << 2 * j << "], out_stride[" << 2 * j + 1 << "], ";
  args << "batch";
  os << "#ifdef __CUDACC__\n";
  os << "  " << symbol << "_kernel<<<blocks, threads, 0, (cudaStream_t)stream>>>(" << args.str() << ");\n";
  os << "  return cudaGetLastError() == cudaSuccess ? 0 : 1;\n";
  os << "#else\n  (void)blocks; (void)stream;\n";
  os << "  for (long long b = 0; b < batch; ++b) {\n    threadIdx.x = (unsigned int)b;\n    " << symbol
     << "_kernel(" << args.str() << ");\n  }\n  return 0;\n#endif\n}\n";
}

}  // namespace thunder
