// From a resolved experiment config to the model's training settings (the one place where
// config vocabulary meets model types).
#pragma once

#include "app/config.hpp"
#include "model/training_settings.hpp"

namespace quddpm::app {

// Builds the settings; an npy target is read here (errors name the file).
TrainingSettings make_settings(const config::ExperimentConfig& c);

}  // namespace quddpm::app
