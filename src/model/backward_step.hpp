// One backward (denoising) step on a batch: PQC, ancilla measurement, post-measurement
// normalization, MMD loss to a target batch, and its exact gradient by the adjoint method
// (derivation: shared/notes/adjoint-gradient.md). Sampled outcomes are held fixed; the
// 1/sqrt(p_m) normalization is differentiated.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/types.hpp"
#include "model/circuit.hpp"

namespace quddpm {

// Picks the ancilla outcome of input i from its outcome probabilities p_m (m = 0..2^na-1).
// Called concurrently for different i: must not share mutable state.
using OutcomeChooser = std::function<std::int64_t(std::int64_t i, const std::vector<double>& p)>;

// Sample i draws its outcome from its own stream stream_key(key, {i}).
OutcomeChooser sampled_outcomes(std::uint64_t key);

// Given outcomes; an outcome out of range or of probability below 1e-12 is an error.
OutcomeChooser fixed_outcomes(std::vector<std::int64_t> outcomes);

struct StepOutputs {
  StateMatrix states;                  // N x 2^n normalized post-measurement data states
  std::vector<std::int64_t> outcomes;  // ancilla outcome of each input
  std::vector<double> probabilities;   // p_m of the chosen outcome
};

struct LossAndGradient {
  double loss = 0;
  RealVector grad;  // dL/dtheta, length num_params
  StepOutputs outputs;
};

// Forward only: each input |0^na>|phi_i> through U(theta), measured.
StepOutputs run_step(const HeaCircuit& circuit, const double* theta, const StateMatrix& inputs,
                     const OutcomeChooser& choose);

// Loss and exact gradient; keeps its buffers between calls (one instance per training cycle).
class StepGradient {
 public:
  explicit StepGradient(const HeaCircuit& circuit) : circuit_(circuit) {}

  LossAndGradient evaluate(const double* theta, const StateMatrix& inputs,
                           const StateMatrix& targets, const OutcomeChooser& choose);

 private:
  const HeaCircuit& circuit_;
  StateMatrix final_states_;  // U|0,phi_i> of each input, reused as psi during the sweep
  std::vector<std::vector<cplx>> lambda_;  // one adjoint vector per thread
  RealMatrix per_sample_grad_;             // N x P, summed in sample order (determinism)
};

// dL/d(psi_i^*) of L = MMD(outputs, targets) for every output row (notes section 1).
StateMatrix mmd_output_gradient(const StateMatrix& outputs, const StateMatrix& targets);

}  // namespace quddpm
