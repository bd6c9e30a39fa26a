#include "thunder/functions/function_set.h"

namespace thunder {

std::vector<int> ParamSet::symbolic_indices() const {
  std::vector<int> idx;
  for (int i = 0; i < size(); ++i)
    if (symbolic[i]) idx.push_back(i);
  return idx;
}

const ParamSet* FunctionSet::find_param(const std::string& name) const {
  for (const auto& p : params)
    if (p.name == name) return &p;
  return nullptr;
}

const FunctionInfo* FunctionSet::find_function(const std::string& name) const {
  for (const auto& f : functions)
    if (f.fn.name() == name) return &f;
  return nullptr;
}

bool FunctionSet::is_param_input(const std::string& input_name) const {
  return find_param(input_name) != nullptr;
}

}  // namespace thunder
