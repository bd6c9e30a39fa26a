// Typed, validating access to a YamlNode tree: every failure is an InputError that names the
// file, the line and the dotted field path, and says what was expected.
//
// Field paths: map keys joined by '.', list items as [i] with a 0-based index into the list as it
// is written in the file, e.g. "kinematics.DH[5]", "dynamics.link3.friction.Dl[1]".
#pragma once

#include <string>
#include <vector>

#include "thunder/description/robot_spec.h"
#include "thunder/description/yaml_tree.h"

namespace thunder {

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  /// Parses the file; throws on a missing file, a parse error or a top level that is not a map.
  YamlNode load() const;

  [[noreturn]] void fail(const YamlNode* node, const std::string& field, const std::string& message) const;

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }
  static std::string item(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

  /// The child `key` of map `node` (at `path`), or an error "missing required key".
  const YamlNode& require(const YamlNode& node, const std::string& path, const std::string& key) const;
  void expect_map(const YamlNode& node, const std::string& path) const;
  /// The items of a sequence; `expected` >= 0 demands that many (with `what` describing them).
  std::vector<const YamlNode*> list(const YamlNode& node, const std::string& path, int expected = -1,
                                    const std::string& what = "") const;

  double number(const YamlNode& node, const std::string& path) const;
  Scalar scalar(const YamlNode& node, const std::string& path, bool symbolic = false) const;
  /// A non-negative integer; `positive` also excludes 0.
  int integer(const YamlNode& node, const std::string& path, bool positive = false) const;
  bool flag(const YamlNode& node, const std::string& path) const;  ///< 0 or 1
  bool boolean(const YamlNode& node, const std::string& path) const;  ///< true/false
  std::string text(const YamlNode& node, const std::string& path) const;  ///< a scalar

  /// A list of 0/1 flags of length `count` at `key` of `parent`; all 0 when the key is absent.
  std::vector<bool> flags(const YamlNode& parent, const std::string& parent_path, const std::string& key,
                          size_t count, const std::string& values_name) const;

 private:
  std::string file_;
};

/// Reports every key of map `node` (at `path`) that is not in `known`, with a "did you mean" when
/// one is close: a warning (into `warnings`) or, with `strict`, an InputError. Top-level keys
/// whose value carries an anchor (`PI_2: &PI_2 1.57...`) are constants for aliases, not unknown.
void check_known_keys(const YamlReader& r, const YamlNode& node, const std::string& path,
                      const std::vector<std::string>& known, bool strict, std::vector<std::string>& warnings);

}  // namespace thunder
