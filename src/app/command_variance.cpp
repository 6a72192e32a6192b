// `quddpm variance`: the numerical side of the paper's Theorem 1. Over K independent draws of
// (Haar input set S~, Haar target set, PQC parameters theta ~ U[0, 2 pi)) it evaluates one
// backward step's exact gradient (the training code path, with sampled ancilla outcomes) and
// prints the mean and variance of every gradient component over the draws as one JSON object.
#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>

#include <stdexcept>

#include "app/collective.hpp"
#include "app/commands.hpp"
#include "core/rng.hpp"
#include "model/backward_step.hpp"
#include "model/ensembles.hpp"

namespace quddpm::app {

namespace {
struct VarianceArgs {
  int qubits = 0, ancillas = 1, layers = 2, draws = 100, samples = 10, threads = 0;
  std::uint64_t seed = 1;
  std::string precision = "double";
};

constexpr double kPi = 3.14159265358979323846;

// Stream tags of this command's draws.
enum : std::uint64_t { kVarInputs = 1, kVarTargets = 2, kVarParams = 3, kVarOutcomes = 4 };
}  // namespace

void add_variance_command(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("variance",
                         "Theorem 1 check: gradient mean and variance over random Haar inputs and "
                         "random parameters");
  auto a = std::make_shared<VarianceArgs>();
  cmd->add_option("--qubits", a->qubits, "number of data qubits n")
      ->required()
      ->check(CLI::Range(1, 20));
  cmd->add_option("--ancillas", a->ancillas, "number of ancilla qubits na (default 1)")
      ->check(CLI::Range(0, 8));
  cmd->add_option("--layers", a->layers, "number of PQC layers L (default 2)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--draws", a->draws, "number of random draws K (default 100)")
      ->check(CLI::Range(2, 1000000));
  cmd->add_option("--samples", a->samples,
                  "states in the input set and in the target set |S| (default 10)")
      ->check(CLI::Range(2, 100000));
  cmd->add_option("--seed", a->seed, "seed of the draws (default 1)")->check(unsigned64_check());
  cmd->add_option("--threads", a->threads, "worker threads (0: all cores)")->check(threads_check());
  cmd->add_option("--precision", a->precision,
                  "the circuit's state vectors in double (default) or single precision")
      ->check(CLI::IsMember({"double", "single"}));
  cmd->callback([a] {
    require_one_process("variance");
    apply_thread_option(a->threads);
    if (a->qubits + a->ancillas > 24)
      throw std::invalid_argument("--ancillas: " + std::to_string(a->qubits) + " data + " +
                                  std::to_string(a->ancillas) + " ancilla qubits exceed 24");
    const HeaCircuit circuit(a->qubits, a->ancillas, a->layers);
    const Eigen::Index p = circuit.num_params();
    StepGradient step(circuit, precision_named(a->precision));
    // Welford's running mean and sum of squared deviations, per component.
    RealVector mean = RealVector::Zero(p), m2 = RealVector::Zero(p);
    double loss_sum = 0, norm_sq_sum = 0;
    for (int k = 0; k < a->draws; ++k) {
      const auto uk = static_cast<std::uint64_t>(k);
      const StateMatrix inputs =
          make_haar(a->qubits, a->samples, stream_key(a->seed, {kVarInputs, uk}));
      const StateMatrix targets =
          make_haar(a->qubits, a->samples, stream_key(a->seed, {kVarTargets, uk}));
      Rng rng(stream_key(a->seed, {kVarParams, uk}));
      RealVector theta(p);
      for (Eigen::Index j = 0; j < p; ++j)
        theta[j] = rng.uniform(0, 2 * kPi);
      const LossAndGradient r = step.evaluate(
          theta.data(), inputs, targets, sampled_outcomes(stream_key(a->seed, {kVarOutcomes, uk})));
      loss_sum += r.loss;
      norm_sq_sum += r.grad.squaredNorm();
      const RealVector delta = r.grad - mean;
      mean += delta / (k + 1);
      m2 += delta.cwiseProduct(r.grad - mean);
    }
    const RealVector var = m2 / (a->draws - 1);  // unbiased sample variance
    nlohmann::json out;
    out["qubits"] = a->qubits;
    out["ancillas"] = a->ancillas;
    out["layers"] = a->layers;
    out["draws"] = a->draws;
    out["samples"] = a->samples;
    out["seed"] = a->seed;
    out["num_params"] = p;
    out["mean_loss"] = loss_sum / a->draws;
    // Mean over the draws of |grad|^2 / P: the variance averaged over components when the
    // mean gradient vanishes.
    out["mean_sq_grad_per_param"] = norm_sq_sum / a->draws / static_cast<double>(p);
    out["mean_variance"] = var.mean();
    out["grad_mean"] = std::vector<double>(mean.data(), mean.data() + p);
    out["grad_variance"] = std::vector<double>(var.data(), var.data() + p);
    std::cout << out.dump() << "\n";
  });
}

}  // namespace quddpm::app
