// `quddpm variance`: the Theorem 1 check (model/gradient_variance.hpp) from its options, printed
// as one JSON object: the mean and variance of every gradient component over the draws.
#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>

#include <stdexcept>

#include "app/collective.hpp"
#include "app/commands.hpp"
#include "app/config.hpp"
#include "model/gradient_variance.hpp"

namespace quddpm::app {

namespace {
struct VarianceArgs {
  int qubits = 0, ancillas = 1, layers = 2, draws = 100, samples = 10, threads = 0;
  std::uint64_t seed = 1;
  Precision precision = Precision::Double;
};

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
  const auto ancilla =
      add_ancilla_option(cmd, &a->ancillas, "number of ancilla qubits na (default 1, at most 8)");
  ancilla.first->check(CLI::Range(0, 8));
  ancilla.second->check(CLI::Range(0, 8));
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
      ->transform(CLI::CheckedTransformer(config::precision_names()));
  cmd->callback([a] {
    require_one_process("variance");
    apply_thread_option(a->threads);
    if (a->qubits + a->ancillas > 24)
      throw std::invalid_argument("--ancilla: " + std::to_string(a->qubits) + " data + " +
                                  std::to_string(a->ancillas) + " ancilla qubits exceed 24");
    GradientVarianceSettings s;
    s.n_data = a->qubits;
    s.n_ancilla = a->ancillas;
    s.layers = a->layers;
    s.draws = a->draws;
    s.samples = a->samples;
    s.seed = a->seed;
    s.precision = a->precision;
    const GradientStatistics g = gradient_variance(s);
    const auto p = g.mean.size();
    nlohmann::json out;
    out["qubits"] = a->qubits;
    out["ancillas"] = a->ancillas;
    out["layers"] = a->layers;
    out["draws"] = a->draws;
    out["samples"] = a->samples;
    out["seed"] = a->seed;
    out["num_params"] = p;
    out["mean_loss"] = g.mean_loss;
    out["mean_sq_grad_per_param"] = g.mean_sq_grad_per_param;
    out["mean_variance"] = g.variance.mean();
    out["grad_mean"] = std::vector<double>(g.mean.data(), g.mean.data() + p);
    out["grad_variance"] = std::vector<double>(g.variance.data(), g.variance.data() + p);
    std::cout << out.dump() << "\n";
  });
}

}  // namespace quddpm::app
