// What made a run: DIR/manifest.json records the run id, the build (version, commit, compiler,
// flags, kernels), the machine (host, threads), every session that worked on the run (command line,
// start and end, wall time, exit status; a resume adds a session) and the SHA-256 of every
// input file.
#pragma once

#include <string>
#include <vector>
#include "app/formats/folder.hpp"

namespace quddpm::app {

inline constexpr const char* kManifest = "manifest.json";

// The executable's command line, kept by main() for the manifests.
void set_command_line(int argc, char** argv);

// "quddpm 0.1.0 (commit ...)" and the build lines of `quddpm --version`.
std::string version_text();

class RunManifest {
 public:
  // Adds a session ("exit_status": null until finish()) to DIR/manifest.json, creating it with
  // the run id (config::run_id, as in the CSVs), the build, machine and input hashes when it does
  // not exist yet.
  RunManifest(const Folder& dir, const std::string& run_id, const std::vector<std::string>& inputs);
  // Records the session's end, in the same folder however it was renamed since (staging ->
  // final): it is held by its descriptor.
  void finish(int exit_status);

 private:
  Folder dir_;
  std::string start_;
  double start_seconds_;
};

}  // namespace quddpm::app
