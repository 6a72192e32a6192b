// Sequential QuDDPM training (SPEC section 5): forward diffusion, then one PQC per step,
// trained from t = T-1 down to 0 on the outputs of the already trained later steps.
#pragma once

#include <vector>

#include "core/types.hpp"
#include "model/training_settings.hpp"

namespace quddpm {

struct DiffusionRecord {
  int t;
  double mmd_to_data;  // MMD(S_t, S_0)
  double mmd_to_haar;  // mmd_to_haar(S_t)
};

struct EpochRecord {
  int t;
  int epoch;
  double loss;
  double grad_norm;
};

struct CycleRecord {
  int t;                  // S~_t was just produced (t = T: the prior itself)
  double mmd_to_forward;  // MMD(S~_t, S_t)
  double mmd_to_data;     // MMD(S~_t, S_0)
  double kl_to_data;      // KL(S_0 || S~_t)
  double mmd_to_haar;     // mmd_to_haar(S~_t)
  double mean_grad_norm;  // over the epochs of cycle t (NaN for t = T)
  double final_loss;      // loss of the last epoch (NaN for t = T)
  double seconds;         // wall time of the cycle
};

// Receives records as training goes (the experiment layer writes and logs them).
class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void on_diffusion(const DiffusionRecord&) {}
  virtual void on_epoch(const EpochRecord&) {}
  virtual void on_cycle(const CycleRecord&) {}
};

struct TrainingResult {
  RealMatrix params;      // T x num_params, row t = theta_t
  StateMatrix generated;  // S~_0
  StateMatrix data;       // S_0
};

TrainingResult train(const TrainingSettings& s, TrainingObserver& observer);

// Stream tags: every random draw of a run is keyed (seed, tag, ...) so that no two uses
// share a stream.
enum StreamTag : std::uint64_t {
  kTagTarget = 1,
  kTagDiffusion = 2,
  kTagPrior = 3,
  kTagPriorDiffusion = 4,
  kTagInit = 5,
  kTagBatch = 6,
  kTagOutcome = 7,
  kTagPropagate = 8,
};

// Initial parameters of cycle t.
RealVector initial_params(const TrainingSettings& s, int t);

// The prior S~_T of N states.
StateMatrix sample_prior(const TrainingSettings& s);

}  // namespace quddpm
