// The parameter sets of a robot (par_DYN, par_Dl, par_DHtable, ...) as CasADi expressions:
// each element is either a fresh symbol (flagged `symb`) or its value folded in as a constant.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <casadi/casadi.hpp>

#include "thunder/functions/function_set.h"
#include "thunder/description/robot_spec.h"

namespace thunder {

struct ParameterOptions {
  /// Sets whose every element becomes symbolic regardless of the file's flags (--symb).
  std::vector<std::string> symbolic_sets;
};

class Parameters {
 public:
  Parameters(const RobotSpec& spec, const ParameterOptions& options = {});

  /// All sets with names, values and flags, in FUNCTIONS.md order (par_REG included).
  const std::vector<ParamSet>& sets() const { return sets_; }

  /// The expression of element `i` of `set`: a symbol or a constant.
  casadi::SX element(const std::string& set, int i) const;
  /// The full set as a column of its elements (constants and symbols).
  casadi::SX vector(const std::string& set) const { return casadi::SX::vertcat(elements_.at(index_.at(set))); }
  /// The symbolic input of a set: only its symbolic elements (possibly empty).
  const casadi::SX& input(const std::string& set) const;
  bool has(const std::string& set) const { return index_.count(set) != 0; }

  /// Sets in FUNCTIONS.md order whose symbolic elements appear in `exprs`.
  std::vector<std::string> sets_used_by(const std::vector<casadi::SX>& exprs) const;

 private:
  void add(ParamSet set);
  std::vector<ParamSet> sets_;
  std::map<std::string, size_t> index_;
  std::vector<std::vector<casadi::SX>> elements_;  // per set, per element
  std::vector<casadi::SX> inputs_;                 // per set
};

}  // namespace thunder
