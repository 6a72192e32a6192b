// `quddpm train` for a `model: qgan` config: the QGAN baseline's game (model/qgan.hpp) played
// in a run folder, its traces written as it goes and its results moved into place at the end.
#pragma once

#include <string>
#include <vector>

#include "app/config/config.hpp"
#include "app/run/run_directory.hpp"
#include "app/run/stop_signal.hpp"
#include "model/qgan.hpp"

namespace quddpm::app {

// Plays the game in `dir` (its config.json and target copy already written): qgan_epochs.csv
// and qgan_phases.csv as it goes, then the players' parameters and the ensembles as .npy, the
// session recorded in manifest.json, and commits the folder. A QGAN run keeps no checkpoint:
// a stop or an error removes the staging folder (ExitError 128 + signal for a stop).
void run_qgan_to_end(const config::ExperimentConfig& c, const QganSettings& s, RunDirectory& dir,
                     const std::vector<std::string>& input_files, StopSignals& stop);

}  // namespace quddpm::app
