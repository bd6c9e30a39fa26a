// The output folder of `thunder gen`: never lose a user's file.
//
// gen writes into a staging folder OUT.tmp-PID beside OUT, then commits it: a new OUT is the
// staging folder renamed; an existing OUT is updated file by file. A previous output is
// recognised by its manifest.json, whose "artifacts" list every file that run wrote: those are
// replaced (or removed when no longer generated), files gen did not write (a cpp/my_main.cpp, the
// cpp/build/ folder) are never touched, and a file whose content did not change is not rewritten,
// so its timestamp stays and a build in cpp/build/ recompiles only what changed. A non-empty
// folder that is not a thunder output is refused unless --force (which adds the generated files
// and deletes nothing). Staging folders of killed runs (dead PID) are removed by the next run.
// manifest.json is written last: a run killed while it moves files leaves the old manifest, whose
// checksums then expose the new files to thunder_torch, and a journal of the files it was moving,
// with which the next run recognises them as thunder's and finishes the update.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "thunder/functions/artifacts.h"

namespace thunder {

using Note = std::function<void(const std::string&)>;

struct OutputFolder {
  enum State { Missing, Empty, Previous, Foreign };
  std::filesystem::path path;       ///< absolute, normalised
  State state = Missing;
  bool legacy = false;              ///< Previous, but its manifest has no "artifacts" (older Thunder)
  std::vector<Artifact> previous;   ///< Previous: the files the last run wrote
};

/// Resolves `-o VALUE` and checks it before any work: a regular file, the root folder, or a
/// non-empty folder that is not a thunder output (unless `force`) is a std::runtime_error whose
/// message says what to do instead.
OutputFolder inspect_output(const std::string& value, bool force);

/// Creates the staging folder OUT.tmp-PID (with a marker file) after removing stale ones of the
/// same OUT whose process is gone.
std::filesystem::path make_staging(const OutputFolder& out, const Note& note);

struct CommitResult {
  int written = 0, unchanged = 0, removed = 0;
};

/// Moves the staged output into place as described above; `manifest` is write_manifest's text
/// (the artifacts are added here). Checks every conflict before it changes anything; removes the
/// staging folder on success.
CommitResult commit_output(const std::string& out_value, const std::filesystem::path& staging,
                           const std::string& manifest, bool force, const Note& note);

/// The marker file in a staging folder (never an artifact).
inline const char* staging_marker() { return ".thunder-staging"; }
/// In OUT while a run moves files in (their paths and checksums): a run killed meanwhile leaves
/// it, and the next run recognises those files as thunder's.
inline const char* pending_journal() { return ".thunder-gen-pending.json"; }

}  // namespace thunder
