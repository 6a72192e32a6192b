// What a run keeps of its inputs, so that a run folder means one experiment for good: an npy
// target is copied into the folder when the run starts (target.npy), and `train --resume` and
// `generate` use that copy, not whatever the original path holds by then; a run's config.json
// must still give the run id its manifest recorded.
#pragma once

#include <filesystem>

#include "app/config/config.hpp"
#include "app/formats/folder.hpp"

namespace quddpm::app {

inline constexpr const char* kTargetCopy = "target.npy";

// Copies an npy target into `dir` (nothing for other targets); refuses a file that changed
// between the run id's hash and the copy.
void keep_target_copy(const config::ExperimentConfig& c, const Folder& dir);

// Reads an npy target from the run's copy in `dir` (target.states_file), with a warning when the
// original changed or is gone since. A run of an earlier version has no copy: its original must
// still hold what its manifest recorded, or the run is refused, saying what changed.
void use_run_target(config::ExperimentConfig& c, const Folder& dir);

// Refuses a run whose config.json (resolved as `c`) no longer gives the run id its
// manifest.json recorded (an edited config, or a manifest of another run).
void check_run_id(const config::ExperimentConfig& c, const Folder& dir);

// A file of a run folder, read whole relative to its descriptor (a link there is refused).
std::string read_run_file(const Folder& dir, const std::string& name);
// The run's own config.json, read the same way.
config::ExperimentConfig load_run_config(const Folder& dir);

}  // namespace quddpm::app
