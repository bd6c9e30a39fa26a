#include "thunder/export/casadi/casadi_exporter.h"

#include <stdexcept>

namespace thunder {

void export_casadi(const FunctionSet& fs, const std::filesystem::path& out_dir) {
  const auto dir = out_dir / "casadi";
  std::filesystem::create_directories(dir);
  for (const auto& f : fs.functions) {
    const auto file = dir / (f.fn.name() + ".casadi");
    try {
      f.fn.save(file.string());
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot write " + file.string() + ": " + e.what());
    }
  }
}

}  // namespace thunder
