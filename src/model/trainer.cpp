#include "model/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "core/rng.hpp"
#include "model/backward_step.hpp"
#include "model/circuit.hpp"
#include "model/diffusion.hpp"
#include "model/metrics.hpp"
#include "model/optimizer.hpp"

namespace quddpm {

namespace {

void validate(const TrainingSettings& s) {
  if (s.steps() < 1) throw std::invalid_argument("training needs at least one diffusion step");
  if (s.samples < kMinSamples || s.samples > s.diffusion_size)
    throw std::invalid_argument("need " + std::to_string(kMinSamples) +
                                " <= samples <= diffusion_size");
  if (s.epochs < 1) throw std::invalid_argument("need at least one epoch per cycle");
  if (!s.sample_target) throw std::invalid_argument("no target sampler");
  if (s.decay_every < 1 || !(s.decay_factor > 0))
    throw std::invalid_argument("need decay_every >= 1 and decay_factor > 0");
  if (!(s.momentum >= 0 && s.momentum < 1)) throw std::invalid_argument("need 0 <= momentum < 1");
}

// Euclidean norm of each layer's slice of the gradient.
std::vector<double> layer_norms(const RealVector& grad, int layers) {
  std::vector<double> out(layers);
  const Eigen::Index width = grad.size() / layers;
  for (int l = 0; l < layers; ++l)
    out[l] = grad.segment(l * width, width).norm();
  return out;
}

// "cycle t=3, epoch 17: " for the messages of NonFiniteValue.
std::string where(int t, int epoch) {
  return "cycle t=" + std::to_string(t) + (epoch >= 0 ? ", epoch " + std::to_string(epoch) : "") +
         ": ";
}

void require_finite(bool finite, int t, int epoch, const std::string& what) {
  if (!finite) quddpm::require_finite(false, where(t, epoch) + what);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

RealVector initial_params(const TrainingSettings& s, int t) {
  Rng rng(stream_key(s.seed, {kTagInit, static_cast<std::uint64_t>(t)}));
  RealVector theta(s.num_params());
  const int ntot = s.total_qubits();
  const double data_half_width = s.init_c / s.layers;
  const double ancilla_half_width = s.init_ancilla_c / s.layers;
  for (Eigen::Index k = 0; k < theta.size(); ++k) {
    // Parameter k acts on qubit (k mod ntot): layer l holds RX of qubits 0..ntot-1, then RY.
    const bool ancilla = k % ntot < s.n_ancilla;
    const double half_width = ancilla ? ancilla_half_width : data_half_width;
    theta[k] = s.init == InitKind::Normal ? s.init_std * rng.normal()
                                          : rng.uniform(-half_width, half_width);
  }
  return theta;
}

namespace {

StateMatrix prior_from(const TrainingSettings& s, std::uint64_t key, std::uint64_t diffusion_key,
                       const Pace& pace) {
  switch (s.prior) {
    case PriorKind::Haar:
      return make_haar(s.n_data, s.samples, key);
    case PriorKind::Cluster:
      return make_cluster(s.n_data, s.samples, s.prior_cluster, key);
    case PriorKind::Diffused:
      break;
  }
  // Fresh target states, diffused T steps with fresh angles: new draws of S_T's law.
  return diffuse_to_end(s.sample_target(s.samples, key), s.schedule, diffusion_key, pace);
}

}  // namespace

StateMatrix sample_prior(const TrainingSettings& s, const Pace& pace) {
  return prior_from(s, stream_key(s.seed, {kTagPrior}), stream_key(s.seed, {kTagPriorDiffusion}),
                    pace);
}

StateMatrix sample_test_prior(const TrainingSettings& s) {
  return prior_from(s, stream_key(s.seed, {kTagTestPrior}),
                    stream_key(s.seed, {kTagTestPriorDiffusion}), {});
}

StateMatrix target_ensemble(const TrainingSettings& s) {
  if (!s.sample_target) throw std::invalid_argument("no target sampler");
  return s.sample_target(s.diffusion_size, stream_key(s.seed, {kTagTarget}));
}

ScheduleCalibration calibrate_run_schedule(const TrainingSettings& s, double start, int steps,
                                           double target, const Pace& pace) {
  return calibrate_schedule_end(target_ensemble(s), start, steps, target,
                                stream_key(s.seed, {kTagDiffusion}), pace);
}

namespace {

// The resume state must describe a point of a run with these settings.
void validate_resume(const TrainingSettings& s, const TrainingState& r) {
  const int steps = s.steps();
  if (r.next_t < -1 || r.next_t >= steps)
    throw std::invalid_argument("resume state: next cycle out of range");
  if (r.params.rows() != steps || r.params.cols() != s.num_params())
    throw std::invalid_argument("resume state: parameters of the wrong shape");
  if (r.current.rows() != s.samples ||
      r.current.cols() != static_cast<Eigen::Index>(dim_of(s.n_data)))
    throw std::invalid_argument("resume state: current ensemble of the wrong shape");
  if (!r.params.allFinite() || !r.current.allFinite())
    throw std::invalid_argument("resume state: non-finite parameters or states");
  // Rows of the cycles still to train are zero (TrainingState).
  if (!r.params.topRows(r.next_t + 1).isZero(0))
    throw std::invalid_argument("resume state: parameters of cycles not trained yet are not zero");
  if (const auto& p = r.progress) {
    if (!p->theta.allFinite() || !p->adam.m.allFinite() || !p->adam.v.allFinite() ||
        !std::isfinite(p->norm_sum) || !std::isfinite(p->last_loss))
      throw std::invalid_argument("resume state: non-finite cycle progress");
    if (r.next_t < 0 || p->epochs_done < 1 || p->epochs_done >= s.epochs)
      throw std::invalid_argument("resume state: epochs done out of range");
    if (p->theta.size() != s.num_params() || p->adam.m.size() != s.num_params() ||
        p->adam.v.size() != s.num_params() || p->adam.step != p->epochs_done)
      throw std::invalid_argument("resume state: cycle progress of the wrong shape");
  }
}

// The measurement's outcomes: from the stream `key` by the Born rule, or quenched, from the
// run's one frozen noise per input index (the same in every epoch, cycle and chain).
OutcomeChooser outcomes_of(const TrainingSettings& s, std::uint64_t key) {
  return s.outcomes == OutcomeRule::Quenched ? quenched_outcomes(stream_key(s.seed, {kTagQuenched}))
                                             : sampled_outcomes(key);
}

// Cycle t's output S~_t from its input S~_{t+1}: shared by training and generation.
StateMatrix propagate(const HeaCircuit& circuit, const TrainingSettings& s, const double* theta,
                      const StateMatrix& input, int t, std::uint64_t tag = kTagPropagate) {
  const auto key = stream_key(s.seed, {tag, static_cast<std::uint64_t>(t)});
  return run_step(circuit, theta, input, outcomes_of(s, key), s.precision).states;
}

}  // namespace

TrainingResult train(const TrainingSettings& s, TrainingObserver& observer,
                     const TrainingState* resume) {
  validate(s);
  if (resume) validate_resume(s, *resume);
  const int steps = s.steps();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const HeaCircuit circuit(s.n_data, s.n_ancilla, s.layers);

  // Set-up reports its pieces and stops at a request (nothing is kept before the first
  // on_state); the metrics at a cycle's end only report (the cycle's work is done by then).
  auto setup = [&observer](std::string task) -> Pace {
    return [&observer, task = "set-up: " + task](double f) {
      observer.on_progress(task, f);
      if (observer.stop_requested()) throw SetupInterrupted(task);
    };
  };
  auto report = [&observer](std::string task) -> Pace {
    return [&observer, task = std::move(task)](double f) { observer.on_progress(task, f); };
  };

  TrainingResult result;
  result.data = target_ensemble(s);
  std::vector<StateMatrix> forward = diffuse_chain(
      result.data, s.schedule, stream_key(s.seed, {kTagDiffusion}), setup("forward diffusion"));

  result.prior = sample_prior(s, setup("prior"));

  // The ensembles' own sums of squared overlaps, each computed once for every metric that
  // compares it (S_0's for every cycle, S_t's for its diffusion record and for cycle t).
  std::optional<SelfOverlapSq> data_self;
  std::vector<std::optional<SelfOverlapSq>> forward_self(forward.size());
  const auto self_of = [](std::optional<SelfOverlapSq>& cached, const StateMatrix& s,
                          const Pace& pace) -> const SelfOverlapSq& {
    if (!cached) cached = self_overlap_sq_sum(s, pace);
    return *cached;
  };
  // The pace's fraction counts the pairs of states of the sums still to compute, in order
  // (self sums by their upper halves; the transport solve of W counts as its overlaps' pairs).
  const auto self_pairs = [](const std::optional<SelfOverlapSq>& cached, double n) {
    return cached ? 0.0 : n * (n + 1) / 2;
  };
  const auto parts_of = [](const Pace& pace, std::vector<double> weights) {
    const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    std::vector<Pace> parts;
    double done = 0;
    for (double w : weights) {
      const double from = total > 0 ? done / total : 0.0;
      done += w;
      parts.push_back(part_of(pace, from, total > 0 ? done / total : 1.0));
    }
    return parts;
  };

  auto t0 = std::chrono::steady_clock::now();
  TrainingState state;  // S~_{t+1} in state.current while cycle t trains
  auto record_cycle = [&](int t, double mean_norm, double last_loss, const Pace& pace) {
    const StateMatrix& c = state.current;
    const double nc = c.rows(), nf = forward[t].rows(), nd = result.data.rows();
    // W is taken against the first N states of S_0 (N = this ensemble's size), as the official
    // code compares equal-size sets: a transport over N x diffusion_size arcs per cycle would
    // cost minutes at the original paper's 5,000-state forward ensembles.
    const Eigen::Index nw = std::min<Eigen::Index>(c.rows(), result.data.rows());
    const std::vector<Pace> parts =
        parts_of(pace, {nc * (nc + 1) / 2, self_pairs(forward_self[t], nf),
                        self_pairs(data_self, nd), nc * nf, nc * nd, nc * static_cast<double>(nw)});
    const SelfOverlapSq own = self_overlap_sq_sum(c, parts[0]);
    const SelfOverlapSq& of_forward = self_of(forward_self[t], forward[t], parts[1]);
    const SelfOverlapSq& of_data = self_of(data_self, result.data, parts[2]);
    const double to_forward = mmd(c, own, forward[t], of_forward, parts[3]);
    const double to_data = mmd(c, own, result.data, of_data, parts[4]);
    const double to_haar = mmd_to_haar(c, own);
    const double w_to_data = wasserstein(c, result.data.topRows(nw), parts[5]);
    const double kl = kl_divergence(result.data, c);
    require_finite(std::isfinite(to_forward) && std::isfinite(to_data) && std::isfinite(kl) &&
                       std::isfinite(to_haar) && std::isfinite(w_to_data),
                   t, -1, "a metric of its output ensemble is");
    observer.on_cycle(
        {t, to_forward, to_data, w_to_data, kl, to_haar, mean_norm, last_loss, seconds_since(t0)});
  };
  if (resume) {
    state = *resume;
  } else {
    for (int t = 0; t <= steps; ++t) {
      const Pace pace = setup("metrics of S_" + std::to_string(t));
      const double n = forward[t].rows(), nd = result.data.rows();
      const std::vector<Pace> parts =
          parts_of(pace, {self_pairs(forward_self[t], n), self_pairs(data_self, nd), n * nd});
      const SelfOverlapSq& own = self_of(forward_self[t], forward[t], parts[0]);
      const SelfOverlapSq& of_data = self_of(data_self, result.data, parts[1]);
      const double to_data = mmd(forward[t], own, result.data, of_data, parts[2]);
      const double to_haar = mmd_to_haar(forward[t], own);
      observer.on_diffusion({t, t == 0 ? nan : s.schedule[t - 1], to_data, to_haar});
    }
    state.next_t = steps - 1;
    state.params = RealMatrix::Zero(steps, s.num_params());
    state.current = result.prior;
    record_cycle(steps, nan, nan, setup("metrics of the prior"));
    observer.on_state(state);
  }

  for (; state.next_t >= 0; --state.next_t) {
    if (observer.stop_requested()) {
      result.stopped = true;
      return result;
    }
    const int t = state.next_t;
    t0 = std::chrono::steady_clock::now();
    const auto ut = static_cast<std::uint64_t>(t);
    // A warm start continues from the cycle trained just before (rows t+1.. are trained).
    RealVector theta = s.warm_start && t + 1 < steps
                           ? RealVector(state.params.row(t + 1).transpose())
                           : initial_params(s, t);
    Optimizer optimizer(s.optimizer_settings(), theta.size());
    double norm_sum = 0, last_loss = nan;
    int first_epoch = 0;
    if (state.progress) {
      theta = state.progress->theta;
      optimizer.restore(state.progress->adam);
      norm_sum = state.progress->norm_sum;
      last_loss = state.progress->last_loss;
      first_epoch = state.progress->epochs_done;
      state.progress.reset();
    }
    StepGradient step(circuit, s.precision, StepGradient::kDefaultCacheLimit, s.loss);
    for (int epoch = first_epoch; epoch < s.epochs; ++epoch) {
      const auto ue = static_cast<std::uint64_t>(epoch);
      const StateMatrix targets =
          draw_without_replacement(forward[t], s.samples, stream_key(s.seed, {kTagBatch, ut, ue}));
      const StateMatrix forced_inputs =
          s.input == TrainingInput::Forward
              ? draw_without_replacement(forward[t + 1], s.samples,
                                         stream_key(s.seed, {kTagInputBatch, ut, ue}))
              : StateMatrix();
      const StateMatrix& inputs = s.input == TrainingInput::Forward ? forced_inputs : state.current;
      const LossAndGradient r = step.evaluate(
          theta.data(), inputs, targets, outcomes_of(s, stream_key(s.seed, {kTagOutcome, ut, ue})));
      require_finite(std::isfinite(r.loss), t, epoch, "the loss is");
      require_finite(r.grad.allFinite(), t, epoch, "the gradient is");
      const double norm = r.grad.norm();
      observer.on_epoch({t, epoch, r.loss, norm, layer_norms(r.grad, s.layers)});
      norm_sum += norm;
      last_loss = r.loss;
      optimizer.step(theta.data(), r.grad);
      require_finite(theta.allFinite(), t, epoch,
                     s.optimizer == OptimizerKind::Sgd ? "the parameters after SGD's step are"
                                                       : "the parameters after Adam's step are");
      // The last epoch is followed by the cycle's own bookkeeping, not by a stop or a
      // checkpoint inside the cycle.
      if (epoch + 1 < s.epochs) {
        const bool stop = observer.stop_requested();
        if (stop || observer.checkpoint_due()) {
          state.progress = CycleProgress{epoch + 1, theta, optimizer.state(), norm_sum, last_loss};
          observer.on_state(state);
          state.progress.reset();
        }
        if (stop) {
          result.stopped = true;
          return result;
        }
      }
    }
    state.params.row(t) = theta.transpose();
    state.current = propagate(circuit, s, theta.data(), state.current, t);
    require_finite(state.current.allFinite(), t, -1, "an output state is");
    record_cycle(t, norm_sum / s.epochs, last_loss,
                 report("metrics of cycle t=" + std::to_string(t)));
    TrainingState next = state;  // the loop's decrement, seen by the observer
    next.next_t = t - 1;
    observer.on_state(next);
  }
  result.params = std::move(state.params);
  result.generated = std::move(state.current);
  result.forward = std::move(forward);
  return result;
}

StateMatrix backward_chain(const TrainingSettings& s, const RealMatrix& params, StateMatrix prior,
                           std::uint64_t tag,
                           const std::function<void(int t, const StateMatrix&)>& visit) {
  if (params.rows() != s.steps() || params.cols() != s.num_params())
    throw std::invalid_argument("parameters of the wrong shape for these settings");
  if (!params.allFinite()) throw std::invalid_argument("the parameters hold a non-finite value");
  const HeaCircuit circuit(s.n_data, s.n_ancilla, s.layers);
  StateMatrix current = std::move(prior);
  if (visit) visit(s.steps(), current);
  for (int t = s.steps() - 1; t >= 0; --t) {
    const RealVector theta = params.row(t).transpose();
    current = propagate(circuit, s, theta.data(), current, t, tag);
    require_finite(current.allFinite(), t, -1, "an output state is");
    if (visit) visit(t, current);
  }
  return current;
}

StateMatrix generate_samples(const TrainingSettings& s, const RealMatrix& params) {
  return backward_chain(s, params, sample_prior(s), kTagPropagate);
}

const char* name_of(Chain chain) {
  static const char* const kNames[] = {"forward", "backward", "test"};  // in Chain's order
  return kNames[static_cast<int>(chain)];
}

void visit_chains(const TrainingSettings& s, const TrainingResult& r,
                  const std::function<void(Chain, int t, const StateMatrix&)>& visit) {
  for (std::size_t t = 0; t < r.forward.size(); ++t)
    visit(Chain::Forward, static_cast<int>(t), r.forward[t]);
  backward_chain(s, r.params, r.prior, kTagPropagate,
                 [&](int t, const StateMatrix& x) { visit(Chain::Backward, t, x); });
  backward_chain(s, r.params, sample_test_prior(s), kTagTestPropagate,
                 [&](int t, const StateMatrix& x) { visit(Chain::Test, t, x); });
}

}  // namespace quddpm
