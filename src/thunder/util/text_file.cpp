#include "thunder/util/text_file.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace thunder {

std::string read_text(const std::filesystem::path& file) {
  std::ifstream is(file, std::ios::binary);
  std::ostringstream ss;
  ss << is.rdbuf();
  if (!is) throw std::runtime_error("cannot read " + file.string());
  return ss.str();
}

void write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream os(file, std::ios::binary);
  if (!os) throw std::runtime_error("cannot write " + file.string());
  os << text;
  if (!os) throw std::runtime_error("error while writing " + file.string());
}

}  // namespace thunder
