#include "thunder/export/op_table.h"

#include <casadi/casadi.hpp>

namespace thunder {

const std::map<int, OpInfo>& op_table() {
  using namespace casadi;
  static const std::map<int, OpInfo> t = {
      {OP_ADD, {"add", 2, "+"}},          {OP_SUB, {"sub", 2, "-"}},
      {OP_MUL, {"mul", 2, "*"}},          {OP_DIV, {"div", 2, "/"}},
      {OP_NEG, {"neg", 1, "-"}},          {OP_EXP, {"exp", 1, nullptr}},
      {OP_LOG, {"log", 1, nullptr}},      {OP_POW, {"pow", 2, nullptr}},
      {OP_CONSTPOW, {"constpow", 2, nullptr}}, {OP_SQRT, {"sqrt", 1, nullptr}},
      {OP_SQ, {"sq", 1, nullptr}},        {OP_TWICE, {"twice", 1, nullptr}},
      {OP_SIN, {"sin", 1, nullptr}},      {OP_COS, {"cos", 1, nullptr}},
      {OP_TAN, {"tan", 1, nullptr}},      {OP_ASIN, {"asin", 1, nullptr}},
      {OP_ACOS, {"acos", 1, nullptr}},    {OP_ATAN, {"atan", 1, nullptr}},
      {OP_LT, {"lt", 2, nullptr}},        {OP_LE, {"le", 2, nullptr}},
      {OP_EQ, {"eq", 2, nullptr}},        {OP_NE, {"ne", 2, nullptr}},
      {OP_NOT, {"not", 1, nullptr}},      {OP_AND, {"and", 2, nullptr}},
      {OP_OR, {"or", 2, nullptr}},        {OP_FLOOR, {"floor", 1, nullptr}},
      {OP_CEIL, {"ceil", 1, nullptr}},    {OP_FMOD, {"fmod", 2, nullptr}},
      {OP_FABS, {"fabs", 1, nullptr}},    {OP_SIGN, {"sign", 1, nullptr}},
      {OP_COPYSIGN, {"copysign", 2, nullptr}}, {OP_IF_ELSE_ZERO, {"if_else_zero", 2, nullptr}},
      {OP_ERF, {"erf", 1, nullptr}},      {OP_FMIN, {"fmin", 2, nullptr}},
      {OP_FMAX, {"fmax", 2, nullptr}},    {OP_INV, {"inv", 1, nullptr}},
      {OP_SINH, {"sinh", 1, nullptr}},    {OP_COSH, {"cosh", 1, nullptr}},
      {OP_TANH, {"tanh", 1, nullptr}},    {OP_ASINH, {"asinh", 1, nullptr}},
      {OP_ACOSH, {"acosh", 1, nullptr}},  {OP_ATANH, {"atanh", 1, nullptr}},
      {OP_ATAN2, {"atan2", 2, nullptr}},  {OP_ERFINV, {"erfinv", 1, nullptr}},
      {OP_LOG1P, {"log1p", 1, nullptr}},  {OP_EXPM1, {"expm1", 1, nullptr}},
      {OP_HYPOT, {"hypot", 2, nullptr}},  {OP_REMAINDER, {"remainder", 2, nullptr}},
      {kOpFma, {"fma", 3, nullptr}},
  };
  return t;
}

const OpInfo* find_op(int op) {
  const auto& t = op_table();
  auto it = t.find(op);
  return it == t.end() ? nullptr : &it->second;
}

}  // namespace thunder
