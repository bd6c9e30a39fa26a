// Errors that name where bad input came from: file, field path, line.
#pragma once

#include <stdexcept>
#include <string>

namespace thunder {

/// An error in a user's input. `what()` is one line:
/// "FILE:LINE: FIELD: MESSAGE" (line and field are left out where unknown).
class InputError : public std::runtime_error {
 public:
  InputError(const std::string& file, int line, const std::string& field, const std::string& message);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& field() const { return field_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  int line_;
  std::string field_;
  std::string message_;
};

}  // namespace thunder
