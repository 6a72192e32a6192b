// The two models and the defaults every run starts from (docs/model.md, section 5): the
// experiment layer's config schema takes its defaults from here, so a key's default is written
// once.
#pragma once

#include <optional>

#include "model/limits.hpp"
#include "model/training_settings.hpp"

namespace quddpm {

// Original and Improved are the two QuDDPMs; Qgan is the original QuDDPM paper's QGAN
// baseline (model/qgan.hpp), which reads only the keys it shares with them and its own.
enum class ModelKind { Original, Improved, Qgan };

// What the two models do differently: the forward schedule h_t = linear from `schedule_start`
// to `schedule_end` (none: calibrated so that the run's own S_T has mmd_to_haar
// `target_mmd_to_haar`), where the backward chain starts and how parameters start.
struct ModelPreset {
  double schedule_start;
  std::optional<double> schedule_end;
  double target_mmd_to_haar;
  PriorKind prior;
  InitKind init;
};

inline ModelPreset preset_of(ModelKind m) {
  switch (m) {
    case ModelKind::Improved:
      // 0.35: the middle of the paper's 0.3-0.4, reached at every n by the calibration.
      return {0.1, std::nullopt, 0.35, PriorKind::Diffused, InitKind::Uniform};
    case ModelKind::Original:
    case ModelKind::Qgan:  // its generator and discriminator start as the original's PQCs
      break;
  }
  return {0.5, 4.0, 0.35, PriorKind::Haar, InitKind::Normal};
}

// Forward steps T when not given.
inline constexpr int kDefaultSteps = 30;

// Layers L when not given: two per qubit of the register.
inline constexpr int default_layers(int n_data, int n_ancilla) {
  return 2 * (n_data + n_ancilla);
}

// Everything else both models share: TrainingSettings' own member defaults.
inline const TrainingSettings& shared_defaults() {
  static const TrainingSettings s;
  return s;
}

}  // namespace quddpm
