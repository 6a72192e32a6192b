#include "model/qgan.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "model/ensembles.hpp"
#include "model/metrics.hpp"
#include "model/trainer.hpp"

namespace quddpm {

namespace {

// <psi|Z_0|psi>: qubit 0 is the most significant bit, so + on the first half of the amplitudes.
double z0_expectation(const cplx* psi, std::size_t d) {
  double z = 0;
  for (std::size_t x = 0; x < d; ++x)
    z += (x < d / 2 ? 1.0 : -1.0) * std::norm(psi[x]);
  return z;
}

void apply_z0(cplx* psi, std::size_t d) {
  for (std::size_t x = d / 2; x < d; ++x)
    psi[x] = -psi[x];
}

std::vector<Gate2x2> adjoints(const std::vector<Gate2x2>& gates) {
  std::vector<Gate2x2> undo(gates.size());
  for (std::size_t k = 0; k < gates.size(); ++k)
    undo[k] = gates[k].adjoint();
  return undo;
}

void check_states(const HeaCircuit& d, const StateMatrix& states, const char* what) {
  if (states.cols() != static_cast<Eigen::Index>(d.dim()))
    throw std::invalid_argument(std::string(what) + " have " + std::to_string(states.cols()) +
                                " amplitudes, the discriminator expects " +
                                std::to_string(d.dim()));
}

// Amplitude updates of one state's pass through the discriminator (the parallelism policy's
// weight).
double pass_work(const HeaCircuit& d) {
  return static_cast<double>(d.dim()) * d.layers() * d.num_qubits();
}

// One thread's state vector per thread, of the discriminator's dimension.
std::vector<std::vector<cplx>> workspaces(std::size_t dim) {
  return std::vector<std::vector<cplx>>(par::max_threads(), std::vector<cplx>(dim));
}

RealVector normal_params(int count, double std, std::uint64_t key) {
  Rng rng(key);
  RealVector theta(count);
  for (Eigen::Index k = 0; k < theta.size(); ++k)
    theta[k] = std * rng.normal();
  return theta;
}

// Sum of v[lo..hi) in index order.
double ordered_sum(const RealVector& v, Eigen::Index lo, Eigen::Index hi) {
  double s = 0;
  for (Eigen::Index i = lo; i < hi; ++i)
    s += v[i];
  return s;
}

void check(const QganSettings& s) {
  auto need = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("QganSettings: " + what);
  };
  need(s.samples >= 1, "samples must be >= 1");
  need(s.data_size >= s.samples,
       "data_size must be >= samples (each discriminator epoch draws "
       "samples real states without replacement)");
  need(s.cycles >= 1, "cycles must be >= 1");
  need(s.discriminator_epochs >= 1 && s.generator_epochs >= 1, "epochs must be >= 1");
  need(s.init_std > 0, "init_std must be > 0");
  need(static_cast<bool>(s.sample_target), "sample_target is not set");
}

}  // namespace

const char* name_of(QganPhase phase) {
  switch (phase) {
    case QganPhase::Discriminator:
      return "discriminator";
    case QganPhase::Generator:
      return "generator";
    case QganPhase::Start:
      break;
  }
  return "start";
}

RealVector real_probabilities(const HeaCircuit& discriminator, const double* phi,
                              const StateMatrix& states) {
  const HeaCircuit& d = discriminator;
  check_states(d, states, "states");
  const std::vector<Gate2x2> gates = d.fused_gates(phi);
  auto work = workspaces(d.dim());
  RealVector p(states.rows());
  par::for_each_state(
      states.rows(),
      [&](std::int64_t i) {
        cplx* psi = work[par::thread_index()].data();
        std::copy(states.row(i).data(), states.row(i).data() + d.dim(), psi);
        d.apply(psi, gates);
        p[i] = 0.5 * (1.0 + z0_expectation(psi, d.dim()));
      },
      pass_work(d));
  return p;
}

PlayerLoss discriminator_loss(const HeaCircuit& discriminator, const double* phi,
                              const StateMatrix& fake, const StateMatrix& real) {
  const HeaCircuit& d = discriminator;
  check_states(d, fake, "fake states");
  check_states(d, real, "real states");
  if (fake.rows() < 1 || real.rows() < 1)
    throw std::invalid_argument("discriminator_loss: needs fake and real states");
  const std::vector<Gate2x2> gates = d.fused_gates(phi), undo = adjoints(gates);
  const Eigen::Index nf = fake.rows(), n = nf + real.rows();
  // L_D = (1/2) (mean z(fake) - mean z(real)) with z = <Z_0> after D: dL/dz_i is the weight w_i,
  // and dz_i/d(psi^*) = Z_0 psi at the circuit's end, so the sweep starts from w_i Z_0 psi.
  const double w_fake = 0.5 / static_cast<double>(nf);
  const double w_real = -0.5 / static_cast<double>(real.rows());
  RealVector z(n);
  RealMatrix per_sample(n, d.num_params());  // column-major: stride n between parameters
  auto psi_work = workspaces(d.dim()), lambda_work = workspaces(d.dim());
  par::for_each_state(
      n,
      [&](std::int64_t i) {
        cplx* psi = psi_work[par::thread_index()].data();
        cplx* lambda = lambda_work[par::thread_index()].data();
        const cplx* in = i < nf ? fake.row(i).data() : real.row(i - nf).data();
        std::copy(in, in + d.dim(), psi);
        d.apply(psi, gates);
        z[i] = z0_expectation(psi, d.dim());
        const double w = i < nf ? w_fake : w_real;
        for (std::size_t x = 0; x < d.dim(); ++x)
          lambda[x] = w * psi[x];
        apply_z0(lambda, d.dim());
        d.adjoint_sweep(lambda, psi, undo, per_sample.data() + i, n);
      },
      3 * pass_work(d));
  PlayerLoss r;
  r.loss = w_fake * ordered_sum(z, 0, nf) + w_real * ordered_sum(z, nf, n);
  r.grad = per_sample.colwise().sum().transpose();
  return r;
}

OutputObjective generator_objective(const HeaCircuit& discriminator, const double* phi) {
  const std::vector<Gate2x2> gates = discriminator.fused_gates(phi), undo = adjoints(gates);
  return [d = discriminator, gates, undo](const StateMatrix& outputs, std::int64_t lo,
                                          std::int64_t hi) {
    check_states(d, outputs, "generated states");
    const Eigen::Index n = outputs.rows();
    RealVector z(n);
    OutputScore r;
    r.gradient.resize(hi - lo, outputs.cols());
    auto work = workspaces(d.dim());
    const double scale = -0.5 / static_cast<double>(n);
    par::for_each_state(
        n,
        [&](std::int64_t i) {
          cplx* psi = work[par::thread_index()].data();
          std::copy(outputs.row(i).data(), outputs.row(i).data() + d.dim(), psi);
          d.apply(psi, gates);
          z[i] = z0_expectation(psi, d.dim());
          if (i < lo || i >= hi) return;
          // dL/d(psi_i^*) = -(1/2N) D^dagger Z_0 D psi_i.
          apply_z0(psi, d.dim());
          d.apply_inverse(psi, undo);
          for (std::size_t x = 0; x < d.dim(); ++x)
            r.gradient(i - lo, static_cast<Eigen::Index>(x)) = scale * psi[x];
        },
        2 * pass_work(d));
    r.loss = -(0.5 * static_cast<double>(n) + 0.5 * ordered_sum(z, 0, n)) / static_cast<double>(n);
    return r;
  };
}

namespace {

// The generator's fixed Haar inputs (test: the held-out ones).
StateMatrix qgan_inputs(const QganSettings& s, bool test) {
  return make_haar(s.n_data, s.samples,
                   stream_key(s.seed, {test ? kTagQganTestInputs : kTagQganInputs}));
}

// The generator's outputs on `inputs` with the propagation outcome streams (test: the test
// propagation's).
StateMatrix generated_from(const QganSettings& s, const HeaCircuit& gen, const RealVector& theta,
                           const StateMatrix& inputs, bool test) {
  const std::uint64_t outcomes = stream_key(s.seed, {test ? kTagTestPropagate : kTagPropagate});
  return run_step(gen, theta.data(), inputs, sampled_outcomes(outcomes), s.precision).states;
}

}  // namespace

StateMatrix qgan_generate(const QganSettings& s, const RealVector& theta, bool test) {
  const HeaCircuit gen(s.n_data, s.n_ancilla, s.generator_layers);
  if (theta.size() != gen.num_params())
    throw std::invalid_argument("qgan_generate: the generator has " +
                                std::to_string(gen.num_params()) + " parameters, given " +
                                std::to_string(theta.size()));
  return generated_from(s, gen, theta, qgan_inputs(s, test), test);
}

QganResult train_qgan(const QganSettings& s, QganObserver& observer) {
  check(s);
  const HeaCircuit gen(s.n_data, s.n_ancilla, s.generator_layers);
  const HeaCircuit disc(s.n_data, 0, s.discriminator_layers);
  const auto t0 = std::chrono::steady_clock::now();
  QganResult r;
  r.data = s.sample_target(s.data_size, stream_key(s.seed, {kTagTarget}));
  r.inputs = qgan_inputs(s, false);
  r.test_inputs = qgan_inputs(s, true);
  r.generator = normal_params(gen.num_params(), s.init_std, stream_key(s.seed, {kTagInit, 0}));
  r.discriminator = normal_params(disc.num_params(), s.init_std, stream_key(s.seed, {kTagInit, 1}));
  const Eigen::Index nw = std::min<Eigen::Index>(s.samples, r.data.rows());

  auto record = [&](int cycle, QganPhase phase) {
    const StateMatrix g = generated_from(s, gen, r.generator, r.inputs, false);
    const double p_data = real_probabilities(disc, r.discriminator.data(), r.data).mean();
    const double p_gen = real_probabilities(disc, r.discriminator.data(), g).mean();
    const double to_data = mmd(g, r.data);
    const double w_to_data = wasserstein(g, r.data.topRows(nw));
    const double kl = kl_divergence(r.data, g);
    require_finite(std::isfinite(p_data) && std::isfinite(p_gen) && std::isfinite(to_data) &&
                       std::isfinite(w_to_data) && std::isfinite(kl),
                   std::string("cycle ") + std::to_string(cycle) + " (" + name_of(phase) +
                       "): a metric of the generated ensemble is");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    observer.on_phase({cycle, phase, p_data, p_gen, to_data, w_to_data, kl, seconds});
  };
  // One epoch's loss and gradient, checked, recorded and stepped; false when a stop was asked.
  auto epoch_done = [&](int cycle, QganPhase phase, int epoch, double loss, const RealVector& grad,
                        Optimizer& optimizer, RealVector& params) {
    const std::string where = std::string("cycle ") + std::to_string(cycle) + " (" +
                              name_of(phase) + "), epoch " + std::to_string(epoch) + ": ";
    require_finite(std::isfinite(loss), where + "the loss is");
    require_finite(grad.allFinite(), where + "the gradient is");
    observer.on_epoch({cycle, phase, epoch, loss, grad.norm()});
    optimizer.step(params.data(), grad);
    require_finite(params.allFinite(), where + "a parameter is");
    return !observer.stop_requested();
  };

  record(0, QganPhase::Start);
  for (int cycle = 1; cycle <= s.cycles; ++cycle) {
    const auto uc = static_cast<std::uint64_t>(cycle);
    {  // The discriminator against the generator's current fakes (its outcomes fixed).
      const StateMatrix fake =
          run_step(gen, r.generator.data(), r.inputs,
                   sampled_outcomes(stream_key(s.seed, {kTagQganFake, uc})), s.precision)
              .states;
      Optimizer optimizer(s.optimizer, r.discriminator.size());
      for (int e = 0; e < s.discriminator_epochs; ++e) {
        const auto ue = static_cast<std::uint64_t>(e);
        const StateMatrix real =
            draw_without_replacement(r.data, s.samples, stream_key(s.seed, {kTagBatch, uc, ue}));
        const PlayerLoss l = discriminator_loss(disc, r.discriminator.data(), fake, real);
        if (!epoch_done(cycle, QganPhase::Discriminator, e, l.loss, l.grad, optimizer,
                        r.discriminator)) {
          r.stopped = true;
          return r;
        }
      }
      record(cycle, QganPhase::Discriminator);
    }
    {  // The generator against the trained discriminator (outcomes drawn afresh each epoch).
      const OutputObjective objective = generator_objective(disc, r.discriminator.data());
      StepGradient step(gen, s.precision);
      Optimizer optimizer(s.optimizer, r.generator.size());
      for (int e = 0; e < s.generator_epochs; ++e) {
        const auto ue = static_cast<std::uint64_t>(e);
        const LossAndGradient l =
            step.evaluate(r.generator.data(), r.inputs, objective,
                          sampled_outcomes(stream_key(s.seed, {kTagOutcome, uc, ue})));
        if (!epoch_done(cycle, QganPhase::Generator, e, l.loss, l.grad, optimizer, r.generator)) {
          r.stopped = true;
          return r;
        }
      }
      record(cycle, QganPhase::Generator);
    }
  }
  r.generated = generated_from(s, gen, r.generator, r.inputs, false);
  r.test_generated = generated_from(s, gen, r.generator, r.test_inputs, true);
  return r;
}

}  // namespace quddpm
