// Names made C identifiers: what generated symbols (C functions, torch methods) are built from.
#pragma once

#include <cctype>
#include <string>

namespace thunder {

/// `name` with every character other than an ASCII letter, digit or '_' replaced by '_'.
inline std::string identifier_of(const std::string& name) {
  std::string id;
  for (char c : name) id += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  return id;
}

}  // namespace thunder
