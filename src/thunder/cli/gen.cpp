#include "thunder/cli/gen.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "thunder/cli/cost.h"
#include "thunder/cli/frame_names.h"
#include "thunder/cli/output_dir.h"
#include "thunder/export/casadi/casadi_exporter.h"
#include "thunder/export/cpp/cpp_exporter.h"
#include "thunder/export/native/native_exporter.h"
#include "thunder/export/params_yaml.h"
#include "thunder/export/torch/torch_exporter.h"
#include "thunder/functions/manifest.h"
#include "thunder/cli/presets.h"
#include "thunder/model/function_builder.h"
#include "thunder/model/parameters.h"
#include "thunder/util/text.h"
#include "thunder/util/sha256.h"

namespace fs = std::filesystem;

namespace thunder {
namespace {

std::vector<std::string> resolve_targets(const GenOptions& options) {
  std::vector<std::string> targets = options.targets;
  if (targets.empty()) targets = {"cpp", "casadi"};
  if (options.native && std::find(targets.begin(), targets.end(), "native") == targets.end())
    targets.push_back("native");
  // The native kernels run behind the PyTorch module, which needs OUT/torch/.
  const bool native = std::find(targets.begin(), targets.end(), "native") != targets.end();
  if ((options.pytorch || native) && std::find(targets.begin(), targets.end(), "torch") == targets.end())
    targets.push_back("torch");
  for (const std::string& t : targets) {
    if (std::find(known_targets().begin(), known_targets().end(), t) == known_targets().end())
      throw std::invalid_argument("--targets: unknown target '" + t + "'");
  }
  return targets;
}

bool has(const std::vector<std::string>& xs, const std::string& x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

/// Removes the staging folder unless released: an interrupted or failed run leaves OUT as it was.
struct StagingDir {
  fs::path path;
  bool keep = false;
  ~StagingDir() {
    std::error_code ec;
    if (!keep && !path.empty()) fs::remove_all(path, ec);
  }
};

}  // namespace

int run_gen(const RobotSpec& spec, const GenOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<std::string> targets = resolve_targets(options);
  const std::string out_value = options.out_dir.empty() ? "gen/" + spec.name : options.out_dir;
  const OutputFolder out = inspect_output(out_value, options.force);  // refuse before minutes of work

  // Progress goes to stderr: stage lines by default, per-function statistics with -v. Exporters
  // name the staging folder; users see the output folder it becomes.
  fs::path staging_path;
  auto say = [&](int level, const std::string& line) {
    if (options.verbosity < level) return;
    std::string shown = line;
    if (!staging_path.empty()) shown = replace_all(shown, staging_path.string(), out.path.string());
    std::cerr << "thunder: " << shown << std::endl;
  };
  auto stage = [&](const std::string& line) { say(1, line); };
  auto detail = [&](const std::string& line) { say(2, line); };
  auto note = [&](const std::string& line) { say(0, line); };

  BuildOptions build;
  for (const std::string& set : options.symbolic_sets) build.parameters.symbolic_sets.push_back("par_" + set);
  // A thunder 1.0 file's C_method counts unless --coriolis says otherwise.
  const std::string coriolis = options.coriolis == "auto" && spec.v1.on ? spec.v1.coriolis : options.coriolis;
  if (coriolis == "christoffel") build.coriolis = CoriolisConstruction::Christoffel;
  else if (coriolis == "recursive") build.coriolis = CoriolisConstruction::Recursive;
  else if (coriolis != "auto") throw std::invalid_argument("--coriolis: unknown value '" + coriolis + "'");
  // Default frames: the end effector and the leaves that matter for control, not the massless
  // sensor/camera/IMU/logo/rotor links many URDFs end in (presets.h).
  build.frames = options.frames.empty() ? control_frames(default_frames(spec)) : options.frames;
  build.frame_derivatives = options.frame_derivatives;
  if (spec.v1.on && options.frames.empty()) {
    // thunder 1.0: T_w_<node>, J_<node> for the available nodes (+ _dot, _ddot, _pinv for the
    // derivatives ones), beside the default frames.
    build.frames = control_frames(default_frames(spec));
    for (const std::string& f : spec.v1.available)
      if (std::find(build.frames.begin(), build.frames.end(), f) == build.frames.end()) build.frames.push_back(f);
    build.derivative_frames = spec.v1.derivatives;
  }
  check_frame_identifiers(spec, build.frames.empty() ? default_frames(spec) : build.frames, !options.frames.empty());
  std::vector<std::string> names = options.functions;
  build.select = preset_selector(names);  // presets out of the list, explicit names stay
  build.only = names;
  if (options.functions.empty() && spec.format == "urdf") {
    const long long pairs = coupled_velocity_pairs(spec), limit = large_model_pairs();
    if (pairs > limit) {
      build.select = in_large_model_default;
      note(spec.name + "'s mass matrix couples " + std::to_string(pairs) + " pairs of velocities (more than " +
           std::to_string(limit) + "): the default set leaves out the regressors and the time "
           "derivatives, the largest code of a tree this size; --functions all generates every function");
    }
  }
  build.contacts = options.contacts;
  build.factored_solves = has(targets, "cpp");
  // Per-function lines with -v; by default too once the build has used 10 s of CPU (process CPU
  // time, not wall: a loaded machine must not make a small robot chatty), so that a minutes-long
  // generation (a humanoid) shows where it is.
  const std::clock_t build_start = std::clock();
  build.progress = [&](const std::string& line) {
    const double s = static_cast<double>(std::clock() - build_start) / CLOCKS_PER_SEC;
    if (s > 10.0) stage("built " + line);
    else detail("built " + line);
  };
  Parameters(spec, build.parameters);  // rejects unknown --symb sets before any output
  check_build_cost(spec, options.ignore_cost);
  stage("building the symbolic model of " + spec.name + " (" + std::to_string(spec.n()) + " joints)");
  const FunctionSet set = build_function_set(spec, build);
  {
    long long n = 0;
    for (const auto& f : set.functions) n += f.fn.n_instructions();
    std::string line = std::to_string(set.functions.size()) + " functions, " + std::to_string(n) + " instructions";
    if (has(targets, "cpp")) line += "; " + compile_estimate(n);
    stage(line);
  }

  StagingDir staging{make_staging(out, note)};
  staging_path = staging.path;
  write_par_yaml(set, staging.path / (spec.name + "_par.yaml"));
  if (has(targets, "casadi")) {
    stage("writing casadi/");
    export_casadi(set, staging.path);
  }
  if (has(targets, "cpp")) {
    stage("writing cpp/");
    export_cpp(set, staging.path, detail);
  }
  std::ostringstream manifest;
  write_manifest(set, manifest);
  if (has(targets, "torch")) {
    stage("writing torch/");
    export_torch(set, staging.path, detail);
    // The runtime builds the module from manifest.json (nq, nv, floating_base, the values folded
    // into the code): this file, itself listed with its sha256 in the artifacts, lets thunder_torch
    // refuse a manifest edited after generation.
    std::ofstream(staging.path / "torch" / "manifest.sha256") << sha256_hex(manifest.str()) << "\n";
  }
  if (has(targets, "native")) {
    stage("writing native/");
    NativeOptions native;
    native.opt_level = options.native_opt;
    native.cuda = options.native_cuda;
    native.kernels = options.native_kernels;
    // Compiler start lines and a missing nvcc matter to everyone; per-file lines go behind -v.
    export_native(set, staging.path, native, [&](const std::string& line) {
      if (line.rfind("native: compiling", 0) == 0 || line.find("not found") != std::string::npos) stage(line);
      else detail(line);
    });
  }

  const CommitResult r = commit_output(out_value, staging.path, manifest.str(), options.force, note);
  staging.keep = true;  // commit_output moved or removed it

  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (options.verbosity >= 1) {
    std::cout << "generated " << set.functions.size() << " functions of " << spec.name << " into " << out.path.string()
              << " in " << s << " s";
    if (out.state != OutputFolder::Missing)
      std::cout << " (" << r.written << " files written, " << r.unchanged << " unchanged, " << r.removed
                << " removed)";
    std::cout << "\n";
  }
  return 0;
}

}  // namespace thunder
