// A small training run for the model tests: GHZ targets on n data qubits, one ancilla, two
// layers, three forward steps (0.5, 1, 1.5), six epochs per cycle; the rest as given.
#pragma once

#include <cstdint>

#include "model/ensembles.hpp"
#include "model/training_settings.hpp"

namespace testing_model {

inline quddpm::TrainingSettings small_ghz_run(int n_data, int samples, int diffusion_size,
                                              double learning_rate, std::uint64_t seed) {
  quddpm::TrainingSettings s;
  s.n_data = n_data;
  s.n_ancilla = 1;
  s.layers = 2;
  s.schedule = {0.5, 1.0, 1.5};
  s.samples = samples;
  s.diffusion_size = diffusion_size;
  s.epochs = 6;
  s.learning_rate = learning_rate;
  s.seed = seed;
  s.sample_target = [n_data](int count, std::uint64_t key) {
    return quddpm::make_ghz(n_data, count, quddpm::GhzParams{}, key);
  };
  return s;
}

}  // namespace testing_model
