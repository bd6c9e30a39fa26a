// Test driver for the PyTorch exporter: builds a toy FunctionSet that covers the common CasADi
// operations, a non-symmetric matrix output, a multi-output function, a sparse output and a
// parameter set with only some symbolic elements, and writes OUT/manifest.json (schema of
// docs/FUNCTIONS.md), OUT/casadi/<f>.casadi and OUT/torch/.
//
//   thunder-torch-toy OUT
//   thunder-torch-toy --ops OUT    one function op_<code> per CasADi operation the torch exporter
//                                  takes, and OUT/op_table.json: for every CasADi op code, whether
//                                  the torch exporter and the CUDA emitter each accept it, and
//                                  OUT/cuda_ops.cu: the CUDA kernel of every op_<code> the emitter
//                                  takes (compiles as host C++ too: see the prologue), and
//                                  OUT/simd_ops.cpp: the SIMD tile kernel of every op_<code> the
//                                  SIMD emitter takes (the native CPU kernels; thunder_simd.h inlined)
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "thunder/export/native/cuda_emitter.h"
#include "thunder/export/native/native_runtime_files.h"
#include "thunder/export/native/simd_emitter.h"
#include "thunder/export/torch/torch_exporter.h"
#include "thunder/util/json.h"

using casadi::SX;
using namespace thunder;

namespace {

void write_manifest(const FunctionSet& set, const std::filesystem::path& out) {
  std::ofstream os(out / "manifest.json");
  JsonWriter js(os);
  js.begin_object().key("thunder_manifest").value(1).key("generator").value("thunder-torch-toy")
      .key("robot").value(set.robot).key("source").value(set.source)
      .key("n_joints").value(set.n_joints);
  js.key("params").begin_array();
  for (const auto& p : set.params) {
    js.begin_object().key("name").value(p.name).key("description").value(p.description)
        .key("elements").array(p.elements).key("values").array(p.values)
        .key("symbolic").array(p.symbolic).end_object();
  }
  js.end_array().key("functions").begin_array();
  for (const auto& fi : set.functions) {
    const auto& f = fi.fn;
    js.begin_object().key("name").value(f.name()).key("description").value(fi.description)
        .key("file").value("casadi/" + f.name() + ".casadi")
        .key("n_instructions").value(static_cast<long long>(f.n_instructions()));
    js.key("inputs").begin_array();
    for (casadi_int j = 0; j < f.n_in(); ++j)
      js.begin_object().key("name").value(f.name_in(j)).key("shape").begin_array()
          .value(static_cast<long long>(f.size1_in(j))).value(static_cast<long long>(f.size2_in(j)))
          .end_array().key("param").value(set.is_param_input(f.name_in(j))).end_object();
    js.end_array().key("outputs").begin_array();
    for (casadi_int j = 0; j < f.n_out(); ++j)
      js.begin_object().key("name").value(f.name_out(j)).key("shape").begin_array()
          .value(static_cast<long long>(f.size1_out(j))).value(static_cast<long long>(f.size2_out(j)))
          .end_array().end_object();
    js.end_array().end_object();
  }
  js.end_array().end_object();
  os << "\n";
}

/// Probes each exporter with a one-operation function per CasADi op code rather than reading
/// their tables: the tables may be merged or rewritten, and what counts is what each accepts.
int ops_main(const std::filesystem::path& out) {
  namespace fs = std::filesystem;
  fs::create_directories(out / "casadi");
  const fs::path scratch = out / "probe";
  FunctionSet set;
  set.robot = "ops";
  set.source = "tests/cpp_tools/torch_toy_export.cpp --ops";
  set.n_joints = 2;
  std::ofstream table(out / "op_table.json");
  JsonWriter js(table);
  js.begin_array();
  SX x = SX::sym("q", 2);
  std::ostringstream cuda_all, simd_all;
  cuda_all << native_runtime::thunder_cuda_h;
  simd_all << native_runtime::thunder_simd_h;
  for (int op = 0; op <= casadi::OP_REMAINDER; ++op) {  // NUM_BUILT_IN_OPS - 1
    using M = casadi::casadi_math<double>;
    const unsigned char o = static_cast<unsigned char>(op);
    js.begin_object().key("op").value(op).key("name").value(M::name(o));
    // Operations on values (unary or binary), not structure (CONST, INPUT, OUTPUT, CALL, ...).
    bool is_math = M::is_unary(o) || M::is_binary(o);
    SX e;
    if (is_math) {
      try {
        // constpow keeps a constant exponent (with a symbolic one CasADi makes it pow)
        const SX y = op == casadi::OP_CONSTPOW ? SX(2.5) : x(1);
        e = M::is_binary(o) ? SX::binary(op, x(0), y) : SX::unary(op, x(0));
      } catch (...) {
        is_math = false;
      }
    }
    js.key("ndeps").value(static_cast<long long>(M::ndeps(o)));
    const std::string printed = M::name(o);
    js.key("math").value(is_math);
    if (is_math) {
      // The op must survive as an instruction (SX construction may simplify it away).
      casadi::Function f("op_" + std::to_string(op), {x}, {e}, {"q"}, {"y"});
      bool present = false;
      for (casadi_int k = 0; k < f.n_instructions(); ++k) present = present || f.instruction_id(k) == op;
      js.key("present").value(present);
      FunctionSet one = set;
      one.functions = {{f, printed}};
      std::string torch_error, cuda_error, simd_error;
      try {
        fs::create_directories(scratch);
        export_torch(one, scratch, {});
      } catch (const std::exception& ex) {
        torch_error = ex.what();
      }
      try {
        std::ostringstream cu;
        emit_cuda_kernel(cu, f, "probe");
        if (present) emit_cuda_kernel(cuda_all, f, f.name());
      } catch (const std::exception& ex) {
        cuda_error = ex.what();
      }
      try {
        std::ostringstream tile;
        emit_simd_kernel(tile, f, "probe");
        if (present) emit_simd_kernel(simd_all, f, f.name());
      } catch (const std::exception& ex) {
        simd_error = ex.what();
      }
      js.key("torch").value(torch_error.empty()).key("torch_error").value(torch_error)
          .key("cuda").value(cuda_error.empty()).key("cuda_error").value(cuda_error)
          .key("simd").value(simd_error.empty()).key("simd_error").value(simd_error);
      if (torch_error.empty() && present) set.functions.push_back({f, printed});
    }
    js.end_object();
  }
  js.end_array();
  table << "\n";
  fs::remove_all(scratch);
  std::ofstream(out / "cuda_ops.cu") << cuda_all.str();
  // what a SIMD library's registry adds: the tile driver's thread pool and thread count
  simd_all << native_runtime::thunder_pool_h << "extern \"C\" { int thunder_native_threads_ = 1; }\n";
  std::ofstream(out / "simd_ops.cpp") << simd_all.str();
  for (const auto& fi : set.functions) fi.fn.save((out / "casadi" / (fi.fn.name() + ".casadi")).string());
  write_manifest(set, out);
  export_torch(set, out, {});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--ops") return ops_main(argv[2]);
  if (argc != 2) {
    std::cerr << "usage: thunder-torch-toy OUT | thunder-torch-toy --ops OUT\n";
    return 2;
  }
  const std::filesystem::path out = argv[1];
  std::filesystem::create_directories(out / "casadi");

  FunctionSet set;
  set.robot = "toy";
  set.source = "tests/cpp_tools/torch_toy_export.cpp";
  set.n_joints = 3;
  ParamSet dyn{"par_DYN", "toy dynamic parameters",
               {"link1.mass", "link1.CoM_x", "link1.CoM_y", "link1.Ixx"},
               {2.5, 0.125, -0.25, 0.03125}, {true, false, true, false}};
  ParamSet reg{"par_REG", "toy regressor parameters (derived from par_DYN)",
               {"link1.mass", "link1.m_CoM_x", "link1.m_CoM_y", "link1.Ixx"},
               {0, 0, 0, 0}, {false, false, false, false}};
  ParamSet grav{"par_gravity", "gravity", {"gravity.x", "gravity.y", "gravity.z"},
                {0.0, 0.0, -9.81}, {false, false, false}};
  // par_REG defaults derived from par_DYN
  reg.values = {2.5, 2.5 * 0.125, 2.5 * -0.25, 0.03125 + 2.5 * (0.125 * 0.125 + 0.25 * 0.25)};
  set.params = {dyn, reg, grav};

  SX q = SX::sym("q", 3), dq = SX::sym("dq", 3);
  SX pd = SX::sym("par_DYN", 2);  // symbolic elements 0 and 2
  SX m = pd(0), cx = 0.125, cy = pd(1), ixx = 0.03125;
  SX g = -9.81;

  // Non-symmetric 3x2 matrix mixing many operations and the parameters.
  SX A = SX::zeros(3, 2);
  A(0, 0) = m * sin(q(0)) + cx * cos(q(1));
  A(1, 0) = exp(0.1 * q(2)) - log(2.0 + q(0) * q(0)) / (1.5 + cos(q(1)));
  A(2, 0) = sqrt(1.0 + dq(0) * dq(0)) * tan(0.3 * q(2));
  A(0, 1) = atan2(q(1), q(2) + 0.5) + pow(2.0 + sin(dq(1)), q(0));
  A(1, 1) = pow(q(0), 3) - pow(dq(2), 2) + cy * g * 3.0;
  A(2, 1) = -tanh(q(0)) + sinh(0.5 * dq(0)) / cosh(q(1)) + ixx * atan(dq(2));
  set.functions.push_back({casadi::Function("ops", {q, dq, pd}, {A}, {"q", "dq", "par_DYN"}, {"A"}),
                           "non-symmetric 3x2 matrix of many operations"});

  // Non-smooth operations.
  SX ns = SX::zeros(3, 3);
  ns(0, 0) = sign(dq(0));
  ns(1, 0) = casadi::SX::if_else(q(0) > 0.2, q(1) * q(2), -dq(1));
  ns(2, 0) = fmin(q(0), dq(0)) + fmax(q(1), dq(1));
  ns(0, 1) = fabs(q(2)) * sign(q(1));
  ns(1, 1) = floor(3.0 * q(0)) + ceil(2.0 * dq(2));
  ns(2, 1) = fmod(5.0 * q(1), 1.25) + copysign(q(0), dq(0));
  ns(0, 2) = casadi::SX::if_else(q(1) <= dq(1), asin(0.5 * sin(q(0))), acos(0.5 * cos(q(2))));
  ns(1, 2) = casadi::SX::if_else(logic_and(q(0) < 0.5, dq(0) >= -0.5), erf(q(2)), hypot(q(0), q(1)));
  ns(2, 2) = casadi::SX::if_else(logic_or(q(2) == 0.0, !(dq(2) != 0.0)), 1.0, 1.0 / (2.0 + q(2))) +
             asinh(q(0)) + acosh(2.0 + q(1) * q(1)) + atanh(0.5 * tanh(q(2))) + log1p(q(0) * q(0)) +
             expm1(0.1 * dq(1));
  set.functions.push_back({casadi::Function("nonsmooth", {q, dq}, {ns}, {"q", "dq"}, {"N"}),
                           "non-smooth operations: sign, if_else, fmin/fmax, floor/ceil, fmod"});

  // Operations whose edge cases random inputs never reach: erfinv, remainder (ties to even at
  // 5 q = 2.5), copysign of a signed zero, sign(0), comparisons at equality (the test feeds rows
  // of exact zeros, -0.0 and ties).
  SX sp = SX::zeros(3, 2);
  sp(0, 0) = erfinv(0.5 * tanh(q(0))) + remainder(5.0 * q(1), 1.0);
  sp(1, 0) = copysign(1.0, dq(2)) + 3.0 * sign(q(2)) + 7.0 * sign(dq(0));
  sp(2, 0) = casadi::SX::if_else(q(0) == dq(0), 1.0, 2.0) + casadi::SX::if_else(q(1) < dq(1), 4.0, 8.0) +
             remainder(q(2), 0.5);
  sp(0, 1) = casadi::SX::if_else(q(2) >= 0.0, q(0), -q(1)) + fmax(q(0), dq(0)) * fmin(q(1), 0.0);
  sp(1, 1) = fabs(dq(1)) * sign(dq(1)) + floor(2.0 * q(2)) + ceil(-2.0 * dq(2));
  sp(2, 1) = erfinv(0.25 * q(2)) * remainder(3.0 * dq(1), 2.0);
  set.functions.push_back({casadi::Function("special", {q, dq}, {sp}, {"q", "dq"}, {"E"}),
                           "edge cases: erfinv, remainder ties, copysign(-0), sign(0), equality"});

  // Multi-output: 2x3 matrix, 3-vector, scalar; depends on a symbolic parameter.
  SX B = SX::zeros(2, 3);
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c) B(r, c) = (r + 1) * q(c) + (c + 2) * dq(r) * dq(r) + r * m;
  SX b = SX::vertcat({q(0) * dq(1), 2 * q(1), q(2) / (1 + dq(0) * dq(0))});
  SX sc = dot(q, dq) * cy;
  set.functions.push_back({casadi::Function("multi", {q, dq, pd}, {B, b, sc},
                                            {"q", "dq", "par_DYN"}, {"B", "b", "s"}),
                           "three outputs: a 2x3 matrix, a 3-vector and a scalar"});

  // Sparse, non-symmetric output: diagonal plus one off-diagonal entry.
  SX S = SX(casadi::Sparsity::triplet(3, 3, {0, 1, 2, 2}, {0, 1, 2, 0}));
  S(0, 0) = sin(q(0));
  S(1, 1) = q(1) * q(1);
  S(2, 2) = cos(q(2));
  S(2, 0) = 7.0 * q(0) - q(2);
  set.functions.push_back(
      {casadi::Function("sparse", {q}, {S}, {"q"}, {"S"}), "sparse 3x3 output (lower entry (2,0))"});

  // A function with no symbolic input (constants only) and the par_DYN -> par_REG map.
  SX T0 = SX::eye(4);
  T0(2, 3) = 0.333;
  set.functions.push_back(
      {casadi::Function("T_0", std::vector<SX>{}, {T0}, std::vector<std::string>{}, {"T_0"}),
       "constant base transform"});
  SX dall = SX::sym("par_DYN", 4);
  SX regv = SX::vertcat({dall(0), dall(0) * dall(1), dall(0) * dall(2),
                         dall(3) + dall(0) * (dall(1) * dall(1) + dall(2) * dall(2))});
  set.functions.push_back({casadi::Function("par_DYN_to_REG", {dall}, {regv}, {"par_DYN"}, {"par_REG"}),
                           "par_DYN -> par_REG"});

  // A 7-joint chain (a few thousand instructions) for the benchmarks: end-effector transform,
  // position Jacobian and the non-symmetric product Jp^T Jp + diag-free coupling.
  SX qc = SX::sym("qc", 7);
  SX T = SX::eye(4);
  for (int i = 0; i < 7; ++i) {
    SX Ti = SX::eye(4);
    const double alpha = (i % 2 ? 1.5707963267948966 : -1.5707963267948966), a = 0.05 * (i + 1);
    SX c = cos(qc(i)), sn = sin(qc(i));
    Ti(0, 0) = c;  Ti(0, 1) = -sn;  Ti(0, 3) = a;
    Ti(1, 0) = sn * cos(alpha);  Ti(1, 1) = c * cos(alpha);  Ti(1, 2) = -sin(alpha);
    Ti(2, 0) = sn * sin(alpha);  Ti(2, 1) = c * sin(alpha);  Ti(2, 2) = cos(alpha);
    Ti(1, 3) = -sin(alpha) * 0.1 * i;  Ti(2, 3) = cos(alpha) * 0.1 * i;
    T = mtimes(T, Ti);
  }
  SX Jp = jacobian(T(casadi::Slice(0, 3), 3), qc);
  SX Mc = mtimes(Jp.T(), Jp) + mtimes(Jp.T(), SX::ones(3, 7)) * pd(0);
  set.functions.push_back({casadi::Function("chain", {qc, pd}, {T, Jp, Mc}, {"qc", "par_DYN"},
                                            {"T", "Jp", "Mc"}),
                           "7-joint chain: transform, position Jacobian, non-symmetric product"});

  for (const auto& fi : set.functions) fi.fn.save((out / "casadi" / (fi.fn.name() + ".casadi")).string());
  write_manifest(set, out);
  export_torch(set, out, [](const std::string& m) { std::cout << m << "\n"; });
  return 0;
}
