#include "model/gradient_variance.hpp"

#include <stdexcept>

#include "core/rng.hpp"
#include "model/backward_step.hpp"
#include "model/circuit.hpp"
#include "model/ensembles.hpp"

namespace quddpm {

namespace {
constexpr double kPi = 3.14159265358979323846;
// Stream tags of the draws.
enum : std::uint64_t { kVarInputs = 1, kVarTargets = 2, kVarParams = 3, kVarOutcomes = 4 };
}  // namespace

GradientStatistics gradient_variance(const GradientVarianceSettings& s) {
  if (s.draws < 2) throw std::invalid_argument("the variance needs at least 2 draws");
  const HeaCircuit circuit(s.n_data, s.n_ancilla, s.layers);
  const Eigen::Index p = circuit.num_params();
  StepGradient step(circuit, s.precision);
  // Welford's running mean and sum of squared deviations, per component.
  RealVector mean = RealVector::Zero(p), m2 = RealVector::Zero(p);
  double loss_sum = 0, norm_sq_sum = 0;
  for (int k = 0; k < s.draws; ++k) {
    const auto uk = static_cast<std::uint64_t>(k);
    const StateMatrix inputs = make_haar(s.n_data, s.samples, stream_key(s.seed, {kVarInputs, uk}));
    const StateMatrix targets =
        make_haar(s.n_data, s.samples, stream_key(s.seed, {kVarTargets, uk}));
    Rng rng(stream_key(s.seed, {kVarParams, uk}));
    RealVector theta(p);
    for (Eigen::Index j = 0; j < p; ++j)
      theta[j] = rng.uniform(0, 2 * kPi);
    const LossAndGradient r = step.evaluate(
        theta.data(), inputs, targets, sampled_outcomes(stream_key(s.seed, {kVarOutcomes, uk})));
    loss_sum += r.loss;
    norm_sq_sum += r.grad.squaredNorm();
    const RealVector delta = r.grad - mean;
    mean += delta / (k + 1);
    m2 += delta.cwiseProduct(r.grad - mean);
  }
  GradientStatistics out;
  out.mean = mean;
  out.variance = m2 / (s.draws - 1);
  out.mean_loss = loss_sum / s.draws;
  out.mean_sq_grad_per_param = norm_sq_sum / s.draws / static_cast<double>(p);
  return out;
}

}  // namespace quddpm
