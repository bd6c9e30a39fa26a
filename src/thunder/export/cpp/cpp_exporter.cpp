#include "thunder/export/cpp/cpp_exporter.h"
#include "thunder/export/cpp/chunked_c.h"
#include "thunder/export/cpp/factored_solve_c.h"
#include "thunder/export/cpp/inline_trig.h"
#include "thunder/export/cpp/isa_twin.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "thunder/export/cpp/wrapper_templates.h"
#include "thunder/util/identifier.h"
#include "thunder/util/text.h"
#include "thunder/util/text_file.h"

#ifndef THUNDER_VERSION
#define THUNDER_VERSION "0.0.0"
#endif

namespace thunder {

namespace {

namespace fs_ = std::filesystem;

bool is_identifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

/// A C/C++ string literal of `s`.
std::string quoted(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    switch (c) {
      case '"': r += "\\\""; break;
      case '\\': r += "\\\\"; break;
      case '\n': r += "\\n"; break;
      case '\t': r += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned char>(c));
          r += buf;
        } else {
          r += c;
        }
    }
  }
  return r + "\"";
}

/// A C++ expression of the double `v`, exact.
std::string cpp_double(double v) {
  if (std::isnan(v)) return "std::numeric_limits<double>::quiet_NaN()";
  if (std::isinf(v))
    return v > 0 ? "std::numeric_limits<double>::infinity()"
                 : "-std::numeric_limits<double>::infinity()";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

/// One line of a doc comment: newlines folded.
std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return s;
}

/// `fn` under a new name (the C symbol), same inputs, outputs, names and sparsity.
casadi::Function renamed(const casadi::Function& fn, const std::string& name) {
  if (fn.is_a("SXFunction")) {
    std::vector<casadi::SX> in = fn.sx_in();
    return casadi::Function(name, in, fn(in), fn.name_in(), fn.name_out());
  }
  std::vector<casadi::MX> in = fn.mx_in();
  return casadi::Function(name, in, fn(in), fn.name_in(), fn.name_out());
}

const std::vector<std::string> kCanonicalVariables = {"q",  "dq",   "ddq", "d3q", "d4q", "dqr",
                                                      "ddqr", "w",  "x",   "dx",  "ddx"};

enum InputKind { kVar = 0, kParSymbolic = 1, kParFull = 2 };

struct Binding {
  InputKind kind;
  int index;  ///< into variables or params
};

struct FnPlan {
  std::string name;    ///< function name (getter get_<name>)
  std::string symbol;  ///< C symbol thunder_<robot>_<name>
  std::string description;
  std::vector<Binding> inputs;
  std::vector<std::string> input_names;
  std::vector<std::string> outputs;
  std::vector<std::pair<casadi_int, casadi_int>> output_shapes;
};

struct Plan {
  std::string id;     ///< robot identifier
  std::string cls;    ///< class name thunder_<id>
  std::vector<std::string> variables;
  std::vector<int> variable_sizes;
  std::vector<FnPlan> functions;
  int par_dyn = -1, par_reg = -1, dyn_to_reg = -1, reg_to_dyn = -1;
};

Plan make_plan(const FunctionSet& fs) {
  Plan plan;
  plan.id = cpp_robot_identifier(fs.robot);
  plan.cls = "thunder_" + plan.id;

  std::set<std::string> methods;
  auto claim = [&](const std::string& method) {
    if (!methods.insert(method).second)
      throw std::runtime_error("C++ exporter: two members of " + plan.cls + " would be named " +
                               method);
  };

  for (size_t p = 0; p < fs.params.size(); ++p) {
    const ParamSet& ps = fs.params[p];
    if (!is_identifier(ps.name))
      throw std::runtime_error("C++ exporter: parameter set name '" + ps.name +
                               "' is not a C identifier");
    if (ps.values.size() != ps.elements.size() || ps.symbolic.size() != ps.elements.size())
      throw std::runtime_error("C++ exporter: parameter set " + ps.name +
                               " has elements, values and symbolic flags of different lengths");
    claim("set_" + ps.name);
    claim("get_" + ps.name);
    if (ps.name == "par_DYN") plan.par_dyn = static_cast<int>(p);
    if (ps.name == "par_REG") plan.par_reg = static_cast<int>(p);
  }

  // Variables: every input that is not a parameter set, canonical ones first.
  std::map<std::string, int> var_size;
  std::vector<std::string> others;
  for (const auto& f : fs.functions) {
    const casadi::Function& fn = f.fn;
    for (casadi_int i = 0; i < fn.n_in(); ++i) {
      const std::string& in = fn.name_in(i);
      if (fs.is_param_input(in)) continue;
      const casadi::Sparsity& sp = fn.sparsity_in(i);
      if (!sp.is_dense())
        throw std::runtime_error("C++ exporter: input " + in + " of " + fn.name() +
                                 " is sparse; the wrapper passes dense vectors");
      int n = static_cast<int>(sp.numel());
      auto it = var_size.find(in);
      if (it == var_size.end()) {
        if (!is_identifier(in))
          throw std::runtime_error("C++ exporter: input name '" + in + "' of " + fn.name() +
                                   " is not a C identifier");
        var_size[in] = n;
        if (std::find(kCanonicalVariables.begin(), kCanonicalVariables.end(), in) ==
            kCanonicalVariables.end())
          others.push_back(in);
      } else if (it->second != n) {
        throw std::runtime_error("C++ exporter: input " + in + " has size " +
                                 std::to_string(it->second) + " in one function and " +
                                 std::to_string(n) + " in " + fn.name());
      }
    }
  }
  for (const auto& v : kCanonicalVariables)
    if (var_size.count(v)) plan.variables.push_back(v);
  for (const auto& v : others) plan.variables.push_back(v);
  for (const auto& v : plan.variables) {
    plan.variable_sizes.push_back(var_size[v]);
    claim("set_" + v);
    claim("get_" + v);
  }

  std::set<std::string> fn_names;
  for (const auto& f : fs.functions) {
    const casadi::Function& fn = f.fn;
    FnPlan fp;
    fp.name = fn.name();
    if (!is_identifier(fp.name))
      throw std::runtime_error("C++ exporter: function name '" + fp.name +
                               "' is not a C identifier");
    if (!fn_names.insert(fp.name).second)
      throw std::runtime_error("C++ exporter: two functions are named " + fp.name);
    claim("get_" + fp.name);
    fp.symbol = plan.cls + "_" + fp.name;
    fp.description = f.description;
    for (casadi_int i = 0; i < fn.n_in(); ++i) {
      const std::string& in = fn.name_in(i);
      fp.input_names.push_back(in);
      if (!fs.is_param_input(in)) {
        int v = static_cast<int>(
            std::find(plan.variables.begin(), plan.variables.end(), in) - plan.variables.begin());
        fp.inputs.push_back({kVar, v});
        continue;
      }
      int p = 0;
      while (fs.params[p].name != in) ++p;
      const ParamSet& ps = fs.params[p];
      const casadi::Sparsity& sp = fn.sparsity_in(i);
      if (!sp.is_dense())
        throw std::runtime_error("C++ exporter: parameter input " + in + " of " + fn.name() +
                                 " is sparse");
      casadi_int n = sp.numel();
      casadi_int n_symb = static_cast<casadi_int>(ps.symbolic_indices().size());
      if (n == n_symb)
        fp.inputs.push_back({kParSymbolic, p});
      else if (n == ps.size())
        fp.inputs.push_back({kParFull, p});
      else
        throw std::runtime_error("C++ exporter: input " + in + " of " + fn.name() + " has " +
                                 std::to_string(n) + " elements; " + in + " has " +
                                 std::to_string(ps.size()) + " elements, " +
                                 std::to_string(n_symb) + " of them symbolic");
    }
    for (casadi_int o = 0; o < fn.n_out(); ++o) {
      fp.outputs.push_back(fn.name_out(o));
      fp.output_shapes.push_back({fn.size1_out(o), fn.size2_out(o)});
    }
    plan.functions.push_back(fp);
  }

  // The maps between par_DYN and par_REG keep the two sets consistent in the wrapper.
  auto map_index = [&](const std::string& name, int from, int to) {
    if (from < 0 || to < 0) return -1;
    for (size_t k = 0; k < plan.functions.size(); ++k) {
      const FnPlan& fp = plan.functions[k];
      if (fp.name != name) continue;
      if (fp.inputs.size() != 1 || fp.inputs[0].index != from || fp.inputs[0].kind == kVar ||
          fp.outputs.size() != 1 ||
          fp.output_shapes[0].first * fp.output_shapes[0].second != fs.params[to].size())
        return -1;
      // A full-vector input is needed; with every element symbolic both kinds are the same.
      if (fp.inputs[0].kind == kParSymbolic &&
          static_cast<int>(fs.params[from].symbolic_indices().size()) != fs.params[from].size())
        return -1;
      return static_cast<int>(k);
    }
    return -1;
  };
  plan.dyn_to_reg = map_index("par_DYN_to_REG", plan.par_dyn, plan.par_reg);
  plan.reg_to_dyn = map_index("par_REG_to_DYN", plan.par_reg, plan.par_dyn);
  return plan;
}

std::string shape_text(const std::pair<casadi_int, casadi_int>& s) {
  return std::to_string(s.first) + "x" + std::to_string(s.second);
}

std::string header_text(const FunctionSet& fs, const Plan& plan) {
  std::ostringstream h;
  h << "// " << plan.cls << ": generated by thunder " << THUNDER_VERSION << " from "
    << one_line(fs.source) << ". Do not edit.\n";
  h << replace_all(replace_all(kHeaderPrologue, "@CLASS@", plan.cls), "@ROBOT@", plan.id);
  h << "/// Robot " << one_line(fs.robot) << ": " << fs.n_joints
    << " joints. Not thread-safe (one work buffer per object; use one object per thread).\n";
  h << "class " << plan.cls << " {\n public:\n";
  h << "  static constexpr int n_joints = " << fs.n_joints << ";\n";
  h << "  /// Sizes of q and of the velocity dq (a floating base's q holds a quaternion: nq = nv + 1).\n";
  h << "  static constexpr int nq = " << fs.nq << ", nv = " << fs.nv << ";\n";
  h << "  static constexpr bool floating_base = " << (fs.floating_base ? "true" : "false") << ";\n";
  h << "  int get_numJoints() const { return n_joints; }\n";
  h << "  /// Joint names in q order (the floating base first, if any).\n";
  h << "  static const std::vector<std::string>& joint_names() {\n";
  h << "    static const std::vector<std::string> names = {";
  for (size_t j = 0; j < fs.joints.size(); ++j)
    h << (j ? ", " : "") << "\"" << replace_all(replace_all(one_line(fs.joints[j]), "\\", "\\\\"), "\"", "\\\"") << "\"";
  h << "};\n    return names;\n  }\n\n";
  h << "  /// Variables are zero (a floating base's q, q0, q1: the neutral configuration, identity\n"
       "  /// quaternion) and parameters at the defaults of the robot file.\n";
  h << "  " << plan.cls << "();\n\n";

  h << "  // ---- Variables (std::invalid_argument on a wrong size)\n";
  for (size_t v = 0; v < plan.variables.size(); ++v) {
    const std::string& name = plan.variables[v];
    h << "  void set_" << name << "(const Eigen::VectorXd& " << name << ");  ///< size "
      << plan.variable_sizes[v] << "\n";
    h << "  const Eigen::VectorXd& get_" << name << "() const { return vars_[" << v << "]; }\n";
  }

  h << "\n  // ---- Parameter sets: full vectors, element order as in manifest.json. Functions\n"
       "  // receive the symbolic elements; the others are constants in the generated code.\n";
  for (size_t p = 0; p < fs.params.size(); ++p) {
    const ParamSet& ps = fs.params[p];
    h << "  /// " << ps.name << " (" << ps.size() << " elements";
    if (!ps.elements.empty())
      h << ": " << ps.elements.front() << (ps.size() > 1 ? " ... " + ps.elements.back() : "");
    h << ")" << (ps.description.empty() ? "" : ": " + one_line(ps.description)) << "\n";
    if (static_cast<int>(p) == plan.par_dyn && plan.dyn_to_reg >= 0)
      h << "  /// Setting it recomputes par_REG (par_DYN_to_REG).\n";
    if (static_cast<int>(p) == plan.par_reg && plan.reg_to_dyn >= 0)
      h << "  /// Setting it recomputes par_DYN (par_REG_to_DYN).\n";
    h << "  void set_" << ps.name << "(const Eigen::VectorXd& " << ps.name << ");\n";
    h << "  const Eigen::VectorXd& get_" << ps.name << "() const { return par_[" << p
      << "]; }\n";
  }

  h << "\n  // ---- Functions: outputs dense, (rows x cols) as in manifest.json\n";
  for (const auto& fp : plan.functions) {
    h << "  /// " << fp.name << "(";
    for (size_t i = 0; i < fp.input_names.size(); ++i) h << (i ? ", " : "") << fp.input_names[i];
    h << ")";
    if (!fp.description.empty()) h << ": " << one_line(fp.description);
    h << "\n";
    if (fp.outputs.size() == 1) {
      h << "  /// Output " << fp.outputs[0] << " " << shape_text(fp.output_shapes[0]) << ".\n";
      h << "  Eigen::MatrixXd get_" << fp.name << "() const;\n";
      h << "  void get_" << fp.name << "(Eigen::MatrixXd& out) const;  ///< no allocation when sized\n";
    } else {
      h << "  /// Outputs, in order:";
      for (size_t o = 0; o < fp.outputs.size(); ++o)
        h << (o ? ", " : " ") << fp.outputs[o] << " " << shape_text(fp.output_shapes[o]);
      h << ".\n";
      h << "  std::vector<Eigen::MatrixXd> get_" << fp.name << "() const;\n";
      h << "  void get_" << fp.name
        << "(std::vector<Eigen::MatrixXd>& out) const;  ///< no allocation when sized\n";
    }
  }
  h << replace_all(kHeaderEpilogue, "@CLASS@", plan.cls);
  return h.str();
}

std::string source_text(const FunctionSet& fs, const Plan& plan) {
  std::ostringstream s;
  s << "// " << plan.cls << ": generated by thunder " << THUNDER_VERSION << " from "
    << one_line(fs.source) << ". Do not edit.\n";
  s << "#include \"" << plan.cls << ".h\"\n\n";
  for (const auto& fp : plan.functions) s << "#include \"" << fp.symbol << ".h\"\n";
  s << kSourceIncludes;

  size_t max_in = 1;
  for (const auto& fp : plan.functions) max_in = std::max(max_in, fp.inputs.size());

  s << "namespace {\n\n";
  s << "constexpr int kMaxIn = " << max_in << ";\n";
  s << kSourceTypes;
  s << "const char* const kRobot = " << quoted(fs.robot) << ";\n";
  s << "const char* const kSource = " << quoted(fs.source) << ";\n";
  s << "const char* const kClass = " << quoted(plan.cls) << ";\n\n";

  // Function table.
  s << "const Fn kFns[] = {\n";
  for (const auto& fp : plan.functions) {
    s << "    {" << fp.symbol << ", " << fp.symbol << "_checkout, " << fp.symbol << "_release, "
      << fp.symbol << "_work, " << fp.symbol << "_sparsity_out, " << fp.inputs.size() << ", "
      << fp.outputs.size() << ", {";
    for (size_t i = 0; i < fp.inputs.size(); ++i)
      s << (i ? ", " : "") << "{" << fp.inputs[i].kind << ", " << fp.inputs[i].index << "}";
    if (fp.inputs.empty()) s << "{-1, -1}";
    s << "}},\n";
  }
  if (plan.functions.empty()) s << "    {nullptr, nullptr, nullptr, nullptr, nullptr, 0, 0, {{-1, -1}}},\n";
  s << "};\n";
  s << "constexpr int kNFns = " << plan.functions.size() << ";\n";
  s << "constexpr int kNVars = " << plan.variables.size() << ";\n";
  s << "constexpr int kNPars = " << fs.params.size() << ";\n";
  s << "constexpr int kParDYN = " << plan.par_dyn << ", kParREG = " << plan.par_reg
    << ", kDynToReg = " << plan.dyn_to_reg << ", kRegToDyn = " << plan.reg_to_dyn << ";\n\n";

  // Name tables (function-local statics: no static initialization order issues).
  s << "const std::vector<std::string>& function_names_() {\n  static const std::vector<std::string> v = {";
  for (size_t k = 0; k < plan.functions.size(); ++k)
    s << (k ? ", " : "") << quoted(plan.functions[k].name);
  s << "};\n  return v;\n}\n";
  s << "const std::vector<std::vector<std::string>>& output_names_() {\n"
       "  static const std::vector<std::vector<std::string>> v = {";
  for (size_t k = 0; k < plan.functions.size(); ++k) {
    s << (k ? ",\n      {" : "\n      {");
    for (size_t o = 0; o < plan.functions[k].outputs.size(); ++o)
      s << (o ? ", " : "") << quoted(plan.functions[k].outputs[o]);
    s << "}";
  }
  s << "};\n  return v;\n}\n";
  s << "const std::vector<std::string>& variable_names_() {\n  static const std::vector<std::string> v = {";
  for (size_t v = 0; v < plan.variables.size(); ++v)
    s << (v ? ", " : "") << quoted(plan.variables[v]);
  s << "};\n  return v;\n}\n";
  s << "const int kVarSizes[] = {";
  for (size_t v = 0; v < plan.variables.size(); ++v) s << (v ? ", " : "") << plan.variable_sizes[v];
  if (plan.variables.empty()) s << "0";
  s << "};\n";
  s << "const std::vector<std::string>& param_names_() {\n  static const std::vector<std::string> v = {";
  for (size_t p = 0; p < fs.params.size(); ++p) s << (p ? ", " : "") << quoted(fs.params[p].name);
  s << "};\n  return v;\n}\n";
  s << "const std::vector<std::vector<std::string>>& param_elements_() {\n"
       "  static const std::vector<std::vector<std::string>> v = {";
  for (size_t p = 0; p < fs.params.size(); ++p) {
    s << (p ? ",\n      {" : "\n      {");
    for (int i = 0; i < fs.params[p].size(); ++i)
      s << (i ? ", " : "") << quoted(fs.params[p].elements[i]);
    s << "}";
  }
  s << "};\n  return v;\n}\n";
  // index names ("link3.mass") that parameter files may use for a URDF robot's own names
  s << "const std::vector<std::vector<std::string>>& param_aliases_() {\n"
       "  static const std::vector<std::vector<std::string>> v = {";
  for (size_t p = 0; p < fs.params.size(); ++p) {
    s << (p ? ",\n      {" : "\n      {");
    const auto& aliases = fs.params[p].aliases;
    for (size_t i = 0; i < aliases.size(); ++i) s << (i ? ", " : "") << quoted(aliases[i]);
    s << "}";
  }
  s << "};\n  return v;\n}\n";
  s << "const std::vector<std::vector<double>>& param_defaults_() {\n"
       "  static const std::vector<std::vector<double>> v = {";
  for (size_t p = 0; p < fs.params.size(); ++p) {
    s << (p ? ",\n      {" : "\n      {");
    for (int i = 0; i < fs.params[p].size(); ++i)
      s << (i ? ", " : "") << cpp_double(fs.params[p].values[i]);
    s << "}";
  }
  s << "};\n  return v;\n}\n";
  s << "const std::vector<std::vector<int>>& param_symbolic_() {\n"
       "  static const std::vector<std::vector<int>> v = {";
  for (size_t p = 0; p < fs.params.size(); ++p) {
    s << (p ? ",\n      {" : "\n      {");
    auto idx = fs.params[p].symbolic_indices();
    for (size_t i = 0; i < idx.size(); ++i) s << (i ? ", " : "") << idx[i];
    s << "}";
  }
  s << "};\n  return v;\n}\n\n";
  s << "}  // namespace\n\n";

  s << replace_all(kSourceBody, "@CLASS@", plan.cls);

  // Named setters and getters.
  s << "\n// ---- Named accessors\n";
  for (size_t v = 0; v < plan.variables.size(); ++v)
    s << "void " << plan.cls << "::set_" << plan.variables[v] << "(const Eigen::VectorXd& v) { set_var_("
      << v << ", v, \"set_" << plan.variables[v] << "\"); }\n";
  for (size_t p = 0; p < fs.params.size(); ++p)
    s << "void " << plan.cls << "::set_" << fs.params[p].name
      << "(const Eigen::VectorXd& v) { check_par_(" << p << ", v, \"set_" << fs.params[p].name
      << "\"); set_par_(" << p << ", v, true); }\n";
  for (size_t k = 0; k < plan.functions.size(); ++k) {
    const FnPlan& fp = plan.functions[k];
    if (fp.outputs.size() == 1) {
      s << "Eigen::MatrixXd " << plan.cls << "::get_" << fp.name
        << "() const { Eigen::MatrixXd out; call_into_(" << k << ", &out); return out; }\n";
      s << "void " << plan.cls << "::get_" << fp.name
        << "(Eigen::MatrixXd& out) const { call_into_(" << k << ", &out); }\n";
    } else {
      s << "std::vector<Eigen::MatrixXd> " << plan.cls << "::get_" << fp.name
        << "() const { return call_(" << k << "); }\n";
      s << "void " << plan.cls << "::get_" << fp.name
        << "(std::vector<Eigen::MatrixXd>& out) const { out.resize(" << fp.outputs.size()
        << "); call_into_(" << k << ", out.data()); }\n";
    }
  }
  return s.str();
}

// The CMake package and its README share the placeholders: class, target id, robot (the name
// of OUT/<robot>_par.yaml).
std::string fill(std::string t, const FunctionSet& fs, const Plan& plan) {
  t = replace_all(t, "@CLASS@", plan.cls);
  t = replace_all(t, "@ID@", plan.id);
  return replace_all(t, "@ROBOT@", fs.robot);
}

std::string cmake_text(const FunctionSet& fs, const Plan& plan, const std::vector<std::string>& extra_files,
                       const std::vector<std::string>& chunk_files, const std::vector<std::string>& twin_chunk_files) {
  std::string c_files;
  for (const auto& fp : plan.functions) c_files += "  " + fp.symbol + ".c\n";
  for (const auto& f : extra_files) c_files += "  " + f + "\n";
  for (const auto& f : chunk_files) c_files += "  " + f + "\n";
  for (const auto& f : twin_chunk_files) c_files += "  " + f + "\n";
  std::string text = replace_all(fill(kCMakeLists, fs, plan), "@C_FILES@", c_files);
  if (!chunk_files.empty()) {
    // Measured on the simple humanoid's FD_derivatives (bench/RESULTS_SCALE.md, "Chunks with
    // locals"): its chunks compile in 13.5 s of CPU at -O1 and 19.3 s at -O2 and run about as
    // fast per call (36.8 and 37.8 us, noise of a few %). Set per file, after the build type's
    // flags, so the chunk option wins; a cache variable, so a user can trade the other way.
    text += "\n# Chunks of large functions: -O1 runs about as fast per call as -O2 and compiles 1.4x faster\n"
            "# (bench/RESULTS_SCALE.md of Thunder); -DTHUNDER_CHUNK_OPT=-O2 trades the other way.\n"
            "set(THUNDER_CHUNK_OPT \"-O1\" CACHE STRING \"optimisation flag of the chunk files of large functions\")\n"
            "if(CMAKE_C_COMPILER_ID MATCHES \"GNU|Clang\")\n"
            "  set_source_files_properties(\n";
    for (const auto& f : chunk_files) text += "    " + f + "\n";
    text += "    PROPERTIES COMPILE_OPTIONS \"${THUNDER_CHUNK_OPT}\")\nendif()\n";
  }
  if (!twin_chunk_files.empty()) {
    // The x86-64-v3 builds exist for time per call: their chunks at -O2. At -O1 GCC forms no FMA
    // (its pass comes with -fexpensive-optimizations); with that flag alone the humanoid's
    // FD_derivatives ran at 0.41-0.42 of interpreted Pinocchio, at -O2 0.38 (bench/RESULTS_DYNAMICS.md),
    // for 16.0 s of compile CPU against 10.4 (its and tau_derivatives' chunks).
    text += "\n# Chunks of the x86-64-v3 builds of the derivatives (GCC; empty elsewhere): built for time per call\n"
            "set(THUNDER_V3_CHUNK_OPT \"-O2\" CACHE STRING \"optimisation flag of the chunks of the x86-64-v3 builds\")\n"
            "if(CMAKE_C_COMPILER_ID STREQUAL \"GNU\")\n"
            "  set_source_files_properties(\n";
    for (const auto& f : twin_chunk_files) text += "    " + f + "\n";
    text += "    PROPERTIES COMPILE_OPTIONS \"${THUNDER_V3_CHUNK_OPT}\")\nendif()\n";
  }
  return text;
}

}  // namespace

std::string cpp_robot_identifier(const std::string& robot) {
  const std::string id = identifier_of(robot);
  return id.empty() ? "robot" : id;
}

void export_cpp(const FunctionSet& fs, const std::filesystem::path& out_dir,
                std::function<void(const std::string&)> progress) {
  auto say = [&](const std::string& line) {
    if (progress) progress(line);
  };
  const Plan plan = make_plan(fs);
  const fs_::path dir = out_dir / "cpp";
  fs_::create_directories(dir);

  casadi::Dict opts = {{"with_header", true},
                       {"casadi_real", "double"},
                       {"casadi_int", "long long int"},
                       {"verbose", false}};
  std::vector<std::string> chunk_files;  // extra translation units of the chunked functions
  std::vector<std::string> extra_files;  // the parts of factored solves, the x86-64-v3 builds
  std::vector<std::string> twin_chunk_files;  // the chunks of the x86-64-v3 builds
  const long long above = chunk_threshold();
  // CasADi's C of `named` (C symbol = its name) in <symbol>.c, in chunks when large, and with
  // `v3` a second build of it for x86-64-v3 (isa_twin.h); returns the text.
  const auto emit_c = [&](const casadi::Function& named, const std::string& what,
                          const std::function<void(std::string&)>& rewrite, bool v3) {
    const std::string symbol = named.name();
    try {
      casadi::CodeGenerator gen(symbol + ".c", opts);
      gen.add(named);
      gen.generate((dir.string() + "/"));
    } catch (const std::exception& e) {
      throw std::runtime_error("C code generation of " + what + " into " + dir.string() + " failed: " + e.what());
    }
    const fs_::path file = dir / (symbol + ".c");
    std::string text = read_text(file);
    localize_casadi_helpers(text);
    if (rewrite) {
      rewrite(text);
    } else if (named.n_instructions() > above && chunkable(named)) {
      std::vector<std::string> chunks = emit_chunks(named, symbol, text);
      for (size_t c = 0; c < chunks.size(); ++c) {
        const std::string name = symbol + "_c" + std::to_string(c) + ".c";
        inline_trig(chunks[c]);
        write_file(dir / name, chunks[c]);
        chunk_files.push_back(name);
        if (v3) {
          const std::string twin = symbol + "_v3_c" + std::to_string(c) + ".c";
          write_file(dir / twin, isa_twin_text(chunks[c], symbol));
          twin_chunk_files.push_back(twin);
        }
      }
      say("  " + what + ": " + std::to_string(chunks.size()) + " chunks of up to " + std::to_string(chunk_size()) +
          " instructions");
    }
    inline_trig(text);
    if (v3) {
      write_file(dir / (symbol + "_v3.c"), isa_twin_text(text, symbol));
      extra_files.push_back(symbol + "_v3.c");
      dispatch_to_isa_twin(text, symbol);
      say("  " + what + ": also built for x86-64-v3");
    }
    write_file(file, text);
    return text;
  };
  for (size_t k = 0; k < plan.functions.size(); ++k) {
    const FnPlan& fp = plan.functions[k];
    const FunctionInfo& info = fs.functions[k];
    const casadi::Function& fn = info.fn;
    say("C code of " + fp.name + " (" + std::to_string(fn.n_instructions()) + " instructions)");
    if (!info.solve) {
      emit_c(renamed(fn, fp.symbol), fp.name, {}, gets_isa_twin(fp.name, fn.n_instructions()));
      continue;
    }
    const FactoredSolve& solve = *info.solve;
    const std::string parts_symbol = fp.symbol + "_parts";
    const std::string parts_text = emit_c(renamed(solve.parts, parts_symbol), fp.name + "_parts", {},
                                          gets_isa_twin(fp.name, solve.parts.n_instructions()));
    extra_files.push_back(parts_symbol + ".c");
    say("  " + fp.name + ": " + std::to_string(solve.parts.n_instructions()) +
        " instructions, then the solve for " + std::to_string(solve.columns.size()) + " columns in rows of " +
        std::to_string(solve.stride));
    emit_c(factored_solve_frame(fn, fp.symbol), fp.name, [&](std::string& text) {
      emit_factored_solve(fn, solve, fp.symbol, parts_symbol, work_size(parts_text, "sz_iw"),
                          work_size(parts_text, "sz_w"), text);
    }, false);
  }
  say("wrapper class " + plan.cls);
  write_file(dir / (plan.cls + ".h"), header_text(fs, plan));
  write_file(dir / (plan.cls + ".cpp"), source_text(fs, plan));
  write_file(dir / "example.cpp", replace_all(kExample, "@CLASS@", plan.cls));
  write_file(dir / "CMakeLists.txt", cmake_text(fs, plan, extra_files, chunk_files, twin_chunk_files));
  write_file(dir / "README.md", fill(kCppReadme, fs, plan));
}

}  // namespace thunder
