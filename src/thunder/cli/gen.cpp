#include "thunder/cli/gen.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>
#include <stdexcept>

#include "thunder/export/casadi/casadi_exporter.h"
#include "thunder/export/cpp/cpp_exporter.h"
#include "thunder/export/native/native_exporter.h"
#include "thunder/export/params_yaml.h"
#include "thunder/export/torch/torch_exporter.h"
#include "thunder/functions/manifest.h"
#include "thunder/model/function_builder.h"
#include "thunder/model/parameters.h"

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

void progress(const std::string& line) { std::cerr << "thunder: " << line << std::endl; }

/// A sibling of `out` that is unique for this run.
fs::path sibling(const fs::path& out, const std::string& tag) {
  std::random_device rd;
  return out.parent_path() / (out.filename().string() + "." + tag + "-" + std::to_string(rd() % 1000000));
}

/// Removes the staging folder unless released: an interrupted or failed run leaves OUT as it was.
struct StagingDir {
  fs::path path;
  bool keep = false;
  ~StagingDir() {
    std::error_code ec;
    if (!keep) fs::remove_all(path, ec);
  }
};

}  // namespace

int run_gen(const RobotSpec& spec, const GenOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<std::string> targets = resolve_targets(options);
  const fs::path out = fs::absolute(options.out_dir.empty() ? fs::path("gen") / spec.name : fs::path(options.out_dir));
  fs::create_directories(out.parent_path());

  BuildOptions build;
  for (const std::string& set : options.symbolic_sets) build.parameters.symbolic_sets.push_back("par_" + set);
  build.frames = options.frames;
  build.frame_derivatives = options.frame_derivatives;
  build.only = options.functions;
  build.progress = [](const std::string& line) { progress("built " + line); };
  Parameters(spec, build.parameters);  // rejects unknown --symb sets before any output
  progress("building the symbolic model of " + spec.name + " (" + std::to_string(spec.n()) + " joints)");
  const FunctionSet set = build_function_set(spec, build);

  StagingDir staging{sibling(out, "tmp")};
  fs::create_directories(staging.path);
  write_manifest(set, staging.path);
  write_par_yaml(set, staging.path / (spec.name + "_par.yaml"));
  if (has(targets, "casadi")) {
    progress("writing casadi/");
    export_casadi(set, staging.path);
  }
  if (has(targets, "cpp")) {
    progress("writing cpp/");
    export_cpp(set, staging.path, progress);
  }
  if (has(targets, "torch")) {
    progress("writing torch/");
    export_torch(set, staging.path, progress);
  }
  if (has(targets, "native")) {
    progress("writing native/");
    NativeOptions native;
    native.opt_level = options.native_opt;
    native.cuda = options.native_cuda;
    native.kernels = options.native_kernels;
    export_native(set, staging.path, native, progress);
  }

  // Swap in the complete output: the old folder is moved aside first and removed last.
  fs::path old;
  if (fs::exists(out)) {
    old = sibling(out, "old");
    fs::rename(out, old);
  }
  fs::rename(staging.path, out);
  staging.keep = true;
  if (!old.empty()) fs::remove_all(old);

  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "generated " << set.functions.size() << " functions of " << spec.name << " into " << out.string()
            << " in " << s << " s\n";
  return 0;
}

}  // namespace thunder
