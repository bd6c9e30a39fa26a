// Fixed text of the generated C++ wrapper, example and CMakeLists (the exporter fills in the
// robot-specific tables). @CLASS@ stands for the class name thunder_<robot>.
#pragma once

namespace thunder {

inline constexpr const char* kHeaderPrologue = R"TPL(//
// Usage:
//   @CLASS@ robot;            // parameters at the robot file's defaults
//   robot.load_conf("@ROBOT@_par.yaml");  // optional: a parameter file
//   robot.set_q(q); robot.set_dq(dq);      // Eigen vectors; sizes are checked
//   Eigen::MatrixXd M = robot.get_M();     // a function with one output: a dense matrix
//   auto T = robot.get_T_0_i();            // several outputs: std::vector, in output order
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Dense>

)TPL";

inline constexpr const char* kHeaderEpilogue = R"TPL(
  // ---- Parameter files (format of docs/FUNCTIONS.md: one map per set, element: value)
  /// Reads a parameter file. Any subset of sets and elements may be given; the rest keep their
  /// values. An unknown set or element, a value that is not a finite number (.nan, .inf, 1e999,
  /// true, a quoted string), or a new value for an element that was folded into the generated
  /// code (not symbolic: regenerate with --symb) is a std::runtime_error "FILE:LINE: KEY:
  /// message", and then nothing changes. When the file gives par_DYN, par_REG is recomputed from
  /// it; when it gives par_REG but not par_DYN, par_DYN is recomputed from par_REG (when the maps
  /// par_DYN_to_REG / par_REG_to_DYN were generated).
  void load_conf(const std::string& file);
  /// Writes every parameter set, values as %.17g, in the format load_conf reads.
  void save_par(const std::string& file) const;

  // ---- thunder_dynamics 1.0 names (same meaning)
  static constexpr int ndof = nv;  ///< number of joint variables
  static const std::vector<std::string>& jointsName() { return joint_names(); }
  /// load_conf returning success instead of throwing; the message goes to `error` when given.
  bool load_par(const std::string& file, std::string* error = nullptr) {
    try {
      load_conf(file);
      return true;
    } catch (const std::exception& e) {
      if (error) *error = e.what();
      return false;
    }
  }

  // ---- Access by name (tools, tests); std::invalid_argument for an unknown name
  static const std::vector<std::string>& variable_names();
  static int variable_size(const std::string& name);
  static const std::vector<std::string>& param_names();
  static const std::vector<std::string>& param_elements(const std::string& set);
  static const std::vector<std::string>& function_names();
  static const std::vector<std::string>& output_names(const std::string& function);
  void set_variable(const std::string& name, const Eigen::VectorXd& value);
  const Eigen::VectorXd& get_variable(const std::string& name) const;
  void set_par(const std::string& set, const Eigen::VectorXd& value);
  const Eigen::VectorXd& get_par(const std::string& set) const;
  /// Every output of `function`, in order, dense.
  std::vector<Eigen::MatrixXd> eval(const std::string& function) const;

 private:
  void set_var_(int v, const Eigen::VectorXd& value, const std::string& setter);
  /// A floating base's configuration variable (q, q0, q1): its q[3:7] is the base quaternion.
  static bool is_configuration_(int v);
  /// Size, and folded elements unchanged (par_REG: those of the par_DYN it implies).
  void check_par_(int p, const Eigen::VectorXd& value, const std::string& setter) const;
  void set_par_(int p, const Eigen::VectorXd& value, bool sync);
  /// par_DYN computed from a full par_REG vector by par_REG_to_DYN (kRegToDyn >= 0).
  Eigen::VectorXd dyn_from_reg_(const Eigen::VectorXd& reg) const;
  std::vector<Eigen::MatrixXd> call_(int f) const;
  /// out: n_out matrices, resized. A full-set input of set `par` reads `par_data` instead.
  void call_into_(int f, Eigen::MatrixXd* out, int par = -1, const double* par_data = nullptr) const;

  std::vector<Eigen::VectorXd> vars_;      ///< by variable index (variable_names())
  std::vector<Eigen::VectorXd> par_;       ///< full parameter vectors (param_names())
  std::vector<Eigen::VectorXd> par_symb_;  ///< their symbolic elements, as the functions take them
  mutable std::vector<const double*> arg_;  ///< CasADi work buffers, sized for every function
  mutable std::vector<double*> res_;
  mutable std::vector<long long> iw_;
  mutable std::vector<double> w_;
  mutable std::vector<double> nz_;  ///< nonzeros of sparse outputs before densifying
};
)TPL";

inline constexpr const char* kSourceIncludes = R"TPL(
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <locale>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include <yaml-cpp/yaml.h>

#ifndef casadi_real
#define casadi_real double
#endif
#ifndef casadi_int
#define casadi_int long long int
#endif

)TPL";

inline constexpr const char* kSourceTypes = R"TPL(
/// One generated CasADi function and where its inputs come from: {kind, index} with kind 0 a
/// variable, 1 the symbolic elements of a parameter set, 2 a full parameter set.
struct Fn {
  int (*eval)(const casadi_real**, casadi_real**, casadi_int*, casadi_real*, int);
  int (*checkout)(void);
  void (*release)(int);
  int (*work)(casadi_int*, casadi_int*, casadi_int*, casadi_int*);
  const casadi_int* (*sparsity_out)(casadi_int);
  int n_in, n_out;
  int in[kMaxIn][2];
};

// CasADi sparsity: {nrow, ncol, colind[ncol + 1], row[nnz]} (compressed column storage), or the
// compact {nrow, ncol, 1} when dense (colind[0] is always 0, so the 1 cannot be a colind).
bool sp_dense(const casadi_int* sp) { return sp[2] == 1; }
casadi_int sp_nnz(const casadi_int* sp) { return sp_dense(sp) ? sp[0] * sp[1] : sp[2 + sp[1]]; }

int find_(const std::vector<std::string>& names, const std::string& name) {
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

std::string join_(const std::vector<std::string>& names) {
  std::string r;
  for (const auto& n : names) r += (r.empty() ? "" : ", ") + n;
  return r;
}

std::string yaml_double_(double v) {
  if (v != v) return ".nan";
  if (v == std::numeric_limits<double>::infinity()) return ".inf";
  if (v == -std::numeric_limits<double>::infinity()) return "-.inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // YAML 1.1 readers (PyYAML) take "1e+20" for a string: give the mantissa a point.
  std::string s = buf;
  const size_t e = s.find('e');
  if (e != std::string::npos && s.find('.') == std::string::npos) s.insert(e, ".0");
  return s;
}

/// "FILE:LINE: " of a YAML node ("FILE: " when the line is unknown).
std::string where_(const std::string& file, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? file + ":" + std::to_string(mark.line + 1) + ": " : file + ": ";
}

Eigen::VectorXd flat_(const Eigen::MatrixXd& m) {
  return Eigen::Map<const Eigen::VectorXd>(m.data(), m.size());
}

/// A parameter value: a plain (unquoted) YAML scalar written as a decimal number,
/// [-+]? (digits [. digits] | . digits) ([eE] [-+]? digits)?, with a finite value. So .nan,
/// .inf, nan, true, '0.5' and 1e999 (overflow) are not numbers here.
bool finite_number_(const YAML::Node& node, double& x) {
  if (!node.IsScalar() || node.Tag() != "?") return false;  // "!": a quoted scalar
  const std::string& s = node.Scalar();
  const auto digit = [&](size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; };
  size_t i = 0, mantissa = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  while (digit(i)) ++i, ++mantissa;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (digit(i)) ++i, ++mantissa;
  }
  if (mantissa == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i != s.size()) return false;
  std::istringstream is(s);
  is.imbue(std::locale::classic());
  is >> x;  // failbit on overflow
  return !is.fail() && std::isfinite(x);
}

/// Equal as the generated constant is: exactly (rtol 0), or within rtol * max(1, |default|) for
/// values computed through a map; NaN equals NaN.
bool same_(double value, double generated, double rtol) {
  if (value != value || generated != generated) return value != value && generated != generated;
  return rtol > 0 ? std::fabs(value - generated) <= rtol * std::max(1.0, std::fabs(generated))
                  : value == generated;
}

)TPL";

inline constexpr const char* kSourceBody = R"TPL(
namespace {

int index_or_throw_(const std::vector<std::string>& names, const std::string& name,
                    const char* what) {
  const int i = find_(names, name);
  if (i < 0)
    throw std::invalid_argument(std::string(kClass) + ": unknown " + what + " '" + name +
                                "' (known: " + join_(names) + ")");
  return i;
}

bool symbolic_(int p, int i) {
  const std::vector<int>& idx = param_symbolic_()[p];
  return std::binary_search(idx.begin(), idx.end(), i);
}

/// The first element of `value` that is folded in set p and differs from the generated
/// constant, or -1.
int changed_folded_(int p, const Eigen::VectorXd& value, double rtol) {
  for (int i = 0; i < static_cast<int>(value.size()); ++i)
    if (!symbolic_(p, i) && !same_(value[i], param_defaults_()[p][i], rtol)) return i;
  return -1;
}

/// The shortest %.Ng text (N <= 17) that reads back as `v`: for messages.
std::string short_double_(double v) {
  char buf[40];
  for (int digits = 6; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

/// "SET.ELEMENT: cannot set it ..." for element i of set p, set to `value`.
std::string folded_message_(int p, int i, double value) {
  const std::string& set = param_names_()[p];
  const std::string flag = set.compare(0, 4, "par_") == 0 ? set.substr(4) : set;
  return set + "." + param_elements_()[p][i] + ": cannot set it to " + short_double_(value) +
         ": it was folded into the generated code as the constant " +
         short_double_(param_defaults_()[p][i]) +
         " at generation (it is not symbolic). Regenerate with `thunder gen ROBOT --symb " + flag +
         "` (or flag it `symb` in the robot file) to change it at run time";
}

// par_DYN recomputed from par_REG differs from the file's numbers by the map's roundings.
constexpr double kMapRtol = 1000 * std::numeric_limits<double>::epsilon();

}  // namespace

@CLASS@::@CLASS@() {
  vars_.resize(kNVars);
  for (int v = 0; v < kNVars; ++v) {
    vars_[v] = Eigen::VectorXd::Zero(kVarSizes[v]);
    if (is_configuration_(v)) vars_[v][6] = 1.0;  // the neutral configuration: identity quaternion
  }
  par_.resize(kNPars);
  par_symb_.resize(kNPars);
  for (int p = 0; p < kNPars; ++p) {
    const std::vector<double>& d = param_defaults_()[p];
    Eigen::VectorXd v(static_cast<Eigen::Index>(d.size()));
    for (size_t i = 0; i < d.size(); ++i) v[static_cast<Eigen::Index>(i)] = d[i];
    set_par_(p, v, false);
  }
  casadi_int n_arg = 1, n_res = 1, n_iw = 0, n_w = 0, n_nz = 0;
  for (int f = 0; f < kNFns; ++f) {
    casadi_int a = 0, r = 0, i = 0, w = 0, nz = 0;
    kFns[f].work(&a, &r, &i, &w);
    for (int o = 0; o < kFns[f].n_out; ++o) {
      const casadi_int* sp = kFns[f].sparsity_out(o);
      if (!sp_dense(sp)) nz += sp_nnz(sp);
    }
    n_arg = std::max(n_arg, a);
    n_res = std::max(n_res, r);
    n_iw = std::max(n_iw, i);
    n_w = std::max(n_w, w);
    n_nz = std::max(n_nz, nz);
  }
  arg_.assign(static_cast<size_t>(n_arg), nullptr);
  res_.assign(static_cast<size_t>(n_res), nullptr);
  iw_.assign(static_cast<size_t>(n_iw), 0);
  w_.assign(static_cast<size_t>(n_w), 0.0);
  nz_.assign(static_cast<size_t>(n_nz), 0.0);
}

std::vector<Eigen::MatrixXd> @CLASS@::call_(int f) const {
  std::vector<Eigen::MatrixXd> out(static_cast<size_t>(kFns[f].n_out));
  call_into_(f, out.data());
  return out;
}

void @CLASS@::call_into_(int f, Eigen::MatrixXd* out, int par, const double* par_data) const {
  const Fn& fn = kFns[f];
  for (int i = 0; i < fn.n_in; ++i) {
    const int kind = fn.in[i][0], k = fn.in[i][1];
    arg_[i] = kind == 0   ? vars_[k].data()
              : kind == 1 ? par_symb_[k].data()
              : k == par  ? par_data
                          : par_[k].data();
  }
  double* nz = nz_.data();
  for (int o = 0; o < fn.n_out; ++o) {
    const casadi_int* sp = fn.sparsity_out(o);
    out[o].resize(sp[0], sp[1]);  // no allocation when the size is right already
    if (sp_dense(sp)) {
      res_[o] = out[o].data();  // CasADi and Eigen (default) are both column-major
    } else {
      out[o].setZero();
      res_[o] = nz;
      nz += sp_nnz(sp);
    }
  }
  const int mem = fn.checkout();
  const int flag = fn.eval(arg_.data(), res_.data(), iw_.data(), w_.data(), mem);
  fn.release(mem);
  if (flag)
    throw std::runtime_error(std::string(kClass) + ": evaluation of " + function_names_()[f] +
                             " failed");
  nz = nz_.data();
  for (int o = 0; o < fn.n_out; ++o) {
    const casadi_int* sp = fn.sparsity_out(o);
    if (sp_dense(sp)) continue;
    const casadi_int ncol = sp[1];
    const casadi_int* colind = sp + 2;
    const casadi_int* row = sp + 3 + ncol;
    for (casadi_int c = 0; c < ncol; ++c)
      for (casadi_int k = colind[c]; k < colind[c + 1]; ++k) out[o](row[k], c) = nz[k];
    nz += sp_nnz(sp);
  }
}

void @CLASS@::set_var_(int v, const Eigen::VectorXd& value, const std::string& setter) {
  if (value.size() != kVarSizes[v])
    throw std::invalid_argument(std::string(kClass) + "::" + setter +
                                ": expected a vector of size " + std::to_string(kVarSizes[v]) +
                                ", got size " + std::to_string(value.size()));
  // The generated rotation of a zero quaternion is the identity: a silent wrong orientation.
  if (is_configuration_(v) && value.segment(3, 4).squaredNorm() < 1e-24)
    throw std::invalid_argument(std::string(kClass) + "::" + setter + ": " + variable_names_()[v] +
                                "[3:7] (the base quaternion x, y, z, w) is zero: a zero quaternion is no "
                                "orientation (the identity is 0, 0, 0, 1)");
  vars_[v] = value;
}

bool @CLASS@::is_configuration_(int v) {
  if (!floating_base || kVarSizes[v] != nq) return false;
  const std::string& name = variable_names_()[v];
  return name == "q" || name == "q0" || name == "q1";
}

void @CLASS@::check_par_(int p, const Eigen::VectorXd& value, const std::string& setter) const {
  const size_t n = param_elements_()[p].size();
  if (static_cast<size_t>(value.size()) != n)
    throw std::invalid_argument(std::string(kClass) + "::" + setter +
                                ": expected a vector of size " + std::to_string(n) +
                                ", got size " + std::to_string(value.size()));
  const std::string prefix = std::string(kClass) + "::" + setter + ": ";
  if (p == kParREG) {  // derived: what counts is the par_DYN it implies
    if (kRegToDyn < 0 || kParDYN < 0) return;
    const Eigen::VectorXd dyn = dyn_from_reg_(value);
    const int i = changed_folded_(kParDYN, dyn, kMapRtol);
    if (i >= 0)
      throw std::invalid_argument(prefix + "this par_REG implies " + folded_message_(kParDYN, i, dyn[i]));
    return;
  }
  const int i = changed_folded_(p, value, 0);
  if (i >= 0) throw std::invalid_argument(prefix + folded_message_(p, i, value[i]));
}

Eigen::VectorXd @CLASS@::dyn_from_reg_(const Eigen::VectorXd& reg) const {
  Eigen::MatrixXd out;
  call_into_(kRegToDyn, &out, kParREG, reg.data());
  Eigen::VectorXd dyn = flat_(out);
  // the folded elements are the generated constants, not their images through two maps
  for (int i = 0; i < static_cast<int>(dyn.size()); ++i)
    if (!symbolic_(kParDYN, i) && same_(dyn[i], param_defaults_()[kParDYN][i], kMapRtol))
      dyn[i] = param_defaults_()[kParDYN][i];
  return dyn;
}

void @CLASS@::set_par_(int p, const Eigen::VectorXd& value, bool sync) {
  par_[p] = value;
  const std::vector<int>& idx = param_symbolic_()[p];
  par_symb_[p].resize(static_cast<Eigen::Index>(idx.size()));
  for (size_t i = 0; i < idx.size(); ++i) par_symb_[p][static_cast<Eigen::Index>(i)] = value[idx[i]];
  if (!sync) return;
  if (p == kParDYN && kDynToReg >= 0) set_par_(kParREG, flat_(call_(kDynToReg)[0]), false);
  if (p == kParREG && kRegToDyn >= 0) set_par_(kParDYN, dyn_from_reg_(value), false);
}

const std::vector<std::string>& @CLASS@::variable_names() { return variable_names_(); }
int @CLASS@::variable_size(const std::string& name) {
  return kVarSizes[index_or_throw_(variable_names_(), name, "variable")];
}
const std::vector<std::string>& @CLASS@::param_names() { return param_names_(); }
const std::vector<std::string>& @CLASS@::param_elements(const std::string& set) {
  return param_elements_()[index_or_throw_(param_names_(), set, "parameter set")];
}
const std::vector<std::string>& @CLASS@::function_names() { return function_names_(); }
const std::vector<std::string>& @CLASS@::output_names(const std::string& function) {
  return output_names_()[index_or_throw_(function_names_(), function, "function")];
}
void @CLASS@::set_variable(const std::string& name, const Eigen::VectorXd& value) {
  set_var_(index_or_throw_(variable_names_(), name, "variable"), value, "set_" + name);
}
const Eigen::VectorXd& @CLASS@::get_variable(const std::string& name) const {
  return vars_[index_or_throw_(variable_names_(), name, "variable")];
}
void @CLASS@::set_par(const std::string& set, const Eigen::VectorXd& value) {
  const int p = index_or_throw_(param_names_(), set, "parameter set");
  check_par_(p, value, "set_" + set);
  set_par_(p, value, true);
}
const Eigen::VectorXd& @CLASS@::get_par(const std::string& set) const {
  return par_[index_or_throw_(param_names_(), set, "parameter set")];
}
std::vector<Eigen::MatrixXd> @CLASS@::eval(const std::string& function) const {
  return call_(index_or_throw_(function_names_(), function, "function"));
}

void @CLASS@::load_conf(const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    throw std::runtime_error(file + ": cannot read the parameter file");
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!root || root.IsNull()) return;
  if (!root.IsMap())
    throw std::runtime_error(where_(file, root) +
                             "expected a map from parameter set to {element: value}");
  std::vector<Eigen::VectorXd> staged = par_;
  std::vector<bool> given(kNPars, false);
  std::string reg_where;
  for (const auto& set_kv : root) {
    const std::string set = set_kv.first.Scalar();
    const int p = find_(param_names_(), set);
    if (p < 0)
      throw std::runtime_error(where_(file, set_kv.first) + set +
                               ": unknown parameter set (known: " + join_(param_names_()) + ")");
    given[p] = true;
    const YAML::Node& elements = set_kv.second;
    if (elements.IsNull()) continue;
    if (!elements.IsMap())
      throw std::runtime_error(where_(file, elements) + set + ": expected a map {element: value}");
    for (const auto& kv : elements) {
      const std::string element = kv.first.Scalar();
      int i = find_(param_elements_()[p], element);
      if (i < 0 && !element.empty()) i = find_(param_aliases_()[p], element);  // "link3.mass"
      if (i < 0)
        throw std::runtime_error(where_(file, kv.first) + set + "." + element +
                                 ": unknown element of " + set);
      double x = 0;
      if (!finite_number_(kv.second, x))
        throw std::runtime_error(where_(file, kv.second) + set + "." + element +
                                 ": expected a finite number, got '" +
                                 (kv.second.IsScalar() ? kv.second.Scalar() : std::string("a ") +
                                  (kv.second.IsMap() ? "map" : "list")) + "'");
      if (p != kParREG && !symbolic_(p, i) && !same_(x, param_defaults_()[p][i], 0))
        throw std::runtime_error(where_(file, kv.second) + folded_message_(p, i, x));
      staged[p][i] = x;
    }
    if (p == kParREG) reg_where = where_(file, set_kv.first);
  }
  if (kParREG >= 0 && given[kParREG] && !(kParDYN >= 0 && given[kParDYN]) && kRegToDyn >= 0 &&
      kParDYN >= 0) {
    const Eigen::VectorXd dyn = dyn_from_reg_(staged[kParREG]);
    const int i = changed_folded_(kParDYN, dyn, kMapRtol);
    if (i >= 0)
      throw std::runtime_error(reg_where + "par_REG: implies " + folded_message_(kParDYN, i, dyn[i]));
  }
  for (int p = 0; p < kNPars; ++p)
    if (given[p] && p != kParREG) set_par_(p, staged[p], true);  // par_DYN also sets par_REG
  if (kParREG >= 0 && given[kParREG]) {
    const bool dyn_given = kParDYN >= 0 && given[kParDYN];
    if (!(dyn_given && kDynToReg >= 0)) set_par_(kParREG, staged[kParREG], !dyn_given);
  }
}

void @CLASS@::save_par(const std::string& file) const {
  std::ofstream os(file);
  if (!os) throw std::runtime_error(file + ": cannot write the parameter file");
  os << "# Thunder parameters of " << kRobot << " (saved by " << kClass << "::save_par)\n";
  for (int p = 0; p < kNPars; ++p) {
    const std::vector<std::string>& elements = param_elements_()[p];
    if (elements.empty()) {
      os << param_names_()[p] << ": {}\n";
      continue;
    }
    os << param_names_()[p] << ":\n";
    for (size_t i = 0; i < elements.size(); ++i)
      os << "  " << elements[i] << ": " << yaml_double_(par_[p][static_cast<Eigen::Index>(i)])
         << "\n";
  }
  if (!os) throw std::runtime_error(file + ": error while writing the parameter file");
}
)TPL";

inline constexpr const char* kExample = R"TPL(// @CLASS@_example: evaluates every function of @CLASS@ at a state read from stdin and prints
// every output. Generated by thunder.
//
// usage: @CLASS@_example [--par FILE] [--save-par FILE] [--no-eval] [--help]
//   stdin: whitespace-separated numbers (strtod syntax) until EOF: first every variable, then
//     every parameter set as a FULL vector, in the order that --help lists ("variable NAME SIZE"
//     and "param NAME SIZE" lines). Input may stop after any complete variable or set; what is
//     not given keeps its value (variables 0, parameters the defaults or --par). Parameter sets
//     are applied in order with set_par, so a par_REG given after par_DYN recomputes par_DYN.
//     Give empty input (</dev/null) for all defaults.
//   --par FILE       load_conf(FILE) before reading stdin
//   --save-par FILE  save_par(FILE) after reading stdin
//   --no-eval        print the parameter lines only
// stdout, numbers as %.17g:
//   param <set> <size> v1 v2 ...                        the parameter values in use, per set
//   <function> <output> <rows> <cols> v1 v2 ...         every output, column-major
// Errors go to stderr with exit status 1.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "@CLASS@.h"

namespace {

void print_values(const double* v, long n) {
  for (long i = 0; i < n; ++i) std::printf(" %.17g", v[i]);
  std::printf("\n");
}

void usage() {
  std::printf(
      "usage: @CLASS@_example [--par FILE] [--save-par FILE] [--no-eval] [--help]\n"
      "stdin: numbers for the inputs below, in this order (may stop after any input)\n"
      "stdout: 'param <set> <size> v...' lines, then '<function> <output> <rows> <cols> v...'\n"
      "        lines (column-major, %%.17g)\n");
  for (const auto& v : @CLASS@::variable_names())
    std::printf("variable %s %d\n", v.c_str(), @CLASS@::variable_size(v));
  for (const auto& p : @CLASS@::param_names())
    std::printf("param %s %d\n", p.c_str(), static_cast<int>(@CLASS@::param_elements(p).size()));
}

}  // namespace

int main(int argc, char** argv) {
  std::string par_file, save_file;
  bool eval = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      usage();
      return 0;
    } else if (a == "--par" && i + 1 < argc) {
      par_file = argv[++i];
    } else if (a == "--save-par" && i + 1 < argc) {
      save_file = argv[++i];
    } else if (a == "--no-eval") {
      eval = false;
    } else {
      std::fprintf(stderr, "error: unknown argument '%s' (see --help)\n", a.c_str());
      return 1;
    }
  }
  try {
    @CLASS@ robot;
    if (!par_file.empty()) robot.load_conf(par_file);

    std::vector<double> numbers;
    std::string token;
    while (std::cin >> token) {
      char* end = nullptr;
      const double x = std::strtod(token.c_str(), &end);
      if (end == token.c_str() || *end != '\0')
        throw std::runtime_error("stdin: '" + token + "' is not a number");
      numbers.push_back(x);
    }
    size_t pos = 0;
    auto take = [&](const std::string& name, long n, Eigen::VectorXd& v) {
      if (pos == numbers.size()) return false;
      if (pos + static_cast<size_t>(n) > numbers.size())
        throw std::runtime_error("stdin ends inside " + name + " (" + std::to_string(n) +
                                 " numbers)");
      v = Eigen::Map<const Eigen::VectorXd>(numbers.data() + pos, n);
      pos += static_cast<size_t>(n);
      return true;
    };
    Eigen::VectorXd v;
    for (const auto& name : @CLASS@::variable_names())
      if (take(name, @CLASS@::variable_size(name), v)) robot.set_variable(name, v);
    for (const auto& name : @CLASS@::param_names())
      if (take(name, static_cast<long>(@CLASS@::param_elements(name).size()), v))
        robot.set_par(name, v);
    if (pos != numbers.size())
      throw std::runtime_error("stdin has " + std::to_string(numbers.size() - pos) +
                               " numbers more than the inputs take (see --help)");

    if (!save_file.empty()) robot.save_par(save_file);
    for (const auto& name : @CLASS@::param_names()) {
      const Eigen::VectorXd& p = robot.get_par(name);
      std::printf("param %s %ld", name.c_str(), static_cast<long>(p.size()));
      print_values(p.data(), static_cast<long>(p.size()));
    }
    if (eval) {
      for (const auto& f : @CLASS@::function_names()) {
        const std::vector<Eigen::MatrixXd> out = robot.eval(f);
        const std::vector<std::string>& names = @CLASS@::output_names(f);
        for (size_t o = 0; o < out.size(); ++o) {
          std::printf("%s %s %ld %ld", f.c_str(), names[o].c_str(),
                      static_cast<long>(out[o].rows()), static_cast<long>(out[o].cols()));
          print_values(out[o].data(), static_cast<long>(out[o].size()));
        }
      }
    }
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
)TPL";

inline constexpr const char* kCMakeLists = R"TPL(# Generated by thunder: the C++ library of @CLASS@ (CasADi C code + wrapper class), as a
# CMake package. See README.md beside this file for the three commands that build, install and
# use it from another project (find_package(@CLASS@ CONFIG), target thunder::@ID@).
#   -DTHUNDER_BUILD_EXAMPLE=OFF  skips the example program @CLASS@_example
cmake_minimum_required(VERSION 3.16)

# Release with -O2 unless asked otherwise (set before project() so that it wins over the
# compiler defaults; -DCMAKE_C_FLAGS_RELEASE=... still overrides).
set(CMAKE_C_FLAGS_RELEASE "-O2 -DNDEBUG" CACHE STRING "C flags of Release builds")
set(CMAKE_CXX_FLAGS_RELEASE "-O2 -DNDEBUG" CACHE STRING "C++ flags of Release builds")
project(@CLASS@ LANGUAGES C CXX)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()
option(THUNDER_BUILD_EXAMPLE "Build the example program @CLASS@_example" ON)

set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

find_package(Eigen3 REQUIRED CONFIG)
find_package(yaml-cpp REQUIRED CONFIG)
if(TARGET yaml-cpp::yaml-cpp)
  set(THUNDER_YAML_CPP yaml-cpp::yaml-cpp)
else()
  set(THUNDER_YAML_CPP yaml-cpp)
endif()

# One C file per function, so that builds run in parallel.
add_library(@CLASS@ STATIC
  @CLASS@.cpp
@C_FILES@)
add_library(thunder::@ID@ ALIAS @CLASS@)
target_include_directories(@CLASS@ PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}>
                                          $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
# yaml-cpp is private to the wrapper but a static library's consumers link it: the package
# config finds it again (find_dependency).
target_link_libraries(@CLASS@ PUBLIC Eigen3::Eigen PRIVATE ${THUNDER_YAML_CPP})
if(UNIX)
  target_link_libraries(@CLASS@ PRIVATE m)
endif()
set_target_properties(@CLASS@ PROPERTIES POSITION_INDEPENDENT_CODE ON EXPORT_NAME @ID@)

if(THUNDER_BUILD_EXAMPLE)
  add_executable(@CLASS@_example example.cpp)
  target_link_libraries(@CLASS@_example PRIVATE @CLASS@)
endif()

# -- install: cmake --install build --prefix PREFIX ---------------------------------------------
set(THUNDER_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/@CLASS@)
install(TARGETS @CLASS@ EXPORT @CLASS@Targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES @CLASS@.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The generated parameter file, so that an installed robot can load_conf its defaults.
set(THUNDER_PAR_FILE ${CMAKE_CURRENT_SOURCE_DIR}/../@ROBOT@_par.yaml)
if(EXISTS ${THUNDER_PAR_FILE})
  install(FILES ${THUNDER_PAR_FILE} DESTINATION ${CMAKE_INSTALL_DATADIR}/@CLASS@)
endif()
if(THUNDER_BUILD_EXAMPLE)
  install(TARGETS @CLASS@_example RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(EXPORT @CLASS@Targets NAMESPACE thunder:: DESTINATION ${THUNDER_CMAKE_DIR})
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/@CLASS@Config.cmake.in [=[
@PACKAGE_INIT@
include(CMakeFindDependencyMacro)
find_dependency(Eigen3 CONFIG)
find_dependency(yaml-cpp CONFIG)
include("${CMAKE_CURRENT_LIST_DIR}/@CLASS@Targets.cmake")
# The parameter file generated with the library (empty when it was not installed).
set(@CLASS@_DATA_DIR "@PACKAGE_CMAKE_INSTALL_DATADIR@/@CLASS@")
set(@CLASS@_PAR_FILE "${@CLASS@_DATA_DIR}/@ROBOT@_par.yaml")
if(NOT EXISTS "${@CLASS@_PAR_FILE}")
  set(@CLASS@_PAR_FILE "")
endif()
check_required_components(@CLASS@)
]=])
configure_package_config_file(${CMAKE_CURRENT_BINARY_DIR}/@CLASS@Config.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/@CLASS@Config.cmake
  INSTALL_DESTINATION ${THUNDER_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_DATADIR)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/@CLASS@Config.cmake DESTINATION ${THUNDER_CMAKE_DIR})
)TPL";

inline constexpr const char* kCppReadme = R"TPL(# @CLASS@: the C++ library of robot @ROBOT@ (generated by thunder)

A static library (CasADi C code + the wrapper class `@CLASS@`, header `@CLASS@.h`) packaged
for CMake: `find_package(@CLASS@ CONFIG)` gives the target `thunder::@ID@`.
It needs Eigen 3 (>= 3.3; tested with 3.4.0 and 3.4.1) and yaml-cpp (tested with 0.7.0 and
0.8.0), from the system (Debian/Ubuntu: `apt install libeigen3-dev libyaml-cpp-dev`) or from
thunder's venv (the cmeel-eigen and cmeel-yaml-cpp wheels under `.venv/lib/python3*/site-packages/cmeel.prefix`).

## Build, install, use (three commands)

```sh
cmake -S . -B build -DCMAKE_INSTALL_PREFIX=$HOME/.local [-DTHUNDER_BUILD_EXAMPLE=OFF]
cmake --build build -j && cmake --install build
cmake -S my_project -B my_project/build -DCMAKE_PREFIX_PATH=$HOME/.local
```

With the venv's Eigen and yaml-cpp instead of the system's, add their prefix to both configure
steps: `-DCMAKE_PREFIX_PATH="$HOME/.local;$(.venv/bin/python -m cmeel cmake 2>/dev/null)"` (the
`cmeel.prefix` folder of the venv's site-packages).

`my_project/CMakeLists.txt`:

```cmake
cmake_minimum_required(VERSION 3.16)
project(my_project CXX)
find_package(@CLASS@ CONFIG REQUIRED)
add_executable(my_program main.cpp)
target_link_libraries(my_program PRIVATE thunder::@ID@)
# the generated default parameters, installed with the library:
target_compile_definitions(my_program PRIVATE PAR_FILE="${@CLASS@_PAR_FILE}")
```

`main.cpp`:

```cpp
#include <iostream>
#include "@CLASS@.h"
int main() {
  @CLASS@ robot;
  robot.load_conf(PAR_FILE);
  Eigen::VectorXd q = robot.get_variable("q");  // starts neutral (a floating base: identity quaternion)
  q[q.size() - 1] = 0.1;
  robot.set_q(q);
  std::cout << robot.get_M() << std::endl;   // (if M was generated)
}
```

Without installing, `add_subdirectory(path/to/OUT/cpp)` and the same `thunder::@ID@` target
work too. Installed: `include/@CLASS@.h`, `lib/lib@CLASS@.a`,
`lib/cmake/@CLASS@/` (package files), `share/@CLASS@/@ROBOT@_par.yaml`, and with the example
`bin/@CLASS@_example`.
)TPL";

}  // namespace thunder
