// The only translation unit that uses yaml-cpp (compiled with the new std::string ABI).
#include "thunder/description/yaml_tree.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>

namespace thunder {
namespace {

std::vector<char> chars(const std::string& s) { return std::vector<char>(s.begin(), s.end()); }

YamlNode convert(const YAML::Node& node) {
  YamlNode out;
  const YAML::Mark mark = node.Mark();
  out.line = mark.line >= 0 ? mark.line + 1 : 0;
  out.column = mark.column >= 0 ? mark.column + 1 : 0;
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      out.kind = YamlNode::Scalar;
      out.text = chars(node.Scalar());
      break;
    case YAML::NodeType::Sequence:
      out.kind = YamlNode::Sequence;
      for (const auto& item : node) out.children.push_back(convert(item));
      break;
    case YAML::NodeType::Map:
      out.kind = YamlNode::Map;
      for (const auto& kv : node) {
        out.keys.push_back(chars(kv.first.Scalar()));
        out.children.push_back(convert(kv.second));
      }
      break;
    default:
      out.kind = YamlNode::Null;
  }
  return out;
}

template <class Loader>
YamlParseResult parse(Loader load) {
  YamlParseResult result;
  try {
    result.root = convert(load());
    result.ok = true;
  } catch (const YAML::Exception& e) {
    result.error = chars(e.msg);
    result.error_line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
  } catch (const std::exception& e) {
    result.error = chars(e.what());
  }
  return result;
}

}  // namespace

const YamlNode* YamlNode::find(const char* key) const {
  const size_t n = std::strlen(key);
  for (size_t i = 0; i < keys.size(); ++i)
    if (keys[i].size() == n && std::equal(keys[i].begin(), keys[i].end(), key))
      return &children[i];
  return nullptr;
}

YamlParseResult parse_yaml_file(const char* path) {
  return parse([&] { return YAML::LoadFile(path); });
}

YamlParseResult parse_yaml_text(const char* text) {
  return parse([&] { return YAML::Load(text); });
}

}  // namespace thunder
