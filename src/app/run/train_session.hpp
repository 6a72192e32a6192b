// One training session of a run, from its checkpoint (or the start) to its results: the traces
// and checkpoints written as it goes, the results moved into place at the end, the session
// recorded in manifest.json, and every way it can end (a stop signal, a non-finite value, a
// failed write) reported with what is still safe on disk. `quddpm train` (cli/) decides which
// run and settings; this file runs them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "app/config/config.hpp"
#include "app/config/experiment.hpp"
#include "app/run/checkpoint.hpp"
#include "app/run/run_directory.hpp"
#include "app/run/stop_signal.hpp"
#include "model/training_settings.hpp"

namespace quddpm::app {

// The files a run reads: its config and, for an npy target, the states.
std::vector<std::string> input_files(const config::ExperimentConfig& c, const std::string& config);

// The first process: trains from `ck` (or the start) to the end in `dir`, writes the results
// and commits the folder, with the session in its manifest; a stop throws ExitError
// (128 + the signal), an error says what is still safe. `show_progress`: the live progress line
// on a terminal.
void run_to_end(const config::ExperimentConfig& c, const TrainingSettings& s, RunDirectory& dir,
                const std::optional<Checkpoint>& ck, const std::string& config, StopSignals& stop,
                bool show_progress);

// A process other than the first (MPI): trains its shard of every epoch with the others and
// writes nothing; it stops when they stop.
void work_to_end(const config::ExperimentConfig& c, const TrainingSettings& s,
                 const std::optional<Checkpoint>& ck, StopSignals& stop);

// calibrate_schedule with the set-up's progress line, stopped within a second by a signal
// (ExitError, nothing written). Returns the search's result, or nothing when there was none.
std::optional<ScheduleCalibration> calibrate_with_progress(const CheckedRun& run, StopSignals& stop,
                                                           bool show_progress);

}  // namespace quddpm::app
