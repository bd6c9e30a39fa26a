// Whole generated files as strings: what the exporters write and read back to rewrite.
#pragma once

#include <filesystem>
#include <string>

namespace thunder {

/// The bytes of `file`; throws std::runtime_error naming the file when it cannot be read.
std::string read_text(const std::filesystem::path& file);

/// Writes `text` to `file` (replaced); throws std::runtime_error naming the file on failure.
void write_file(const std::filesystem::path& file, const std::string& text);

}  // namespace thunder
