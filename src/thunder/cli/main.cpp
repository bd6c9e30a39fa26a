// The `thunder` command: check and gen.
#include <algorithm>
#include <cstdlib>
#include <unistd.h>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "thunder/cli/gen.h"
#include "thunder/cli/presets.h"
#include "thunder/cli/summary.h"
#include "thunder/description/convert_v1.h"
#include "thunder/description/load.h"
#include "thunder/description/spec_json.h"
#include "thunder/model/parameters.h"
#include "thunder/util/error.h"
#include "thunder/util/suggest.h"

#ifndef THUNDER_VERSION
#define THUNDER_VERSION "unknown"
#endif

namespace {

const char* const kUsage =
    "usage: thunder [--help] [--version] <command> [options]\n"
    "\n"
    "commands:\n"
    "  check ROBOT [options]   load and validate a robot description and print a summary\n"
    "  gen ROBOT [options]     generate the robot's functions as C++, CasADi and PyTorch code\n"
    "  convert OLD.yaml -o NEW.yaml  write a v0.x thunder file in the thunder_dynamics 1.0 layout\n"
    "                          (dh_loader, dyn_loader, soft_loader); '-o -' writes to stdout; an\n"
    "                          existing NEW.yaml is replaced only with --force, the input never\n"
    "  identify GEN_DIR LOG    identify the dynamic parameters from a joint log (Python:\n"
    "                          thunder_torch.identify; see 'thunder identify --help')\n"
    "\n"
    "ROBOT is a thunder YAML file (.yaml/.yml) or a URDF (.urdf/.xml).\n"
    "See 'thunder check --help' and 'thunder gen --help' for their options.\n"
    "\n"
    "options:\n"
    "  -h, --help       show this help\n"
    "  --version        show the version\n";

const char* const kLoadOptions =
    "  --par FILE       inertial parameters to apply over the robot's: a YAML file with, per link,\n"
    "                   linkK.mass, linkK.origin.xyz (the CoM), linkK.inertia.{xx,xy,xz,yy,yz,zz},\n"
    "                   optionally linkK.friction.{d1,d2} and an end_effector block with use_EE\n"
    "                   (the format of robots/franka_inertial.yaml); or thunder's saved forms, links\n"
    "                   under dynamics: with linkK.inertial.{mass, CoM_x.., Ixx..} or {mass,\n"
    "                   m_CoM_x.., Ixx..} (par_REG) and friction.Dl. A link is linkK (then every\n"
    "                   link) or its own URDF name (then links left out keep their values);\n"
    "                   friction left out keeps the robot's (docs/FUNCTIONS.md)\n"
    "  --strict         physical-consistency warnings and unknown keys become errors\n"
    "  --base LINK      (URDF) base link of the model (default: the root link); joints above it are\n"
    "                   locked at 0\n"
    "  --ee LINK        (URDF) end-effector link (T_0_ee, J_ee, ...): the model is the chain from the\n"
    "                   base to LINK, every other joint locked (its bodies keep their mass). Default:\n"
    "                   the tip of a robot whose joints form one chain; a tree has none (--frames)\n"
    "  --floating-base  (URDF) the base link is a free flyer (legged robots, humanoids); a floating\n"
    "                   joint from the URDF's root link means the same\n"
    "  --lock JOINTS    (URDF) joints locked at their neutral position, comma separated\n"
    "  --coulomb        Coulomb link friction dc = Dc sign(dq), a term beside thunder's dl (Dc from\n"
    "                   the file's friction.Dc, else 0: identify them as the symbolic set Dc)\n"
    "  --coulomb-smoothing EPS  Coulomb friction (implies --coulomb) with tanh(dq / EPS) instead of\n"
    "                   sign(dq); 0: sign(dq)\n"
    "  -n, --name NAME  robot name (default: the file's stem, or the URDF's robot name): ASCII\n"
    "                   letters and digits, separated by single '_' or '-', starting with a letter;\n"
    "                   it names the files and the C++ class thunder_NAME\n";

std::string check_usage() {
  return std::string(
             "usage: thunder check ROBOT [options]\n"
             "\n"
             "Loads and validates ROBOT (a thunder YAML file or a URDF) and prints a summary: joints, frames,\n"
             "links, parameter sets and warnings.\n"
             "\n"
             "options:\n") +
         kLoadOptions +
         "  --json           print the loaded robot as JSON instead of the summary\n"
         "  -h, --help       show this help\n";
}

std::string presets_help() {
  std::string s;
  for (const auto& [name, what] : thunder::function_presets()) {
    std::string pad(std::max<size_t>(1, 17 - name.size()), ' ');
    s += "                   " + name + pad + what + "\n";
  }
  return s;
}

std::string gen_usage() {
  std::string sets;
  for (const auto& s : thunder::known_parameter_sets()) sets += (sets.empty() ? "" : ", ") + s;
  std::string targets;
  for (const auto& t : thunder::known_targets()) targets += (targets.empty() ? "" : ", ") + t;
  return std::string(
             "usage: thunder gen ROBOT [options]\n"
             "\n"
             "Generates the kinematics, dynamics and regressor functions of ROBOT (a thunder YAML file or a\n"
             "URDF) into an output folder: manifest.json, NAME_par.yaml, casadi/, cpp/ and, on request,\n"
             "torch/ and native/.\n"
             "\n"
             "options:\n"
             "  -o, --out DIR    output folder (default: gen/NAME). An earlier output is updated: the files\n"
             "                   thunder wrote there are replaced (unchanged ones keep their timestamps), other\n"
             "                   files (your sources, cpp/build/) are kept. A non-empty folder that is not a\n"
             "                   thunder output is refused\n"
             "  --force          write into a non-empty folder that is not a thunder output, and replace files\n"
             "                   thunder did not write there (nothing is deleted)\n") +
         kLoadOptions +
         "  --symb SETS      parameter sets kept symbolic (inputs of the generated functions, changeable\n"
         "                   at run time), comma separated, with or without the par_ prefix:\n"
         "                   " + sets + "\n"
         "                   (DHtable: thunder YAML, origins: URDF). Default: only the elements the robot\n"
         "                   file marks symb; every other value is folded in as a constant\n"
         "  --frames FRAMES  frames (URDF links) that get T_w_<frame> and J_<frame>; default: the end\n"
         "                   effector, or every leaf link of a tree moved by a joint (feet, hands)\n"
         "  --frame-derivatives  also J_<frame>_dot for those frames\n"
         "  --functions LIST only these functions and presets, comma separated (default: all; a URDF whose\n"
         "                   mass matrix couples more than " + std::to_string(thunder::large_model_pairs()) +
         " velocity pairs, e.g. a 107-dof dual-arm\n"
         "                   mobile base, leaves out regressors and time-derivatives). Presets:\n" +
         presets_help() +
         "                   Function names (<frame>: a frame of --frames, <o>: an order):\n" +
         thunder::function_names_help() +
         "  --contacts LIST  contact frames, comma separated, FRAME (3D point contact) or FRAME:6d (flat\n"
         "                   contact): p_contact, J_contact, gamma_contact, FD_contact,\n"
         "                   impulse_contact, step_contact, FD_contact_derivatives\n"
         "  --coriolis C     construction of C: auto (the smaller), christoffel (of M) or recursive\n"
         "                   (Slotine-Li; always with a floating base); C_std is the Christoffel one\n"
         "  --targets LIST   exporters, comma separated: " + targets + " (default: cpp,casadi)\n"
         "  --pytorch        also generate the PyTorch module (adds torch to the targets)\n"
         "  --native         also compile native batched kernels (OpenMP CPU; CUDA when nvcc is found)\n"
         "                   used by thunder_torch.load(..., backend=\"native\"); implies --pytorch\n"
         "  --native-opt N   optimization level of the native kernels (0-3, default 2); every function\n"
         "                   and its reverse partner, float64 and float32, is compiled; a kernel of more\n"
         "                   than 100,000 instructions, or a reverse partner of more than 10,000, is\n"
         "                   compiled in pieces of <= 6,000 (env THUNDER_NATIVE_CHUNK_ABOVE,\n"
         "                   THUNDER_NATIVE_REVERSE_CHUNK_ABOVE, THUNDER_NATIVE_CHUNK_SIZE): compile time\n"
         "                   linear in the size, ~20 % slower per call for those kernels\n"
         "  --native-kernels K  CPU kernels: simd (default: W instances per vector instruction) or\n"
         "                   scalar (CasADi's C code once per instance, the previous kernels)\n"
         "  --no-cuda        native kernels for the CPU only\n"
         "  --ignore-cost    generate even when the estimated time or memory (from the joint count) is\n"
         "                   too large for this machine\n"
         "  -q, --quiet      print errors and warnings only\n"
         "  -v, --verbose    also print per-function and per-file progress\n"
         "  -h, --help       show this help\n";
}

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Args {
  std::string command, robot, par, base, ee, name, out;
  bool strict = false, json = false, pytorch = false, native = false, no_cuda = false, force = false,
       ignore_cost = false, coulomb = false;
  bool floating_base = false, frame_derivatives = false;
  std::vector<std::string> lock, frames, functions;
  std::vector<thunder::ContactFrame> contacts;
  int native_opt = 2, verbosity = 1;
  std::string native_kernels = "simd";
  double coulomb_smoothing = -1;
  std::string coriolis = "auto";
  std::vector<std::string> symb, targets;
};

/// The items of a comma-separated option value, empty ones included (each caller judges them).
std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> items;
  size_t start = 0;
  for (;;) {
    const size_t comma = s.find(',', start);
    items.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return items;
    start = comma + 1;
  }
}

void add_once(std::vector<std::string>& out, const std::string& item) {
  if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
}

/// A comma-separated list of names (joints, frames), checked later against the robot.
std::vector<std::string> split_names(const std::string& s, const std::string& option) {
  std::vector<std::string> out;
  for (const std::string& item : split_commas(s)) {
    if (item.empty()) throw UsageError(option + ": empty name in '" + s + "'");
    add_once(out, item);
  }
  return out;
}

std::vector<std::string> split_list(const std::string& s, const std::string& option,
                                    const std::vector<std::string>& allowed, const std::string& strip_prefix) {
  std::vector<std::string> out;
  for (std::string item : split_commas(s)) {
    if (!strip_prefix.empty() && item.compare(0, strip_prefix.size(), strip_prefix) == 0)
      item = item.substr(strip_prefix.size());
    if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      throw UsageError(option + ": unknown value '" + item + "'" + thunder::did_you_mean(item, allowed) +
                       "; allowed: " + list);
    }
    add_once(out, item);
  }
  return out;
}

/// --contacts F1,F2:6d,...: point contacts (3 rows) unless the frame ends in :6d (or :3d);
/// whether the frames exist is checked against the robot (function_builder).
std::vector<thunder::ContactFrame> parse_contacts(const std::string& s) {
  std::vector<thunder::ContactFrame> out;
  for (const std::string& item : split_names(s, "--contacts")) {
    thunder::ContactFrame c{item, 3};
    const size_t colon = item.rfind(':');
    if (colon != std::string::npos) {
      const std::string kind = item.substr(colon + 1);
      if (kind != "3d" && kind != "6d")
        throw UsageError("--contacts: '" + item + "': expected FRAME, FRAME:3d (point contact) or FRAME:6d (flat contact)");
      c = {item.substr(0, colon), kind == "6d" ? 6 : 3};
      if (c.frame.empty()) throw UsageError("--contacts: empty frame name in '" + item + "'");
    }
    for (const auto& other : out)
      if (other.frame == c.frame) throw UsageError("--contacts: frame '" + c.frame + "' is listed twice");
    out.push_back(c);
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
    else if (gen && arg == "--contacts") a.contacts = parse_contacts(take());
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
    else if (gen && arg == "--coriolis") {
      a.coriolis = take();
      if (a.coriolis != "auto" && a.coriolis != "christoffel" && a.coriolis != "recursive")
        throw UsageError("--coriolis: expected auto, christoffel or recursive, got '" + a.coriolis + "'");
    }
    else if (gen && arg == "--pytorch") flag(), a.pytorch = true;
    else if (gen && arg == "--native") flag(), a.native = true;
    else if (gen && arg == "--no-cuda") flag(), a.no_cuda = true;
    else if (gen && arg == "--force") flag(), a.force = true;
    else if (gen && arg == "--ignore-cost") flag(), a.ignore_cost = true;
    else if (gen && (arg == "-q" || arg == "--quiet")) flag(), a.verbosity = 0;
    else if (gen && (arg == "-v" || arg == "--verbose")) flag(), a.verbosity = 2;
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
    else if (arg.size() > 1 && arg[0] == '-') {
      std::vector<std::string> known = {"--strict", "--par", "--base", "--ee", "--floating-base", "--lock", "--name",
                                        "--coulomb", "--coulomb-smoothing", "--help"};
      const std::vector<std::string> more =
          gen ? std::vector<std::string>{"--frames", "--frame-derivatives", "--functions", "--contacts", "--out", "--symb",
                                         "--targets", "--coriolis", "--pytorch", "--native", "--no-cuda", "--force",
                                         "--ignore-cost", "--quiet", "--verbose", "--native-kernels", "--native-opt"}
              : std::vector<std::string>{"--json"};
      known.insert(known.end(), more.begin(), more.end());
      throw UsageError("unknown option '" + arg + "' for " + a.command + thunder::did_you_mean(arg, known) +
                       "; see thunder " + a.command + " --help");
    }
    else if (a.robot.empty()) a.robot = arg;
    else throw UsageError("unexpected argument '" + arg + "' (only one ROBOT file)");
  }
  if (a.robot.empty()) throw UsageError(a.command + ": missing ROBOT file");
  if (!a.name.empty()) {
    const std::string why = thunder::robot_name_problem(a.name);
    if (!why.empty())
      throw UsageError("-n: '" + a.name + "' is not a valid robot name: " + why +
                       "; use ASCII letters and digits, separated by single '_' or '-', starting with a letter");
  }
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
  first.defer_physical_checks = !a.par.empty();  // judged after the parameter file is applied
  thunder::RobotSpec spec = thunder::load_robot(a.robot, first);
  if (spec.format == "thunder-yaml" && a.floating_base)  // a fixed-base model would be silently wrong
    throw UsageError("--floating-base applies to URDF descriptions only: " + a.robot +
                     " is a thunder YAML robot, whose base is fixed at Base_to_L0 (use a URDF for a floating base)");
  if (spec.format == "thunder-yaml" && (!a.base.empty() || !a.ee.empty() || !a.lock.empty())) {
    // A finding about this call: in the warnings (thunder.Robot.warnings), not only on stderr.
    const std::string w = "--base/--ee apply to URDF descriptions only (so does --lock); ignored for " + a.robot;
    spec.file_warnings.insert(spec.file_warnings.begin(), w);
    spec.warnings.insert(spec.warnings.begin(), w);
  }
  if (!a.par.empty()) {
    thunder::apply_inertial_file(spec, a.par);
    thunder::finish_loading(spec, options);
  }
  for (const auto& w : spec.warnings) std::cerr << "warning: " << w << "\n";
  return spec;
}

/// `thunder identify ...` runs thunder_torch's identification with the Python beside this
/// executable (the venv's), else $THUNDER_PYTHON or python3; returns only when that fails.
int run_identify(const std::vector<std::string>& args) {
  std::string python;
  if (const char* env = std::getenv("THUNDER_PYTHON")) python = env;
  if (python.empty()) {
    char buf[4096];
    const ssize_t len = readlink("/proc/self/exe", buf, sizeof buf - 1);
    const std::string self = len > 0 ? std::string(buf, static_cast<size_t>(len)) : "";
    const auto slash = self.rfind('/');
    const std::string beside = slash == std::string::npos ? "" : self.substr(0, slash + 1) + "python";
    python = (!beside.empty() && access(beside.c_str(), X_OK) == 0) ? beside : "python3";
  }
  std::vector<std::string> cmd = {python, "-m", "thunder_torch.identify_cli"};
  cmd.insert(cmd.end(), args.begin() + 1, args.end());
  std::vector<char*> cargv;
  for (auto& c : cmd) cargv.push_back(c.data());
  cargv.push_back(nullptr);
  execvp(cargv[0], cargv.data());
  std::cerr << "thunder identify: error: cannot run " << python << " (set $THUNDER_PYTHON to a Python with "
            << "thunder_torch installed)\n";
  return 1;
}

/// convert never writes over its input (however spelled: dir/../dir/x.yaml, a symlink to it, a
/// hard link), and replaces an existing file or a symlink's target only with --force.
void check_convert_output(const std::string& in, const std::string& out, bool force) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status link = fs::symlink_status(out, ec);
  if (!fs::exists(link)) return;  // nothing there (a dangling symlink is a symlink: it exists)
  if (fs::is_directory(fs::status(out, ec)))
    throw UsageError("convert: -o " + out + " is a directory; name the file to write (-o " + out + "/NAME.yaml)");
  if (fs::equivalent(in, out, ec))
    throw UsageError("convert: -o " + out + " is the input file " + in +
                     "; write the converted file elsewhere (convert never replaces its input, even with --force)");
  if (!force) {
    const std::string what = fs::is_symlink(link) ? " is a symlink to " + fs::read_symlink(out, ec).string() : " exists";
    throw UsageError("convert: " + out + what + "; pass --force to replace it, or choose another -o");
  }
}

/// thunder convert OLD.yaml -o NEW.yaml [--strict] [--force]
int convert(const std::vector<std::string>& args) {
  std::string in, out;
  bool force = false;
  thunder::LoadOptions options;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "-o" || args[i] == "--out") {
      if (i + 1 >= args.size()) throw UsageError("option " + args[i] + " needs an argument");
      out = args[++i];
    } else if (args[i] == "--strict") {
      options.strict = true;
    } else if (args[i] == "--force") {
      force = true;
    } else if (!args[i].empty() && args[i][0] == '-' && args[i] != "-") {
      throw UsageError("convert: unknown option '" + args[i] + "'" +
                       thunder::did_you_mean(args[i], {"--out", "--strict", "--force", "--help"}) +
                       " (usage: thunder convert OLD.yaml -o NEW.yaml [--force] [--strict])");
    } else if (in.empty()) {
      in = args[i];
    } else {
      throw UsageError("convert: one input file only");
    }
  }
  if (in.empty() || out.empty()) throw UsageError("usage: thunder convert OLD.yaml -o NEW.yaml [--force]");
  if (out != "-") check_convert_output(in, out, force);  // before loading: nothing is lost on a refusal
  const thunder::RobotSpec spec = thunder::load_robot(in, options);
  for (const auto& w : spec.warnings) std::cerr << "warning: " << w << "\n";
  std::vector<std::string> warnings;
  if (out == "-") {
    warnings = thunder::write_v1_yaml(spec, std::cout);
  } else {
    std::ofstream f(out);
    if (!f) throw std::runtime_error("cannot write " + out);
    warnings = thunder::write_v1_yaml(spec, f);
    if (!f.flush()) throw std::runtime_error("cannot write " + out);
  }
  for (const auto& w : warnings) std::cerr << "warning: " << w << "\n";
  return 0;
}

int run(const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError("missing command (check, gen, convert, identify); see thunder --help");
  if (std::find(args.begin(), args.end(), "--help") != args.end() ||
      std::find(args.begin(), args.end(), "-h") != args.end()) {
    if (args[0] == "check") std::cout << check_usage();
    else if (args[0] == "gen") std::cout << gen_usage();
    else std::cout << kUsage;
    return 0;
  }
  if (args[0] == "--version") {
    std::cout << "thunder " << THUNDER_VERSION << "\n";
    return 0;
  }
  if (args[0] == "convert") return convert(args);
  if (args[0] != "check" && args[0] != "gen")
    throw UsageError("unknown command '" + args[0] + "'; expected check, gen, convert or identify (see thunder --help)");
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
  g.coriolis = a.coriolis;
  g.force = a.force;
  g.verbosity = a.verbosity;
  g.ignore_cost = a.ignore_cost;
  g.native_kernels = a.native_kernels;
  g.frames = a.frames;
  g.frame_derivatives = a.frame_derivatives;
  g.functions = a.functions;
  g.contacts = a.contacts;
  return thunder::run_gen(spec, g);
}

}  // namespace

namespace thunder {

// The CLI as functions, for the Python extension (src/thunder/python/module.cpp), so that
// thunder.load_robot / thunder.generate parse, load and fail exactly as `thunder` does.
int cli_run(const std::vector<std::string>& args) { return run(args); }

bool cli_is_usage_error(const std::exception& e) { return dynamic_cast<const UsageError*>(&e) != nullptr; }

std::vector<ParamSet> cli_parameter_sets(const std::vector<std::string>& args) {
  const Args a = parse_args(args);
  ParameterOptions options;
  options.symbolic_sets = a.symb;
  for (std::string& s : options.symbolic_sets) s = "par_" + s;
  return Parameters(load(a), options).sets();
}

}  // namespace thunder

#ifndef THUNDER_CLI_NO_MAIN
int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "identify") return run_identify(args);
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
#endif
