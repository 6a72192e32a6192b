// From a resolved experiment config to the model's training settings (the one place where
// config vocabulary meets model types).
#pragma once

#include "app/config.hpp"
#include "core/pace.hpp"
#include "model/training_settings.hpp"

namespace quddpm::app {

// Builds the settings; an npy target is read here (errors name the file). A schedule with end
// "auto" must have been calibrated (calibrate_schedule).
TrainingSettings make_settings(const config::ExperimentConfig& c);

// For a schedule with end "auto" and no calibrated_end yet: runs the bisection on the run's own
// forward chain and records the result in c.calibrated_end (errors name the config key).
// Returns the terminal mmd_to_haar reached, or NaN when nothing had to be calibrated. A pace
// hears how far the search is and may stop it (core/pace.hpp).
double calibrate_schedule(config::ExperimentConfig& c, const Pace& pace = {});

}  // namespace quddpm::app
