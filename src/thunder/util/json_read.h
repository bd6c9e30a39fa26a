// A small JSON reader: gen reads the manifest.json of a previous output to learn which files it
// wrote (its "artifacts"), so that a regeneration replaces those and nothing else.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace thunder {

struct JsonValue {
  enum Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Null;
  bool boolean = false;
  double number = 0;
  std::string text;                                       ///< String
  std::vector<JsonValue> items;                           ///< Array
  std::vector<std::pair<std::string, JsonValue>> members; ///< Object, in file order

  const JsonValue* get(const std::string& key) const;     ///< Object member or nullptr
};

/// Parses `text`; throws std::runtime_error("offset N: ...") on malformed input (nesting is
/// limited to 64 levels, so that a hostile file cannot exhaust the stack).
JsonValue parse_json(const std::string& text);

}  // namespace thunder
