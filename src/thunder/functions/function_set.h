// FunctionSet: the generated functions of one robot plus everything a backend needs to drive
// them (descriptions, input/output names and shapes, parameter sets). Exporters read only this.
#pragma once

#include <memory>
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

/// A second construction of a function some of whose outputs are M⁻¹ B, for M = LᵀDL factored
/// on the tree's sparsity (algorithm/ltdl.h), for the C++ exporter: `parts` computes everything
/// but the solve, and the exporter writes the solve as loops over the rows of Bᵀ, the same
/// update for every column at once in vector registers (CasADi's scalar code pays
/// every column's substitutions one by one: on a humanoid's FD_derivatives, 61k of 115k
/// instructions). Same inputs, outputs and values as the function; backends that evaluate the
/// CasADi function ignore it.
struct FactoredSolve {
  /// The function's inputs; outputs: the function's outputs that are not in `solved`, in order,
  /// then "L" (L_ki for k = 0..n-1, i = parent(k), parent(parent(k)), ...), "inv_D" (n) and
  /// "B_t" (stride x n, dense: row c is column columns⁻¹(c) of B; rows from B's width on are 0).
  casadi::Function parts;
  std::vector<int> parent;   ///< dof parents of the factor (parent[k] < k, -1: root)
  std::vector<int> solved;   ///< the function's outputs that are column blocks of M⁻¹ B (n rows each)
  bool negated = false;      ///< they are −M⁻¹ B
  std::vector<int> columns;  ///< per column of the solved outputs side by side: its row of B_t, -1 where B is 0
  int stride = 0;            ///< rows of B_t: the nonzero columns of B, rounded up to a multiple of 8
  /// Entries of B_t that can be nonzero (stride x n): the solve skips what stays zero.
  casadi::Sparsity pattern;
  /// Solved outputs that are symmetric (M⁻¹ itself): written from their upper triangle, exactly
  /// symmetric as the function's own.
  std::vector<int> symmetric;
};

/// One generated function. Input and output names live in `fn` (name_in/name_out); inputs that
/// are parameter sets carry the set's name (e.g. "par_DYN").
struct FunctionInfo {
  casadi::Function fn;
  std::string description;
  std::shared_ptr<const FactoredSolve> solve;  ///< null: `fn` alone
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
