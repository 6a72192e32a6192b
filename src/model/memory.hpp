// Peak memory of the model's runs, estimated from their sizes: the config refuses a training
// run that would not fit, `generate` a sample count that would not, and `quddpm config` reports
// the training estimate so that sweep scripts can size a cluster job. In bytes, saturating
// instead of overflowing (any size in, a meaningful comparison out).
#pragma once

#include <cstdint>

namespace quddpm {

// A training run: the forward chain S_0..S_T kept whole, the full-register states the adjoint
// gradient caches with two workspaces, and four ensembles of data states.
std::uint64_t training_peak_bytes(int n_data, int n_ancilla, int steps, int diffusion_size,
                                  int samples);

// Generating `samples` states: the full-register states of one step (and their measured
// copies) plus three ensembles of data states.
std::uint64_t generation_peak_bytes(int n_data, int n_ancilla, long long samples);

}  // namespace quddpm
