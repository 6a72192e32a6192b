// `quddpm variance`: the Theorem 1 check (model/gradient_variance.hpp) from its options, printed
// as one JSON object: the mean and variance of every gradient component over the draws.
#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>

#include <stdexcept>

#include "app/cli/collective.hpp"
#include "app/cli/commands.hpp"
#include "app/config/config.hpp"
#include "model/gradient_variance.hpp"

namespace quddpm::app {

namespace {
struct VarianceArgs {
  GradientVarianceSettings s;  // its defaults are the options'
  int threads = 0;
};

}  // namespace

void add_variance_command(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("variance",
                         "Theorem 1 check: gradient mean and variance over random Haar inputs and "
                         "random parameters");
  auto a = std::make_shared<VarianceArgs>();
  GradientVarianceSettings& s = a->s;
  cmd->add_option("--qubits", s.n_data, "number of data qubits n")
      ->required()
      ->check(CLI::Range(1, kVarianceMaxData));
  const auto ancilla = add_ancilla_option(cmd, &s.n_ancilla, "number of ancilla qubits na");
  ancilla.first->check(CLI::Range(0, kVarianceMaxAncilla))->capture_default_str();
  ancilla.second->check(CLI::Range(0, kVarianceMaxAncilla));
  cmd->add_option("--layers", s.layers, "number of PQC layers L")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--draws", s.draws, "number of random draws K")
      ->check(CLI::Range(2, 1000000))
      ->capture_default_str();
  cmd->add_option("--samples", s.samples, "states in the input set and in the target set |S|")
      ->check(CLI::Range(2, 100000))
      ->capture_default_str();
  cmd->add_option("--seed", s.seed, "seed of the draws")
      ->check(unsigned64_check())
      ->capture_default_str();
  cmd->add_option("--threads", a->threads, "worker threads (0: all cores)")->check(threads_check());
  add_precision_option(cmd, &s.precision);
  cmd->callback([a] {
    require_one_process("variance");
    apply_thread_option(a->threads);
    const GradientVarianceSettings& s = a->s;
    if (s.n_data + s.n_ancilla > kVarianceMaxQubits)
      throw std::invalid_argument("--ancilla: " + std::to_string(s.n_data) + " data + " +
                                  std::to_string(s.n_ancilla) + " ancilla qubits exceed " +
                                  std::to_string(kVarianceMaxQubits));
    const GradientStatistics g = gradient_variance(s);
    const auto p = g.mean.size();
    nlohmann::json out;
    out["qubits"] = s.n_data;
    out["ancillas"] = s.n_ancilla;
    out["layers"] = s.layers;
    out["draws"] = s.draws;
    out["samples"] = s.samples;
    out["seed"] = s.seed;
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
