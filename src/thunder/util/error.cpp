#include "thunder/util/error.h"

namespace thunder {
namespace {
std::string format(const std::string& file, int line, const std::string& field, const std::string& message) {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line);
  if (!field.empty()) s += (s.empty() ? "" : ": ") + field;
  return s + (s.empty() ? "" : ": ") + message;
}
}  // namespace

InputError::InputError(const std::string& file, int line, const std::string& field, const std::string& message)
    : std::runtime_error(format(file, line, field, message)), file_(file), line_(line), field_(field), message_(message) {}

}  // namespace thunder
