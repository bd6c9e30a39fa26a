// load_robot: chooses the reader by file extension, and makes sure the robot's name is one that
// every exporter can use (it names files, C++ classes and CasADi functions).
#include <cctype>
#include <filesystem>
#include <string>

#include "thunder/description/load.h"
#include "thunder/util/error.h"

namespace thunder {
namespace {

bool name_char(unsigned char c) { return c < 0x80 && (std::isalnum(c) || c == '_' || c == '-'); }

}  // namespace

// CasADi accepts a function name that starts with a letter and has no "__" (Function::check_name);
// the C symbols are thunder_<name>_<function> with '-' as '_'.
std::string robot_name_problem(const std::string& name) {
  if (name.empty()) return "it is empty";
  for (unsigned char c : name)
    if (!name_char(c))
      return c == '/' || c == '\\' || c == '.' ? "it contains '" + std::string(1, static_cast<char>(c)) +
                                                     "' (a name names files inside the output folder, not a path)"
                                               : "it contains a character other than ASCII letters, digits, '_' and '-'";
  if (!std::isalpha(static_cast<unsigned char>(name[0]))) return "it does not start with a letter";
  for (size_t i = 1; i < name.size(); ++i)
    if (!std::isalnum(static_cast<unsigned char>(name[i])) && !std::isalnum(static_cast<unsigned char>(name[i - 1])))
      return "it has two of '_' and '-' in a row";
  if (!std::isalnum(static_cast<unsigned char>(name.back()))) return "it ends with '_' or '-'";
  return "";
}

std::string sanitize_robot_name(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if ((c & 0xc0) == 0x80) continue;  // UTF-8 continuation byte: its lead byte already gave '_'
    const char k = name_char(c) ? static_cast<char>(c) : '_';
    const bool sep = k == '_' || k == '-';
    if (sep && (out.empty() || out.back() == '_' || out.back() == '-')) continue;  // one separator at most
    out += k;
  }
  while (!out.empty() && (out.back() == '_' || out.back() == '-')) out.pop_back();
  if (out.empty()) return "robot";
  if (!std::isalpha(static_cast<unsigned char>(out[0]))) out = "robot_" + out;
  return out;
}

RobotSpec load_robot(const std::string& path, const LoadOptions& options) {
  if (!options.name.empty()) {
    const std::string why = robot_name_problem(options.name);
    if (!why.empty())
      throw InputError("", 0, "-n",
                       "'" + options.name + "' is not a valid robot name: " + why +
                           "; use ASCII letters and digits, separated by single '_' or '-', starting with a letter");
  }
  const size_t slash = path.find_last_of('/');
  const size_t dot = path.find_last_of('.');
  std::string ext;
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) ext = path.substr(dot);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // A FIFO or a device would block the reader (or never end): only regular files are read.
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    throw InputError(path, 0, "", std::filesystem::is_directory(status)
                                      ? "is a directory, not a robot description file"
                                      : "not a regular file (a FIFO, socket or device): give a .yaml/.yml or .urdf/.xml file");
  RobotSpec spec;
  if (ext == ".yaml" || ext == ".yml") {
    spec = load_thunder_yaml(path, options);
  } else if (ext == ".urdf" || ext == ".xml") {
    // URDF has no Coulomb coefficients: --coulomb gives every link Dc = 0 (flag it --symb Dc).
    spec = load_urdf(path, options);
    spec.coulomb_friction = options.coulomb;
    if (options.coulomb_smoothing >= 0) spec.coulomb_smoothing = options.coulomb_smoothing;
    for (Link& l : spec.links)
      if (l.coulomb.field.empty()) l.coulomb.field = l.name + ".Dc";
  } else {
    throw InputError(path, 0, "",
                     "unknown robot file type '" + ext +
                         "'; expected .yaml/.yml (thunder YAML) or .urdf/.xml (URDF)" +
                         (ext == ".xacro" ? ": expand a xacro file first (xacro FILE.xacro > FILE.urdf)" : ""));
  }
  // A name from the file stem or the URDF's <robot name=...>: made usable rather than refused.
  if (!robot_name_problem(spec.name).empty()) {
    const std::string sane = sanitize_robot_name(spec.name);
    const std::string w = path + ": robot name '" + spec.name + "' is not a valid name (" +
                          robot_name_problem(spec.name) + "); using '" + sane + "' (choose one with -n)";
    spec.name = sane;
    spec.file_warnings.insert(spec.file_warnings.begin(), w);
    spec.warnings.insert(spec.warnings.begin(), w);
  }
  return spec;
}

}  // namespace thunder
