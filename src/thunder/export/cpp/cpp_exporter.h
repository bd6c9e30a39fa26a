// C++ exporter: CasADi C code generation (one .c/.h pair per function) plus a generated wrapper
// class `thunder_<robot>` with Eigen setters/getters and YAML parameter files, a standalone
// CMakeLists.txt and an example program. Reads a FunctionSet and nothing else.
//
// Layout of OUT/cpp/ (robot name R, sanitized to a C identifier):
//   thunder_R_<fn>.c / .h     CasADi C code of function <fn>, C symbol thunder_R_<fn>
//   thunder_R.h / .cpp        the wrapper class thunder_R (see the generated header's comments)
//   example.cpp               thunder_R_example: state from stdin, every output on stdout
//   CMakeLists.txt            static library thunder_R + thunder_R_example (Eigen3, yaml-cpp)
//
// The generated class, for each variable V used by any function (q, dq, ddq, d3q, d4q, dqr, ddqr,
// w, x, dx, ddx, in this order, then any other), has `void set_V(const Eigen::VectorXd&)` (size
// checked, std::invalid_argument naming the expected size) and `const Eigen::VectorXd& get_V()`;
// for each parameter set P, `set_P` / `get_P` on the FULL vector (element order as in the
// manifest); for each function F, `Eigen::MatrixXd get_F() const` when F has one output and
// `std::vector<Eigen::MatrixXd> get_F() const` (outputs in order) otherwise, each with an
// overload `void get_F(Eigen::MatrixXd& / std::vector<Eigen::MatrixXd>& out) const` that does
// not allocate once `out` has the right size (control loops); plus
// `load_conf(file)`, `save_par(file)` and name-based access (`eval(name)`, `set_variable`,
// `set_par`, ...).
//
// Parameter inputs: a function input named after a set receives the set's symbolic elements
// (in set order) when its size equals their count, else the full vector when its size equals the
// set size (the par_DYN_to_REG / par_REG_to_DYN maps take full vectors). Any other size is an
// error at generation time.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "thunder/functions/function_set.h"

namespace thunder {

/// Writes OUT/cpp/ as described above. `progress`, when set, receives one line per step
/// ("C code of M (1234 instructions)", ...). Throws std::runtime_error on I/O errors and on a
/// FunctionSet the wrapper cannot drive (inconsistent variable sizes, a parameter input of
/// unknown size, a name that is not a C identifier, clashing method names).
void export_cpp(const FunctionSet& fs, const std::filesystem::path& out_dir,
                std::function<void(const std::string&)> progress = {});

/// The C identifier used for the robot in file, symbol and class names ("thunder_" + this).
std::string cpp_robot_identifier(const std::string& robot);

}  // namespace thunder
