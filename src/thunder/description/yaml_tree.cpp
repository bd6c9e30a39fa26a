// The only translation unit that uses yaml-cpp (compiled with the new std::string ABI).
#include "thunder/description/yaml_tree.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

namespace thunder {
namespace {

std::vector<char> chars(const std::string& s) { return std::vector<char>(s.begin(), s.end()); }

/// A limit or duplicate found while converting; `line` is 1-based (0 if unknown).
struct TreeError {
  std::string message;
  int line;
};

int line_of(const YAML::Node& node) { return node.Mark().line >= 0 ? node.Mark().line + 1 : 0; }

class Converter {
 public:
  explicit Converter(const std::string& text) : text_(text) {}

  YamlNode convert(const YAML::Node& node, int depth) {
    if (depth > kYamlMaxDepth)
      throw TreeError{"nested more than " + std::to_string(kYamlMaxDepth) +
                          " levels deep (an anchor that contains an alias of itself, such as `&L [1, *L]`, "
                          "never ends)",
                      line_of(node)};
    if (++nodes_ > kYamlMaxNodes)
      throw TreeError{"more than " + std::to_string(kYamlMaxNodes) +
                          " values after expanding aliases (an alias bomb?); robot descriptions hold a few "
                          "thousand",
                      line_of(node)};
    YamlNode out;
    const YAML::Mark mark = node.Mark();
    out.line = mark.line >= 0 ? mark.line + 1 : 0;
    out.column = mark.column >= 0 ? mark.column + 1 : 0;
    out.anchored = mark.pos >= 0 && static_cast<size_t>(mark.pos) < text_.size() && text_[mark.pos] == '&';
    switch (node.Type()) {
      case YAML::NodeType::Scalar:
        out.kind = YamlNode::Scalar;
        out.text = chars(node.Scalar());
        break;
      case YAML::NodeType::Sequence:
        out.kind = YamlNode::Sequence;
        for (const auto& item : node) out.children.push_back(convert(item, depth + 1));
        break;
      case YAML::NodeType::Map:
        out.kind = YamlNode::Map;
        for (const auto& kv : node) {
          const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
          const int key_line = line_of(kv.first);
          for (size_t i = 0; i < out.keys.size(); ++i)
            if (std::string(out.keys[i].begin(), out.keys[i].end()) == key)
              throw TreeError{"duplicate key '" + key + "' (first on line " + std::to_string(out.key_lines[i]) +
                                  ", again on line " + std::to_string(key_line) + ")",
                              key_line};
          out.keys.push_back(chars(key));
          out.key_lines.push_back(key_line);
          out.children.push_back(convert(kv.second, depth + 1));
        }
        break;
      default:
        out.kind = YamlNode::Null;
    }
    return out;
  }

 private:
  const std::string& text_;
  long long nodes_ = 0;
};

YamlParseResult parse(const std::string& text) {
  YamlParseResult result;
  try {
    Converter converter(text);
    result.root = converter.convert(YAML::Load(text), 0);
    result.ok = true;
  } catch (const TreeError& e) {
    result.error = chars(e.message);
    result.error_line = e.line;
    result.syntax = false;
  } catch (const YAML::Exception& e) {
    result.error = chars(e.msg);
    result.error_line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
  } catch (const std::exception& e) {
    result.error = chars(e.what());
  }
  return result;
}

YamlParseResult failure(const std::string& message) {
  YamlParseResult result;
  result.error = chars(message);
  result.syntax = false;
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
  std::ifstream is(path, std::ios::binary);
  if (!is) return failure("cannot open file");
  is.seekg(0, std::ios::end);
  const long long size = static_cast<long long>(is.tellg());
  if (size > kYamlMaxFileBytes)
    return failure("the file is " + std::to_string(size >> 20) + " MiB; robot descriptions are a few kB and "
                   "files over " + std::to_string(kYamlMaxFileBytes >> 20) + " MiB are refused");
  is.seekg(0);
  std::ostringstream text;
  text << is.rdbuf();
  return parse(text.str());
}

YamlParseResult parse_yaml_text(const char* text) {
  const size_t size = std::strlen(text);
  if (static_cast<long long>(size) > kYamlMaxFileBytes) return failure("the text is too large");
  return parse(std::string(text, size));
}

}  // namespace thunder
