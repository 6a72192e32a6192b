// A training run's checkpoint, kept in "<staging>/checkpoint/": the trained parameters, the
// current ensemble, a stopped cycle's progress, and the row count of each trace, so that
// `train --resume` continues bit for bit (the data and forward chain are recomputed from the
// seed). Each checkpoint's files carry its own tag and state.json, written last and atomically,
// names them: a kill at any moment leaves the previous checkpoint or the new one, never a mix.
#pragma once

#include <filesystem>

#include "model/trainer.hpp"
#include "model/training_settings.hpp"

namespace quddpm::app {

// Data rows of each trace file that belong to a checkpoint.
struct TraceRows {
  long long diffusion = 0, epochs = 0, cycles = 0;
};

struct Checkpoint {
  TrainingState state;
  TraceRows rows;
};

void write_checkpoint(const std::filesystem::path& staging, const TrainingState& state,
                      Precision precision, const TraceRows& rows);

// Reads and checks the checkpoint against the run's settings; errors name the file and what
// was expected.
Checkpoint read_checkpoint(const std::filesystem::path& staging, const TrainingSettings& s);

}  // namespace quddpm::app
