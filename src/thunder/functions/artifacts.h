// The files of a generated output, as listed in manifest.json's "artifacts": path (relative,
// '/'-separated), size and SHA-256 of every file any exporter wrote (the torch blob, the native
// libraries, the C++ sources, ...). `gen` uses the list of a previous output to replace only what
// it wrote before; thunder_torch verifies sizes and checksums before it uses a file.
//
// The "artifacts" entry is the manifest's last key, written as `,\n  "artifacts": [` after the
// manifest of the FunctionSet: the generation hash that native libraries embed is the FNV-1a of
// manifest.json without that entry (thunder_torch._artifacts.generation_bytes cuts it off).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "thunder/util/json_read.h"

namespace thunder {

struct Artifact {
  std::string path;          ///< relative to the output folder, '/'-separated
  std::uintmax_t size = 0;
  std::string sha256;        ///< 64 lowercase hex digits
};

/// Every regular file under `dir` (recursively, sorted by path) except the relative paths in
/// `skip`; throws on a symlink or special file (exporters write plain files only).
std::vector<Artifact> list_artifacts(const std::filesystem::path& dir, const std::vector<std::string>& skip);

/// `manifest` (the text write_manifest produced, ending in "}\n") with the artifacts appended as
/// its last key.
std::string manifest_with_artifacts(const std::string& manifest, const std::vector<Artifact>& artifacts);

/// The "artifacts" of a parsed manifest; `found` is false when the manifest has none (written by
/// a Thunder version before artifacts were recorded). Throws std::runtime_error on a malformed list.
std::vector<Artifact> read_artifacts(const JsonValue& manifest, bool& found);

}  // namespace thunder
