#include "thunder/cli/output_dir.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "thunder/util/sha256.h"

namespace fs = std::filesystem;

namespace thunder {
namespace {

// A manifest is a few hundred kB; anything far larger is not one of ours.
constexpr std::uintmax_t kMaxManifestBytes = 64u << 20;

std::string read_text(const fs::path& file) {
  std::ifstream is(file, std::ios::binary);
  std::ostringstream ss;
  ss << is.rdbuf();
  return ss.str();
}

/// -o as the user wrote it plus, for "." and the like, which folder that is.
std::string shown(const std::string& value, const fs::path& path) {
  return value == path.string() ? value : value + " (" + path.string() + ")";
}

/// Why `dir`'s manifest.json does not make it a thunder output; empty if it does (and then
/// `out` is filled in).
std::string read_previous(const fs::path& dir, OutputFolder& out) {
  const fs::path file = dir / "manifest.json";
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return "it has no manifest.json";
  if (fs::file_size(file, ec) > kMaxManifestBytes) return "its manifest.json is too large to be a thunder manifest";
  JsonValue m;
  try {
    m = parse_json(read_text(file));
  } catch (const std::exception& e) {
    return "its manifest.json is not valid JSON (" + std::string(e.what()) + ")";
  }
  if (m.kind != JsonValue::Object || !m.get("thunder_manifest"))
    return "its manifest.json is not a thunder manifest (no \"thunder_manifest\" key)";
  bool found = false;
  try {
    out.previous = read_artifacts(m, found);
  } catch (const std::exception& e) {
    return "its manifest.json has a malformed artifacts list (" + std::string(e.what()) + ")";
  }
  out.legacy = !found;
  return "";
}

bool process_alive(long pid) { return kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH; }

/// A folder that a thunder gen run staged: our marker, an older Thunder's manifest, or nothing yet.
bool is_staging(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / staging_marker(), ec) || fs::exists(dir / "manifest.json", ec) || fs::is_empty(dir, ec);
}

void move_file(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (!ec) return;
  if (ec != std::errc::cross_device_link) throw fs::filesystem_error("cannot move the generated file", from, to, ec);
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);  // OUT on another file system
  fs::remove(from);
}

/// Writes `text` to `file` atomically (a temporary beside it, then rename).
void write_atomically(const fs::path& file, const std::string& text) {
  const fs::path tmp = file.string() + ".tmp-" + std::to_string(getpid());
  {
    std::ofstream os(tmp, std::ios::binary);
    os << text;
    if (!os) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, file);
}

}  // namespace

OutputFolder inspect_output(const std::string& value, bool force) {
  OutputFolder out;
  fs::path p = fs::absolute(value).lexically_normal();
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();  // "a/b/" and "."
  out.path = p;
  if (p == p.root_path())
    throw std::runtime_error("-o " + value + ": cannot generate into the file-system root; choose a folder");
  std::error_code ec;
  const fs::file_status st = fs::status(p, ec);
  if (!fs::exists(st)) return out;
  if (!fs::is_directory(st))
    throw std::runtime_error("-o " + shown(value, p) + ": is a file, not a folder; thunder gen writes a folder "
                             "(manifest.json, casadi/, cpp/, ...): choose a new or empty folder");
  if (fs::is_empty(p, ec)) {
    out.state = OutputFolder::Empty;
    return out;
  }
  const std::string why = read_previous(p, out);
  if (why.empty()) {
    out.state = OutputFolder::Previous;
    return out;
  }
  out.state = OutputFolder::Foreign;
  if (force) return out;
  const bool here = fs::equivalent(p, fs::current_path(), ec);
  throw std::runtime_error("-o " + shown(value, p) + ": " + (here ? "the current folder" : "the folder") +
                           " is not empty and is not a thunder output (" + why +
                           "): thunder gen writes manifest.json, casadi/, cpp/, ... into OUT and would mix them "
                           "with your files. Choose a new or empty folder (the default is gen/NAME), or pass "
                           "--force to add the generated files to it (same-named files are replaced, nothing "
                           "is deleted)");
}

fs::path make_staging(const OutputFolder& out, const Note& note) {
  const fs::path parent = out.path.parent_path();
  const std::string prefix = out.path.filename().string() + ".tmp-";
  fs::create_directories(parent);
  for (const auto& entry : fs::directory_iterator(parent)) {
    const std::string name = entry.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0 || !entry.is_directory()) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const long pid = std::stol(digits);
    if (pid != getpid() && process_alive(pid)) {
      note("warning: " + entry.path().string() + " belongs to a running thunder gen (pid " + digits +
           ") that writes the same output folder");
      continue;
    }
    if (!is_staging(entry.path())) continue;
    fs::remove_all(entry.path());
    if (pid != getpid())
      note("removed " + entry.path().string() + ", left by an interrupted thunder gen (pid " + digits + ")");
  }
  const fs::path staging = parent / (prefix + std::to_string(getpid()));
  fs::create_directories(staging);
  std::ofstream(staging / staging_marker()) << "staging folder of a running thunder gen; removed by the next run "
                                               "if that one was killed\n";
  return staging;
}

CommitResult commit_output(const std::string& out_value, const fs::path& staging, const std::string& manifest,
                           bool force, const Note& note) {
  // Inspected again: the folder may have changed while the model was built.
  const OutputFolder out = inspect_output(out_value, force);
  const std::vector<Artifact> artifacts = list_artifacts(staging, {staging_marker(), "manifest.json"});
  const std::string manifest_text = manifest_with_artifacts(manifest, artifacts);
  CommitResult result;

  if (out.state == OutputFolder::Missing) {
    write_atomically(staging / "manifest.json", manifest_text);
    fs::remove(staging / staging_marker());
    fs::create_directories(out.path.parent_path());
    fs::rename(staging, out.path);
    result.written = static_cast<int>(artifacts.size()) + 1;
    return result;
  }

  std::map<std::string, const Artifact*> before;
  for (const Artifact& a : out.previous) before[a.path] = &a;
  // The journal of a run killed while it moved files in: those files are thunder's too.
  const fs::path journal = out.path / pending_journal();
  std::map<std::string, std::string> pending;
  if (fs::is_regular_file(journal)) {
    try {
      bool found = false;
      for (const Artifact& a : read_artifacts(parse_json(read_text(journal)), found)) pending[a.path] = a.sha256;
    } catch (const std::exception&) {
      // unreadable: the journal of a run killed while writing it, before it moved anything
    }
  }
  auto generated_here = [&](const std::string& path, const std::string& sha) {
    auto it = before.find(path);
    auto jt = pending.find(path);
    return (it != before.end() && it->second->sha256 == sha) || (jt != pending.end() && jt->second == sha);
  };
  auto known = [&](const std::string& path) { return before.count(path) || pending.count(path); };
  std::set<std::string> now;
  for (const Artifact& a : artifacts) now.insert(a.path);

  // Plan, and refuse before changing anything.
  std::vector<std::string> conflicts, move;
  for (const Artifact& a : artifacts) {
    const fs::path target = out.path / a.path;
    for (fs::path d = fs::path(a.path).parent_path(); !d.empty(); d = d.parent_path())
      if (fs::exists(out.path / d) && !fs::is_directory(out.path / d))
        conflicts.push_back((out.path / d).string() + " is a file where thunder writes a folder");
    const fs::file_status st = fs::symlink_status(target);
    if (!fs::exists(st)) {
      move.push_back(a.path);
      continue;
    }
    if (!fs::is_regular_file(st)) {
      conflicts.push_back(target.string() + " is not a plain file; thunder writes one there");
      continue;
    }
    const std::string current = sha256_file(target);
    if (current == a.sha256) {
      ++result.unchanged;
      continue;
    }
    if (known(a.path) && !generated_here(a.path, current) && !force)
      conflicts.push_back(target.string() + " was generated by thunder but has been changed since (its sha256 is "
                          "not the one in manifest.json)");
    else if (!known(a.path) && !out.legacy && !force)
      conflicts.push_back(target.string() + " exists but thunder did not write it (it is not in manifest.json's "
                          "artifacts)");
    move.push_back(a.path);
  }
  if (!conflicts.empty()) {
    std::string msg = "-o " + out.path.string() + ": refusing to overwrite files that are not thunder's: " + conflicts[0];
    for (size_t i = 1; i < conflicts.size() && i < 4; ++i) msg += "; " + conflicts[i];
    if (conflicts.size() > 4) msg += "; and " + std::to_string(conflicts.size() - 4) + " more";
    throw std::runtime_error(msg + ". Move them away, or pass --force to replace them");
  }

  // Files the previous run wrote and this one does not: removed, unless changed by the user.
  std::vector<std::string> old_paths;
  for (const Artifact& a : out.previous) old_paths.push_back(a.path);
  for (const auto& [path, sha] : pending)
    if (!before.count(path)) old_paths.push_back(path);
  std::set<fs::path> emptied;
  for (const std::string& path : old_paths) {
    if (now.count(path)) continue;
    const fs::path target = out.path / path;
    if (!fs::is_regular_file(fs::symlink_status(target))) continue;
    if (!generated_here(path, sha256_file(target))) {
      note("kept " + target.string() + ": the previous run generated it, it has been changed since, and this run "
           "does not generate it");
      continue;
    }
    fs::remove(target);
    emptied.insert(target.parent_path());
    ++result.removed;
  }
  // Until manifest.json is rewritten, the journal says which files this run is moving in.
  write_atomically(journal, manifest_with_artifacts("{\n  \"thunder_gen_pending\": 1\n}\n", artifacts));
  for (const std::string& rel : move) {
    const fs::path target = out.path / rel;
    fs::create_directories(target.parent_path());
    move_file(staging / rel, target);
    ++result.written;
  }
  const fs::path mpath = out.path / "manifest.json";
  if (!fs::is_regular_file(mpath) || read_text(mpath) != manifest_text) {
    write_atomically(mpath, manifest_text);
    ++result.written;
  } else {
    ++result.unchanged;
  }
  fs::remove(journal);
  fs::remove_all(staging);
  for (fs::path d : emptied) {
    std::error_code ec;
    while (d != out.path && d.string().size() > out.path.string().size() && fs::is_empty(d, ec) && !ec) {
      fs::remove(d, ec);
      d = d.parent_path();
    }
  }
  return result;
}

}  // namespace thunder
