#include "model/trainer.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "core/rng.hpp"
#include "model/adam.hpp"
#include "model/backward_step.hpp"
#include "model/circuit.hpp"
#include "model/diffusion.hpp"
#include "model/metrics.hpp"

namespace quddpm {

namespace {

void validate(const TrainingSettings& s) {
  if (s.steps() < 1) throw std::invalid_argument("training needs at least one diffusion step");
  if (s.samples < 2 || s.samples > s.diffusion_size)
    throw std::invalid_argument("need 2 <= samples <= diffusion_size");
  if (s.epochs < 1) throw std::invalid_argument("need at least one epoch per cycle");
  if (!s.sample_target) throw std::invalid_argument("no target sampler");
}

// N distinct rows of `pool`, drawn by a partial Fisher-Yates shuffle.
StateMatrix draw_without_replacement(const StateMatrix& pool, int count, std::uint64_t key) {
  Rng rng(key);
  std::vector<Eigen::Index> idx(pool.rows());
  std::iota(idx.begin(), idx.end(), Eigen::Index{0});
  StateMatrix out(count, pool.cols());
  for (int k = 0; k < count; ++k) {
    const auto j = k + static_cast<Eigen::Index>(rng.below(idx.size() - k));
    std::swap(idx[k], idx[j]);
    out.row(k) = pool.row(idx[k]);
  }
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

RealVector initial_params(const TrainingSettings& s, int t) {
  Rng rng(stream_key(s.seed, {kTagInit, static_cast<std::uint64_t>(t)}));
  RealVector theta(s.num_params());
  const double half_width = s.init_c / s.layers;
  for (Eigen::Index k = 0; k < theta.size(); ++k)
    theta[k] = s.init == InitKind::Normal ? s.init_std * rng.normal()
                                          : rng.uniform(-half_width, half_width);
  return theta;
}

StateMatrix sample_prior(const TrainingSettings& s) {
  const std::uint64_t key = stream_key(s.seed, {kTagPrior});
  switch (s.prior) {
    case PriorKind::Haar:
      return make_haar(s.n_data, s.samples, key);
    case PriorKind::Cluster:
      return make_cluster(s.n_data, s.samples, s.prior_cluster, key);
    case PriorKind::Diffused:
      break;
  }
  // Fresh target states, diffused T steps with fresh angles: new draws of S_T's law.
  return diffuse_to_end(s.sample_target(s.samples, key), s.schedule,
                        stream_key(s.seed, {kTagPriorDiffusion}));
}

TrainingResult train(const TrainingSettings& s, TrainingObserver& observer) {
  validate(s);
  const int steps = s.steps();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const HeaCircuit circuit(s.n_data, s.n_ancilla, s.layers);

  TrainingResult result;
  result.data = s.sample_target(s.diffusion_size, stream_key(s.seed, {kTagTarget}));
  const std::vector<StateMatrix> forward =
      diffuse_chain(result.data, s.schedule, stream_key(s.seed, {kTagDiffusion}));
  for (int t = 0; t <= steps; ++t)
    observer.on_diffusion({t, mmd(forward[t], result.data), mmd_to_haar(forward[t])});

  auto t0 = std::chrono::steady_clock::now();
  StateMatrix current = sample_prior(s);  // S~_{t+1} while cycle t trains
  auto record_cycle = [&](int t, double mean_norm, double last_loss) {
    observer.on_cycle({t, mmd(current, forward[t]), mmd(current, result.data),
                       kl_divergence(result.data, current), mmd_to_haar(current), mean_norm,
                       last_loss, seconds_since(t0)});
  };
  record_cycle(steps, nan, nan);

  result.params.resize(steps, s.num_params());
  for (int t = steps - 1; t >= 0; --t) {
    t0 = std::chrono::steady_clock::now();
    const auto ut = static_cast<std::uint64_t>(t);
    RealVector theta = initial_params(s, t);
    Adam adam(theta.size(), s.learning_rate);
    StepGradient step(circuit);
    double norm_sum = 0, last_loss = nan;
    for (int epoch = 0; epoch < s.epochs; ++epoch) {
      const auto ue = static_cast<std::uint64_t>(epoch);
      const StateMatrix targets =
          draw_without_replacement(forward[t], s.samples, stream_key(s.seed, {kTagBatch, ut, ue}));
      const LossAndGradient r =
          step.evaluate(theta.data(), current, targets,
                        sampled_outcomes(stream_key(s.seed, {kTagOutcome, ut, ue})));
      const double norm = r.grad.norm();
      observer.on_epoch({t, epoch, r.loss, norm});
      norm_sum += norm;
      last_loss = r.loss;
      adam.step(theta.data(), r.grad);
    }
    result.params.row(t) = theta.transpose();
    current = run_step(circuit, theta.data(), current,
                       sampled_outcomes(stream_key(s.seed, {kTagPropagate, ut})))
                  .states;
    record_cycle(t, norm_sum / s.epochs, last_loss);
  }
  result.generated = current;
  return result;
}

}  // namespace quddpm
