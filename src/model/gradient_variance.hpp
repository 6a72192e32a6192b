// The numerical side of the paper's Theorem 1: over K independent draws of (a Haar input set,
// a Haar target set, PQC parameters theta ~ U[0, 2 pi)), one backward step's exact gradient
// (the training code path, with sampled ancilla outcomes), and the mean and unbiased variance
// of every component over the draws.
#pragma once

#include <cstdint>

#include "core/types.hpp"
#include "model/precision.hpp"

namespace quddpm {

// The sizes the study accepts: K draws of |S| states of n + na qubits each, kept within a
// node's memory and a study's minutes (the circuit itself takes up to kMaxQubits).
inline constexpr int kVarianceMaxData = 20;
inline constexpr int kVarianceMaxAncilla = 8;
inline constexpr int kVarianceMaxQubits = 24;

// Defaults: the `variance` command's.
struct GradientVarianceSettings {
  int n_data = 1, n_ancilla = 1, layers = 2;
  int draws = 100;   // K >= 2
  int samples = 10;  // |S|: states in the input set and in the target set
  std::uint64_t seed = 1;
  Precision precision = Precision::Double;
};

struct GradientStatistics {
  RealVector mean, variance;  // per component over the draws (variance: unbiased)
  double mean_loss = 0;
  // Mean over the draws of |grad|^2 / P: the variance averaged over the components when the
  // mean gradient vanishes.
  double mean_sq_grad_per_param = 0;
};

GradientStatistics gradient_variance(const GradientVarianceSettings& s);

}  // namespace quddpm
