#include "thunder/description/yaml_read.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "thunder/util/error.h"

namespace thunder {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string kind_name(const YamlNode& node) {
  switch (node.kind) {
    case YamlNode::Null: return "nothing (null)";
    case YamlNode::Scalar: return "'" + node.str() + "'";
    case YamlNode::Sequence: return "a list";
    case YamlNode::Map: return "a map";
  }
  return "?";
}

}  // namespace

YamlNode YamlReader::load() const {
  {
    std::ifstream probe(file_);
    if (!probe) throw InputError(file_, 0, "", "cannot open file (does it exist?)");
  }
  YamlParseResult parsed = parse_yaml_file(file_.c_str());
  if (!parsed.ok) {
    const std::string error(parsed.error.begin(), parsed.error.end());
    throw InputError(file_, parsed.error_line, "", parsed.syntax ? "not valid YAML: " + error : error);
  }
  if (parsed.root.kind != YamlNode::Map)
    throw InputError(file_, parsed.root.line, "", "expected a YAML map of keys at the top level, got " +
                                                      kind_name(parsed.root));
  return std::move(parsed.root);
}

void YamlReader::fail(const YamlNode* node, const std::string& field, const std::string& message) const {
  throw InputError(file_, node ? node->line : 0, field, message);
}

void YamlReader::expect_map(const YamlNode& node, const std::string& path) const {
  if (node.kind != YamlNode::Map) fail(&node, path, "expected a map of keys, got " + kind_name(node));
}

const YamlNode& YamlReader::require(const YamlNode& node, const std::string& path, const std::string& key) const {
  expect_map(node, path);
  const YamlNode* child = node.find(key);
  if (!child) fail(&node, join(path, key), "missing required key '" + key + "'");
  return *child;
}

std::vector<const YamlNode*> YamlReader::list(const YamlNode& node, const std::string& path, int expected,
                                              const std::string& what) const {
  if (node.kind != YamlNode::Sequence) {
    if (node.kind == YamlNode::Null && expected == 0) return {};
    fail(&node, path, "expected a list" + (what.empty() ? std::string() : " of " + what) + ", got " +
                          kind_name(node));
  }
  if (expected >= 0 && node.children.size() != static_cast<size_t>(expected))
    fail(&node, path,
         "expected " + std::to_string(expected) + " " + (what.empty() ? "values" : what) + ", got " +
             std::to_string(node.children.size()));
  std::vector<const YamlNode*> out;
  for (const auto& c : node.children) out.push_back(&c);
  return out;
}

double YamlReader::number(const YamlNode& node, const std::string& path) const {
  if (node.kind != YamlNode::Scalar) fail(&node, path, "expected a number, got " + kind_name(node));
  const std::string s = node.str();
  std::string l = lower(s);
  if (!l.empty() && (l[0] == '+' || l[0] == '-')) l = l.substr(1);
  if (l == ".inf" || l == ".nan" || l == "inf" || l == "nan" || l == "infinity")
    fail(&node, path, "expected a finite number, got '" + s + "'");
  if (s.empty()) fail(&node, path, "expected a number, got an empty value");
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') fail(&node, path, "expected a number, got '" + s + "'");
  if (!std::isfinite(v)) fail(&node, path, "expected a finite number, got '" + s + "'");
  return v;
}

Scalar YamlReader::scalar(const YamlNode& node, const std::string& path, bool symbolic) const {
  Scalar out;
  out.value = number(node, path);
  out.symbolic = symbolic;
  out.field = path;
  return out;
}

int YamlReader::integer(const YamlNode& node, const std::string& path, bool positive) const {
  const char* expected = positive ? "expected a positive integer" : "expected a non-negative integer";
  if (node.kind != YamlNode::Scalar) fail(&node, path, std::string(expected) + ", got " + kind_name(node));
  const std::string s = node.str();
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end == s.c_str() || *end != '\0' || !std::isfinite(v) || v != std::floor(v) ||
      v < (positive ? 1 : 0) || v > 1e6)
    fail(&node, path, std::string(expected) + ", got '" + s + "'");
  return static_cast<int>(v);
}

bool YamlReader::flag(const YamlNode& node, const std::string& path) const {
  if (node.kind == YamlNode::Scalar) {
    const std::string s = node.str();
    if (s == "0") return false;
    if (s == "1") return true;
  }
  fail(&node, path, "expected a symb flag 0 or 1, got " + kind_name(node));
}

bool YamlReader::boolean(const YamlNode& node, const std::string& path) const {
  if (node.kind == YamlNode::Scalar) {
    const std::string l = lower(node.str());
    if (l == "true" || l == "yes" || l == "on" || l == "y") return true;
    if (l == "false" || l == "no" || l == "off" || l == "n") return false;
  }
  fail(&node, path, "expected true or false, got " + kind_name(node));
}

std::string YamlReader::text(const YamlNode& node, const std::string& path) const {
  if (node.kind != YamlNode::Scalar) fail(&node, path, "expected a single value, got " + kind_name(node));
  return node.str();
}

std::vector<bool> YamlReader::flags(const YamlNode& parent, const std::string& parent_path, const std::string& key,
                                    size_t count, const std::string& values_name) const {
  std::vector<bool> out(count, false);
  const YamlNode* node = parent.find(key);
  if (!node) return out;
  const std::string path = join(parent_path, key);
  const auto items = list(*node, path, static_cast<int>(count), "flags (one per value of " + values_name + ")");
  for (size_t i = 0; i < count; ++i) out[i] = flag(*items[i], item(path, i));
  return out;
}

}  // namespace thunder
