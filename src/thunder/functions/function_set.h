// FunctionSet: the generated functions of one robot plus everything a backend needs to drive
// them (descriptions, input/output names and shapes, parameter sets). Exporters read only this.
#pragma once

#include <string>
#include <vector>

#include <casadi/casadi.hpp>

namespace thunder {

/// A parameter vector such as par_DYN: every element's name, default value and whether it is
/// symbolic. A function that takes the set receives only its symbolic elements, in order.
struct ParamSet {
  std::string name;                 ///< "par_DYN", "par_REG", "par_Dl", ...
  std::string description;
  std::vector<std::string> elements;  ///< "link3.mass", "link3.CoM_x", ... (URDF: "panda_link3.mass")
  std::vector<double> values;
  std::vector<bool> symbolic;
  /// Per element, the index name ("link3.mass") where it differs from the element's and names
  /// no other element, else ""; empty when no element has one. Readers accept either.
  std::vector<std::string> aliases;

  std::vector<int> symbolic_indices() const;
  int size() const { return static_cast<int>(elements.size()); }
};

/// One generated function. Input and output names live in `fn` (name_in/name_out); inputs that
/// are parameter sets carry the set's name (e.g. "par_DYN").
struct FunctionInfo {
  casadi::Function fn;
  std::string description;
};

struct FunctionSet {
  std::string robot;     ///< robot name, used for file and class names
  std::string source;    ///< the robot description it was built from
  int n_joints = 0;      ///< joints other than the floating base
  int nq = 0, nv = 0;    ///< sizes of q and of v (dq, ddq, tau)
  bool floating_base = false;
  std::vector<std::string> joints;  ///< joint names in q order (the free-flyer first, if any)
  /// Frames with functions T_w_<id> / J_<id>: the frame's name and `id`, the name made an
  /// identifier (characters other than letters, digits and '_' become '_').
  struct FrameEntry {
    std::string name, id;
  };
  std::vector<FrameEntry> frames;
  /// --contacts, in row order: the frame's name and its rows (3: point, 6: flat contact).
  struct ContactEntry {
    std::string name;
    int dim = 3;
  };
  std::vector<ContactEntry> contacts;
  std::vector<ParamSet> params;
  std::vector<FunctionInfo> functions;

  const ParamSet* find_param(const std::string& name) const;
  const FunctionInfo* find_function(const std::string& name) const;
  bool is_param_input(const std::string& input_name) const;
};

}  // namespace thunder
