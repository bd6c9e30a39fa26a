// SHA-256 (FIPS 180-4) of files and strings: the checksums of generated artifacts in manifest.json,
// which thunder_torch verifies (hashlib.sha256) before it loads a file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace thunder {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  std::string hex();  ///< 64 lowercase hex digits; finishes the hash (call once)

 private:
  void block(const unsigned char* p);
  std::uint32_t h_[8];
  unsigned char buf_[64];
  std::size_t buf_len_ = 0;
  std::uint64_t total_ = 0;
};

std::string sha256_hex(const std::string& data);
/// Throws std::runtime_error naming the file when it cannot be read.
std::string sha256_file(const std::filesystem::path& file);

}  // namespace thunder
