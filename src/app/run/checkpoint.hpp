// A training run's checkpoint, kept in "<staging>/checkpoint/": the trained parameters, the
// current ensemble, a stopped cycle's progress, and the row count of each trace, so that
// `train --resume` continues bit for bit (the data and forward chain are recomputed from the
// seed). Each checkpoint's files carry its own tag and state.json, written last and atomically,
// names them: a kill at any moment leaves the previous checkpoint or the new one, never a mix.
//
// A checkpoint is bound to its run: state.json records the run id, the SHA-256 of each of its
// files and of each trace's committed prefix (header and counted rows), the counters, and a
// checksum of itself. Resuming verifies all of it, and the counters against each other and
// against the traces; a checkpoint that fails is refused with the file and what disagrees, and
// nothing is deleted. The one before it (state.prev.json, whose files are kept until the next
// checkpoint is complete) is then tried, with a warning.
#pragma once

#include <filesystem>
#include <string>

#include "app/formats/folder.hpp"
#include "model/trainer.hpp"
#include "model/training_settings.hpp"

namespace quddpm::app {

// Data rows of each trace file that belong to a checkpoint (layers.csv: epochs x L, counted
// here once so that a resumed run's observer takes it from the checkpoint, not the config).
struct TraceRows {
  long long diffusion = 0, epochs = 0, cycles = 0, layers = 0;
};

// A trace's committed prefix: its data rows and the SHA-256 of the header and those rows.
struct TraceMark {
  long long rows = 0;
  std::string sha256;
};
struct TraceMarks {
  TraceMark diffusion, epochs, layers, cycles;
};

struct Checkpoint {
  TrainingState state;
  TraceRows rows;
  std::string file;  // the state file it was read from (state.json or state.prev.json)
};

// The checkpoint's state files: the newest, and the one before it.
inline constexpr const char* kStateFile = "state.json";
inline constexpr const char* kPreviousStateFile = "state.prev.json";

// Everything is read and written relative to the staging folder's descriptor, never through a
// symbolic link (a link at checkpoint/ or at a trace is refused by name).
void write_checkpoint(const Folder& staging, const TrainingState& state, Precision precision,
                      const std::string& run_id, const TraceMarks& traces);
Checkpoint read_checkpoint(const Folder& staging, const TrainingSettings& s,
                           const std::string& run_id);
// The same for the staging folder at a path (opened without following a link there).
void write_checkpoint(const std::filesystem::path& staging, const TrainingState& state,
                      Precision precision, const std::string& run_id, const TraceMarks& traces);

// Reads and verifies the newest checkpoint against the run (its settings and run id) and the
// traces in `staging`; falls back to the previous one with a warning. Errors name the file and
// what disagrees.
Checkpoint read_checkpoint(const std::filesystem::path& staging, const TrainingSettings& s,
                           const std::string& run_id);

}  // namespace quddpm::app
