#include "thunder/export/params_yaml.h"

#include <cmath>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace thunder {

std::string yaml_double(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // YAML 1.1 readers (PyYAML) take "1e+20" for a string: give the mantissa a point.
  std::string s = buf;
  const size_t e = s.find('e');
  if (e != std::string::npos && s.find('.') == std::string::npos) s.insert(e, ".0");
  return s;
}

void write_par_yaml(const FunctionSet& fs, std::ostream& os) {
  os << "# Thunder parameters of " << fs.robot;
  if (!fs.source.empty())  // the file name only: the same output on every machine
    os << " (generated from " << std::filesystem::path(fs.source).filename().string() << ")";
  os << '\n';
  for (const auto& p : fs.params) {
    if (p.elements.empty()) {
      os << p.name << ": {}\n";
      continue;
    }
    os << p.name << ":\n";
    for (int i = 0; i < p.size(); ++i)
      os << "  " << p.elements[i] << ": " << yaml_double(p.values[i]) << '\n';
  }
}

void write_par_yaml(const FunctionSet& fs, const std::filesystem::path& file) {
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  std::ofstream os(file);
  if (!os) throw std::runtime_error("cannot write " + file.string());
  write_par_yaml(fs, os);
  if (!os) throw std::runtime_error("error while writing " + file.string());
}

}  // namespace thunder
