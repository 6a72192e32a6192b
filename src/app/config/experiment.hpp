// From a resolved experiment config to the model's training settings (the one place where
// config vocabulary meets model types).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/config/config.hpp"
#include "core/pace.hpp"
#include "model/diffusion.hpp"
#include "model/qgan.hpp"
#include "model/training_settings.hpp"

namespace quddpm::app {

// A config that passed every check `train` makes before it writes anything, short of
// calibrating the schedule (which runs the forward chain: slow), with the settings it gives.
struct CheckedRun {
  config::ExperimentConfig config;
  TrainingSettings unscheduled;  // everything but the schedule; an npy target's states read once
};

// The one code path of those checks, for `train` (a fresh run) and `quddpm config`: the config
// file read and resolved (config::load: every key, range and relation, the memory estimate),
// then an npy target read and checked against it (a regular file of finite, normalized states
// of qubits.data qubits, at least training.diffusion_size of them). Errors name the file and key.
CheckedRun check_run(const std::string& config_file, const std::vector<std::string>& overrides);

// Builds the settings; an npy target is read here (errors name the file). A schedule with end
// "auto" must have been calibrated (calibrate_schedule).
TrainingSettings make_settings(const config::ExperimentConfig& c);
TrainingSettings make_settings(const CheckedRun& run);  // its target not read again

// The target ensemble S_0 a run of `c` trains on: the data.npy its `train` writes (QuDDPM or
// QGAN), drawn again from the config's seed (an npy target read here).
StateMatrix target_ensemble(const config::ExperimentConfig& c);

// The QGAN baseline's settings of a `model: qgan` config (its target read by check_run).
QganSettings make_qgan_settings(const CheckedRun& run);
QganSettings make_qgan_settings(const config::ExperimentConfig& c);  // an npy target read here

// For a schedule with end "auto" and no calibrated_end yet: runs the bisection on the run's own
// forward chain and returns its result (the end and the terminal mmd_to_haar reached), or
// nothing when there is nothing to calibrate; errors name the config key. The caller records
// the end (config.calibrated_end, which config.json keeps for --resume and generate). A pace
// hears how far the search is and may stop it (core/pace.hpp).
std::optional<ScheduleCalibration> calibrate_schedule(const config::ExperimentConfig& c,
                                                      const Pace& pace = {});
std::optional<ScheduleCalibration> calibrate_schedule(const CheckedRun& run, const Pace& pace = {});

}  // namespace quddpm::app
