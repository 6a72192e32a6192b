// Sequential QuDDPM training (docs/model.md, section 5): forward diffusion, then one PQC per step,
// trained from t = T-1 down to 0 on the outputs of the already trained later steps.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "model/adam.hpp"
#include "model/diffusion.hpp"
#include "model/training_settings.hpp"

namespace quddpm {

struct DiffusionRecord {
  int t;
  double h;            // strength h_t of the step that produced S_t (NaN for t = 0)
  double mmd_to_data;  // MMD(S_t, S_0)
  double mmd_to_haar;  // mmd_to_haar(S_t)
};

struct EpochRecord {
  int t;
  int epoch;
  double loss;
  double grad_norm;
  // Norm of the gradient slice of each PQC layer l: parameters [2 ntot l, 2 ntot (l+1)).
  // Their root-sum-square is grad_norm.
  std::vector<double> layer_grad_norms;
};

struct CycleRecord {
  int t;                       // S~_t was just produced (t = T: the prior itself)
  double mmd_to_forward;       // MMD(S~_t, S_t)
  double mmd_to_data;          // MMD(S~_t, S_0)
  double wasserstein_to_data;  // W(S~_t, S_0) (model/metrics.hpp)
  double kl_to_data;           // KL(S_0 || S~_t)
  double mmd_to_haar;          // mmd_to_haar(S~_t)
  double mean_grad_norm;       // over the epochs of cycle t (NaN for t = T)
  double final_loss;           // loss of the last epoch (NaN for t = T)
  double seconds;              // wall time of the cycle
};

// A cycle stopped between two epochs: what its remaining epochs start from.
struct CycleProgress {
  int epochs_done = 0;  // 1 .. epochs-1
  RealVector theta;     // parameters after those epochs
  // The optimizer's state (model/optimizer.hpp): Adam's step and moments, or SGD's step and
  // momentum buffer (in m; v zero).
  AdamState adam;
  double norm_sum = 0;   // sum of their gradient norms
  double last_loss = 0;  // loss of the last of them
};

// Where a run stands. Every random draw is keyed by (seed, tag, t, epoch, index), so this plus
// the settings (which recompute S_0..S_T) is all a run needs to continue bit for bit.
struct TrainingState {
  int next_t = -1;      // the cycle to train next; -1 when every cycle is done
  RealMatrix params;    // T x num_params; rows t > next_t hold the trained theta_t, others 0
  StateMatrix current;  // S~_{next_t + 1}: the input of cycle next_t (S~_0 when done)
  std::optional<CycleProgress> progress;  // set when cycle next_t stopped part-way
};

// Receives records as training goes (the experiment layer writes and logs them).
class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void on_diffusion(const DiffusionRecord&) {}
  virtual void on_epoch(const EpochRecord&) {}
  virtual void on_cycle(const CycleRecord&) {}
  // The state after the prior and after each cycle (records of that point already sent), and
  // the state a stop leaves behind.
  virtual void on_state(const TrainingState&) {}
  // Long work outside the epochs (set-up: the forward chain, the prior and their metrics; the
  // metrics at each cycle's end) is `fraction` done with `task`: called between pieces of well
  // under a second.
  virtual void on_progress(const std::string& /*task*/, double /*fraction*/) {}
  // Polled after each epoch, before each cycle and between the pieces of set-up; true ends
  // training early (`stopped`), or set-up with SetupInterrupted.
  virtual bool stop_requested() { return false; }
  // Polled after each epoch but a cycle's last: true hands the cycle so far to on_state() (a
  // checkpoint inside the cycle) and training goes on.
  virtual bool checkpoint_due() { return false; }
};

// A loss, gradient, parameter, state or metric that is not finite. Training stops at once,
// before the value is handed to the observer: everything after it would be NaN too, and the
// last state handed out (the last checkpoint) is the last finite one.
class NonFiniteValue : public std::runtime_error {
 public:
  explicit NonFiniteValue(const std::string& what) : std::runtime_error(what) {}
};

// Throws NonFiniteValue("<what> not finite (NaN or infinite)") unless `finite`; `what` names
// the value and where it arose ("cycle t=3, epoch 17: the loss is").
inline void require_finite(bool finite, const std::string& what) {
  if (!finite) throw NonFiniteValue(what + " not finite (NaN or infinite)");
}

// A stop requested during set-up, before the first on_state(): there is nothing to keep yet.
class SetupInterrupted : public std::runtime_error {
 public:
  explicit SetupInterrupted(const std::string& task) : std::runtime_error(task) {}
};

struct TrainingResult {
  RealMatrix params;                 // T x num_params, row t = theta_t
  StateMatrix generated;             // S~_0
  StateMatrix data;                  // S_0
  StateMatrix prior;                 // S~_T, the backward chain's input
  std::vector<StateMatrix> forward;  // S_0..S_T
  bool stopped = false;              // stop_requested() ended it; the last on_state() tells where
};

// Trains from the start, or continues from `resume` (a state on_state() handed out, for the
// same settings): the records of what `resume` already covers are not sent again, and the
// results are bitwise those of an uninterrupted run.
TrainingResult train(const TrainingSettings& s, TrainingObserver& observer,
                     const TrainingState* resume = nullptr);

// Fresh samples of a trained model: the prior S~_T, then the trained circuits t = T-1..0 with
// the propagation streams of training (so the training seed and sample count give S~_0 of
// training exactly).
StateMatrix generate_samples(const TrainingSettings& s, const RealMatrix& params);

// The backward chain of `prior` (S~_T) through the trained circuits t = T-1..0, the outcomes of
// step t drawn from the stream (seed, tag, t): visit(t, S~_t) for t = T, T-1, ..., 0 (when
// set). Returns S~_0. With tag kTagPropagate and the training prior it is training's own chain.
StateMatrix backward_chain(const TrainingSettings& s, const RealMatrix& params, StateMatrix prior,
                           std::uint64_t tag,
                           const std::function<void(int t, const StateMatrix&)>& visit = {});

// The chains a finished run measures (docs/model.md, section 7).
enum class Chain { Forward, Backward, Test };
const char* name_of(Chain chain);

// Visits, after training, the forward chain S_0..S_T, the backward chain S~_T..S~_0 of the
// training prior (exactly training's) and the test chain: a held-out prior (sample_test_prior)
// through the same trained circuits with its own outcome streams. Under MPI every process calls
// it (the circuits run distributed).
void visit_chains(const TrainingSettings& s, const TrainingResult& r,
                  const std::function<void(Chain, int t, const StateMatrix&)>& visit);

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
  kTagInputBatch = 9,  // training.input = forward: cycle t's inputs drawn from S_{t+1}
  kTagTestPrior = 10,  // the held-out prior of the test chain, and its outcomes
  kTagTestPriorDiffusion = 11,
  kTagTestPropagate = 12,
  kTagQganInputs = 13,      // model/qgan.hpp: the generator's fixed Haar inputs
  kTagQganTestInputs = 14,  // its held-out inputs
  kTagQganFake = 15,        // the outcomes of the fake states of a discriminator phase
  kTagQuenched = 16,        // training.outcomes = quenched: the frozen noise per input index
};

// Initial parameters of cycle t as drawn from the init (with warm_start, only the first cycle's,
// t = T-1, are used: the others start from theta_{t+1}).
RealVector initial_params(const TrainingSettings& s, int t);

// The prior S~_T of N states (a pace hears the diffusion of a "diffused" prior).
StateMatrix sample_prior(const TrainingSettings& s, const Pace& pace = {});

// The target ensemble S_0 of a run (its data.npy): diffusion_size states of the target, drawn
// from the run's seed. The QGAN baseline draws its data the same way (model/qgan.hpp).
StateMatrix target_ensemble(const TrainingSettings& s);

// A held-out prior of the same law and size, from the streams (seed, kTagTestPrior) and (seed,
// kTagTestPriorDiffusion).
StateMatrix sample_test_prior(const TrainingSettings& s);

// The schedule end at which this run's own forward chain (its S_0 and the diffusion streams of
// training, over `steps` steps from `start`) ends at mmd_to_haar = target; s.schedule is not
// read.
ScheduleCalibration calibrate_run_schedule(const TrainingSettings& s, double start, int steps,
                                           double target, const Pace& pace = {});

}  // namespace quddpm
