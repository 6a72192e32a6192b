// One backward (denoising) step on a batch: PQC, ancilla measurement, post-measurement
// normalization, the loss to a target batch (MMD, or optimal transport: model/loss.hpp), and
// its exact gradient by the adjoint method (derivation: docs/gradient.md). Sampled outcomes are
// held fixed; the 1/sqrt(p_m) normalization is differentiated.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/types.hpp"
#include "model/circuit.hpp"
#include "model/loss.hpp"
#include "model/precision.hpp"

namespace quddpm {

// Picks the ancilla outcome of input i from its outcome probabilities p_m (m = 0..2^na-1).
// Called concurrently for different i: must not share mutable state.
using OutcomeChooser = std::function<std::int64_t(std::int64_t i, const std::vector<double>& p)>;

// Sample i draws its outcome from its own stream stream_key(key, {i}).
OutcomeChooser sampled_outcomes(std::uint64_t key);

// The Gumbel-max rule with noise frozen per input index (docs/model.md, section 4): input i's
// outcome is argmax_m log p_m + G_im, with G_i drawn once from the stream stream_key(key, {i}),
// whatever the epoch, cycle or chain. Fresh G would be the Born rule; frozen, each index keeps
// a preferred outcome (the original QuDDPM code's published results were made so, with one
// fixed PRNG key). Outcomes of probability 0 are never chosen.
OutcomeChooser quenched_outcomes(std::uint64_t key);

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

// Forward only: each input |0^na>|phi_i> through U(theta), measured; the circuit's states in
// the given precision.
StepOutputs run_step(const HeaCircuit& circuit, const double* theta, const StateMatrix& inputs,
                     const OutcomeChooser& choose, Precision precision = Precision::Double);

// What a step's outputs are scored by, for a loss other than model/loss.hpp's distances to a
// target batch (the QGAN generator's): called by every process with all N outputs, it returns
// the loss and dL/d(psi_i^*) of the outputs i in [lo, hi) (row i - lo), where dL = 2 Re sum_i
// <g_i|d psi_i>.
struct OutputScore {
  double loss = 0;
  StateMatrix gradient;
};
using OutputObjective =
    std::function<OutputScore(const StateMatrix& outputs, std::int64_t lo, std::int64_t hi)>;

// Loss and exact gradient; keeps its buffers between calls (one instance per training cycle).
//
// Memory: the sweep of sample i starts from its final state U|0,phi_i>. When the N final
// states fit in `cache_limit_bytes` they are kept from the forward pass; otherwise each is
// recomputed just before its sweep (one more forward pass, memory N 2^n + threads 2^ntot).
// Both ways give bit-identical results.
class StepGradient {
 public:
  static constexpr std::size_t kDefaultCacheLimit = std::size_t{1} << 30;

  explicit StepGradient(const HeaCircuit& circuit, Precision precision = Precision::Double,
                        std::size_t cache_limit_bytes = kDefaultCacheLimit, LossSettings loss = {})
      : circuit_(circuit), precision_(precision), cache_limit_(cache_limit_bytes), loss_(loss) {}

  LossAndGradient evaluate(const double* theta, const StateMatrix& inputs,
                           const StateMatrix& targets, const OutcomeChooser& choose);
  // The same with the outputs scored by `objective` (the loss settings are not used).
  LossAndGradient evaluate(const double* theta, const StateMatrix& inputs,
                           const OutputObjective& objective, const OutcomeChooser& choose);

  // Whether a batch of `n` inputs keeps its final states between the two passes.
  bool caches_final_states(Eigen::Index n) const;

 private:
  // The circuit's state vectors in one precision.
  template <class T>
  struct Buffers {
    AmplitudeVector<T> final_states;      // U|0,phi_i> of each input, row-major (cache mode), psi
                                          // during the sweep
    std::vector<AmplitudeVector<T>> psi;  // one state per thread (recompute mode)
    std::vector<AmplitudeVector<T>> lambda;  // one adjoint vector per thread
  };
  template <class T>
  LossAndGradient evaluate_in(Buffers<T>& b, const double* theta, const StateMatrix& inputs,
                              const OutputObjective& objective, const OutcomeChooser& choose);
  // The loss settings' distance to `targets` as an objective.
  OutputObjective loss_objective(const StateMatrix& targets) const;

  const HeaCircuit& circuit_;
  Precision precision_;
  std::size_t cache_limit_;
  LossSettings loss_;
  Buffers<double> double_;
  Buffers<float> single_;
  RealMatrix per_sample_grad_;  // N x P, summed in sample order (determinism)
};

// dL/d(psi_i^*) of L = MMD(outputs, targets) for every output row (docs/gradient.md, section 1).
StateMatrix mmd_output_gradient(const StateMatrix& outputs, const StateMatrix& targets);

}  // namespace quddpm
