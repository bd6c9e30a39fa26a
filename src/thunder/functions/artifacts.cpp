#include "thunder/functions/artifacts.h"

#include <algorithm>
#include <stdexcept>

#include "thunder/util/json.h"
#include "thunder/util/sha256.h"

namespace fs = std::filesystem;

namespace thunder {

std::vector<Artifact> list_artifacts(const fs::path& dir, const std::vector<std::string>& skip) {
  std::vector<Artifact> out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    const fs::file_status st = it->symlink_status();
    if (fs::is_directory(st)) continue;
    const std::string rel = it->path().lexically_relative(dir).generic_string();
    if (std::find(skip.begin(), skip.end(), rel) != skip.end()) continue;
    if (!fs::is_regular_file(st))
      throw std::runtime_error(it->path().string() + ": an exporter wrote something that is not a plain file");
    out.push_back({rel, fs::file_size(it->path()), sha256_file(it->path())});
  }
  std::sort(out.begin(), out.end(), [](const Artifact& a, const Artifact& b) { return a.path < b.path; });
  return out;
}

std::string manifest_with_artifacts(const std::string& manifest, const std::vector<Artifact>& artifacts) {
  const std::string tail = "\n}\n";
  if (manifest.size() < tail.size() || manifest.compare(manifest.size() - tail.size(), tail.size(), tail) != 0)
    throw std::logic_error("manifest_with_artifacts: the manifest does not end in \"\\n}\\n\"");
  std::string s = manifest.substr(0, manifest.size() - tail.size());
  s += ",\n  \"artifacts\": [";
  for (size_t i = 0; i < artifacts.size(); ++i) {
    const Artifact& a = artifacts[i];
    s += (i ? ",\n    " : "\n    ");
    s += "{\"path\": \"" + JsonWriter::escape(a.path) + "\", \"size\": " + std::to_string(a.size) +
         ", \"sha256\": \"" + a.sha256 + "\"}";
  }
  s += artifacts.empty() ? "]" : "\n  ]";
  return s + tail;
}

std::vector<Artifact> read_artifacts(const JsonValue& manifest, bool& found) {
  std::vector<Artifact> out;
  const JsonValue* list = manifest.get("artifacts");
  found = list != nullptr;
  if (!list) return out;
  if (list->kind != JsonValue::Array) throw std::runtime_error("\"artifacts\" is not a list");
  for (const JsonValue& e : list->items) {
    const JsonValue* path = e.get("path");
    const JsonValue* size = e.get("size");
    const JsonValue* sha = e.get("sha256");
    if (!path || path->kind != JsonValue::String || !size || size->kind != JsonValue::Number || !sha ||
        sha->kind != JsonValue::String)
      throw std::runtime_error("an \"artifacts\" entry lacks path, size or sha256");
    // A manifest names files inside its folder only: never follow one out of it.
    const fs::path p(path->text);
    if (p.empty() || p.is_absolute() || path->text.find("..") != std::string::npos)
      throw std::runtime_error("artifact path '" + path->text + "' is not inside the output folder");
    out.push_back({path->text, static_cast<std::uintmax_t>(size->number), sha->text});
  }
  return out;
}

}  // namespace thunder
