// The `thunder` command: check and gen.
#include <algorithm>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "thunder/cli/gen.h"
#include "thunder/cli/summary.h"
#include "thunder/description/load.h"
#include "thunder/description/spec_json.h"
#include "thunder/util/error.h"

#ifndef THUNDER_VERSION
#define THUNDER_VERSION "unknown"
#endif

namespace {

const char* const kUsage =
    "usage: thunder [--help] [--version] <command> [options]\n"
    "\n"
    "commands:\n"
    "  check ROBOT [--strict] [--json] [--par FILE] [--base LINK] [--ee LINK] [--floating-base]\n"
    "              [--lock JOINT,...] [-n NAME]\n"
    "      load and validate a robot description (thunder YAML or URDF) and print a summary\n"
    "  gen ROBOT [-o OUTDIR] [-n NAME] [--par FILE] [--strict] [--base LINK] [--ee LINK]\n"
    "            [--floating-base] [--lock JOINT,...] [--frames FRAME,...] [--frame-derivatives]\n"
    "            [--symb SET,...] [--coulomb [--coulomb-smoothing EPS]] [--targets LIST] [--pytorch]\n"
    "            [--native [--native-opt N] [--native-kernels K] [--no-cuda]]\n"
    "      generate code for the robot (default OUTDIR: gen/<name>)\n"
    "\n"
    "options:\n"
    "  --par FILE       inertial parameters in the franka_inertial.yaml format (overwrite the robot's)\n"
    "  --strict         physical-consistency warnings become errors\n"
    "  --json           (check) print the loaded robot as JSON\n"
    "  --base LINK      (URDF) base link of the model (default: the root); joints above it are locked\n"
    "  --ee LINK        (URDF) end-effector link (T_0_ee, J_ee, ...); joints below it are locked.\n"
    "                   Default: the tip of a robot whose joints form one chain; a tree has none\n"
    "  --floating-base  (URDF) the base link is a free flyer (legged robots, humanoids)\n"
    "  --lock JOINTS    (URDF) joints locked at their neutral position, comma separated\n"
    "  --frames FRAMES  (gen) frames (URDF links) that get T_w_<frame> and J_<frame>; default: the\n"
    "                   end effector, or every leaf link of a tree (feet, hands)\n"
    "  --frame-derivatives  (gen) also J_<frame>_dot for those frames\n"
    "  --functions LIST (gen) only these functions, comma separated (default: all)\n"
    "  -n, --name NAME  robot name (default: the file's stem)\n"
    "  -o, --out DIR    (gen) output folder\n"
    "  --symb SETS      (gen) parameter sets kept symbolic, comma separated:\n"
    "                   DYN, REG, Dl, Dc, K, D, Dm, Mm, DHtable, origins, world2L0, Ln2EE, gravity\n"
    "  --coulomb        Coulomb link friction dc = Dc sign(dq), a term beside thunder's dl (Dc from\n"
    "                   the file's friction.Dc, else 0: identify them with --symb Dc)\n"
    "  --coulomb-smoothing EPS  Coulomb friction (implies --coulomb) with tanh(dq / EPS) instead of\n"
    "                   sign(dq); 0: sign(dq)\n"
    "  --targets LIST   (gen) exporters, comma separated: cpp, casadi, torch, native\n"
    "  --pytorch        (gen) also generate the PyTorch module\n"
    "  --native         (gen) also compile native batched kernels (OpenMP CPU; CUDA when nvcc is\n"
    "                   found) used by thunder_torch.load(..., backend=\"native\"); implies --pytorch\n"
    "  --native-opt N   (gen) optimization level of the native kernels (0-3, default 2)\n"
    "  --native-kernels K  (gen) CPU kernels: simd (default: W instances per vector instruction)\n"
    "                   or scalar (CasADi's C code once per instance, the previous kernels)\n"
    "  --no-cuda        (gen) native kernels for the CPU only\n"
    "  -h, --help       show this help\n"
    "  --version        show the version\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Args {
  std::string command, robot, par, base, ee, name, out;
  bool strict = false, json = false, pytorch = false, native = false, no_cuda = false, coulomb = false;
  bool floating_base = false, frame_derivatives = false;
  std::vector<std::string> lock, frames, functions;
  int native_opt = 2;
  std::string native_kernels = "simd";
  double coulomb_smoothing = -1;
  std::vector<std::string> symb, targets;
};

/// A comma-separated list of names (joints, frames), checked later against the robot.
std::vector<std::string> split_names(const std::string& s, const std::string& option) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = s.find(',', start);
    const std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.empty()) throw UsageError(option + ": empty name in '" + s + "'");
    if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::vector<std::string> split_list(const std::string& s, const std::string& option,
                                    const std::vector<std::string>& allowed, const std::string& strip_prefix) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!strip_prefix.empty() && item.compare(0, strip_prefix.size(), strip_prefix) == 0)
      item = item.substr(strip_prefix.size());
    if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      throw UsageError(option + ": unknown value '" + item + "'; allowed: " + list);
    }
    if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Args parse_args(const std::vector<std::string>& argv) {
  Args a;
  a.command = argv[0];
  const bool gen = a.command == "gen";
  for (size_t i = 1; i < argv.size(); ++i) {
    std::string arg = argv[i], value;
    bool has_inline = false;
    if (arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      const size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        has_inline = true;
      }
    }
    auto take = [&]() -> std::string {
      if (has_inline) return value;
      if (i + 1 >= argv.size()) throw UsageError("option " + arg + " needs an argument");
      return argv[++i];
    };
    auto flag = [&]() {
      if (has_inline) throw UsageError("option " + arg + " takes no argument");
    };
    if (arg == "--strict") flag(), a.strict = true;
    else if (arg == "--par") a.par = take();
    else if (arg == "--base") a.base = take();
    else if (arg == "--ee") a.ee = take();
    else if (arg == "--floating-base") flag(), a.floating_base = true;
    else if (arg == "--lock") a.lock = split_names(take(), "--lock");
    else if (gen && arg == "--frames") a.frames = split_names(take(), "--frames");
    else if (gen && arg == "--frame-derivatives") flag(), a.frame_derivatives = true;
    else if (gen && arg == "--functions") a.functions = split_names(take(), "--functions");
    else if (arg == "-n" || arg == "--name") a.name = take();
    else if (!gen && arg == "--json") flag(), a.json = true;
    else if (arg == "--coulomb") flag(), a.coulomb = true;
    else if (arg == "--coulomb-smoothing") {
      const std::string v = take();
      char* end = nullptr;
      a.coulomb_smoothing = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(a.coulomb_smoothing >= 0) || a.coulomb_smoothing > 1e300)
        throw UsageError("--coulomb-smoothing: expected a number >= 0 (0: sign(v)), got '" + v + "'");
      a.coulomb = true;
    }
    else if (gen && (arg == "-o" || arg == "--out")) a.out = take();
    else if (gen && arg == "--symb") a.symb = split_list(take(), "--symb", thunder::known_parameter_sets(), "par_");
    else if (gen && arg == "--targets") a.targets = split_list(take(), "--targets", thunder::known_targets(), "");
    else if (gen && arg == "--pytorch") flag(), a.pytorch = true;
    else if (gen && arg == "--native") flag(), a.native = true;
    else if (gen && arg == "--no-cuda") flag(), a.no_cuda = true;
    else if (gen && arg == "--native-kernels") {
      a.native_kernels = take();
      if (a.native_kernels != "simd" && a.native_kernels != "scalar")
        throw UsageError("--native-kernels: expected simd or scalar, got '" + a.native_kernels + "'");
    }
    else if (gen && arg == "--native-opt") {
      const std::string v = take();
      if (v.size() != 1 || v[0] < '0' || v[0] > '3') throw UsageError("--native-opt: expected 0, 1, 2 or 3, got '" + v + "'");
      a.native_opt = v[0] - '0';
    }
    else if (arg.size() > 1 && arg[0] == '-') throw UsageError("unknown option '" + arg + "' for " + a.command);
    else if (a.robot.empty()) a.robot = arg;
    else throw UsageError("unexpected argument '" + arg + "' (only one ROBOT file)");
  }
  if (a.robot.empty()) throw UsageError(a.command + ": missing ROBOT file");
  return a;
}

thunder::RobotSpec load(const Args& a) {
  thunder::LoadOptions options;
  options.name = a.name;
  options.base_link = a.base;
  options.ee_link = a.ee;
  options.floating_base = a.floating_base;
  options.locked_joints = a.lock;
  options.strict = a.strict;
  options.coulomb = a.coulomb;
  options.coulomb_smoothing = a.coulomb_smoothing;
  thunder::LoadOptions first = options;
  if (!a.par.empty()) first.strict = false;  // judged after the parameter file is applied
  thunder::RobotSpec spec = thunder::load_robot(a.robot, first);
  if (spec.format == "thunder-yaml" && (!a.base.empty() || !a.ee.empty() || a.floating_base || !a.lock.empty()))
    std::cerr << "warning: --base/--ee apply to URDF descriptions only (so do --floating-base and --lock); ignored\n";
  if (!a.par.empty()) {
    thunder::apply_inertial_file(spec, a.par);
    thunder::finish_loading(spec, options);
  }
  for (const auto& w : spec.warnings) std::cerr << "warning: " << w << "\n";
  return spec;
}

int run(const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError("missing command (check, gen); see thunder --help");
  if (std::find(args.begin(), args.end(), "--help") != args.end() ||
      std::find(args.begin(), args.end(), "-h") != args.end()) {
    std::cout << kUsage;
    return 0;
  }
  if (args[0] == "--version") {
    std::cout << "thunder " << THUNDER_VERSION << "\n";
    return 0;
  }
  if (args[0] != "check" && args[0] != "gen")
    throw UsageError("unknown command '" + args[0] + "'; expected check or gen (see thunder --help)");
  const Args a = parse_args(args);
  const thunder::RobotSpec spec = load(a);
  if (a.command == "check") {
    if (a.json) thunder::write_spec_json(spec, std::cout);
    else thunder::print_summary(spec, std::cout);
    return 0;
  }
  thunder::GenOptions g;
  g.out_dir = a.out.empty() ? "gen/" + spec.name : a.out;
  g.symbolic_sets = a.symb;
  g.targets = a.targets;
  g.pytorch = a.pytorch;
  g.native = a.native;
  g.native_opt = a.native_opt;
  g.native_cuda = !a.no_cuda;
  g.native_kernels = a.native_kernels;
  g.frames = a.frames;
  g.frame_derivatives = a.frame_derivatives;
  g.functions = a.functions;
  return thunder::run_gen(spec, g);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return run(args);
  } catch (const UsageError& e) {
    std::cerr << "thunder: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "thunder: error: " << e.what() << "\n";
    return 1;
  }
}
