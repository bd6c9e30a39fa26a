// An ABI-neutral copy of a parsed YAML document.
//
// The casadi wheel uses the pre-C++11 std::string ABI and the yaml-cpp library the new one, so
// no std::string may cross between code compiled against each. yaml_tree.cpp is the only
// translation unit that sees yaml-cpp; it returns this tree, whose strings are vectors of char.
#pragma once

#include <string>
#include <vector>

namespace thunder {

struct YamlNode {
  enum Kind { Null, Scalar, Sequence, Map };
  Kind kind = Null;
  std::vector<char> text;                  ///< scalar text (Scalar only)
  std::vector<std::vector<char>> keys;     ///< map keys (Map only), in file order
  std::vector<YamlNode> children;          ///< map values or sequence items
  std::vector<int> key_lines;              ///< 1-based line of each map key (Map only)
  int line = 0;                            ///< 1-based line in the file, 0 if unknown
  int column = 0;
  bool anchored = false;                   ///< written with an anchor (&name): a value for aliases

  std::string str() const { return std::string(text.begin(), text.end()); }
  std::string key(size_t i) const { return std::string(keys[i].begin(), keys[i].end()); }
  /// The child with this key, or nullptr (Map only). The out-of-line overload takes a C string:
  /// a std::string must not cross the ABI boundary (yaml_tree.cpp uses the other ABI).
  const YamlNode* find(const char* key) const;
  const YamlNode* find(const std::string& key) const { return find(key.c_str()); }
};

struct YamlParseResult {
  bool ok = false;
  YamlNode root;
  std::vector<char> error;  ///< parser message when !ok
  bool syntax = true;       ///< the error is a YAML syntax error (else: a limit or a duplicate key)
  int error_line = 0;       ///< 1-based
};

/// Limits that keep hostile or broken files from exhausting memory or the stack: robot
/// descriptions are a few kB, nest 5 levels deep and hold a few thousand values.
constexpr long long kYamlMaxFileBytes = 16ll << 20;   ///< larger files are refused unread
constexpr int kYamlMaxDepth = 64;                     ///< deeper nesting (or a cyclic alias) is refused
constexpr long long kYamlMaxNodes = 1000000;          ///< values after expanding aliases ("alias bombs")

/// Parses a YAML file (anchors and aliases resolved). Never throws. Refuses, with a message, a
/// file over kYamlMaxFileBytes, nesting over kYamlMaxDepth (a self-referential anchor such as
/// `a: &L [1, *L]` is infinitely deep), more than kYamlMaxNodes values after alias expansion, and
/// a map with a duplicate key (naming both lines).
YamlParseResult parse_yaml_file(const char* path);
/// Parses YAML text. Never throws.
YamlParseResult parse_yaml_text(const char* text);

}  // namespace thunder
