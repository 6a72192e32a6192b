// `quddpm gradient`: loss and exact gradient of one backward step on given data, through
// the same code path as training (docs/model.md, section 9).
#include <nlohmann/json.hpp>

#include <iostream>
#include <stdexcept>

#include "app/cli/collective.hpp"
#include "app/cli/commands.hpp"
#include "app/config/config.hpp"
#include "app/formats/npy.hpp"
#include "core/ensemble_ops.hpp"
#include "model/backward_step.hpp"
#include "model/limits.hpp"

namespace quddpm::app {

namespace {
struct GradientArgs {
  std::string inputs, targets, params, outcomes;
  int ancillas = -1, layers = 0, threads = 0;
  Precision precision = Precision::Double;
};

void run_gradient(const GradientArgs& a) {
  apply_thread_option(a.threads);
  const StateMatrix x = npy::read_states(a.inputs);
  const StateMatrix y = npy::read_states(a.targets);
  const RealMatrix p = npy::read_reals(a.params);
  const std::vector<std::int64_t> o = npy::read_ints(a.outcomes);
  if (x.cols() != y.cols())
    throw std::invalid_argument(a.targets + ": states of " + std::to_string(y.cols()) +
                                " amplitudes, but the inputs have " + std::to_string(x.cols()));
  const int n = qubits_of(x);
  if (n + a.ancillas > kMaxQubits)
    throw std::invalid_argument("--ancilla: " + std::to_string(n) + " data + " +
                                std::to_string(a.ancillas) + " ancilla qubits exceed " +
                                std::to_string(kMaxQubits));
  // In 64 bits: a huge --layers must be refused, not wrapped to a negative count.
  const long long wanted = pqc_param_count(n, a.ancillas, a.layers);
  if (wanted != p.size())
    throw std::invalid_argument(a.params + ": expected " + std::to_string(wanted) +
                                " parameters (2 (n + na) L with --ancilla " +
                                std::to_string(a.ancillas) + " and --layers " +
                                std::to_string(a.layers) + "), found " + std::to_string(p.size()));
  const HeaCircuit circuit(n, a.ancillas, a.layers);
  require_states_per_process(x.rows(), a.inputs + "'s input states");
  if (p.rows() != 1 && p.cols() != 1)
    throw std::invalid_argument(a.params + ": expected a vector of parameters, found a " +
                                std::to_string(p.rows()) + " x " + std::to_string(p.cols()) +
                                " array");
  if (static_cast<Eigen::Index>(o.size()) != x.rows())
    throw std::invalid_argument(a.outcomes + ": expected one outcome per input (" +
                                std::to_string(x.rows()) + "), found " + std::to_string(o.size()));
  // Row-major flattening of a 1 x P or P x 1 array is the parameter vector itself.
  const RealVector theta = Eigen::Map<const RealVector>(p.data(), p.size());
  StepGradient step(circuit, a.precision);
  LossAndGradient r;
  try {
    r = step.evaluate(theta.data(), x, y, fixed_outcomes(o));
  } catch (const dist::PeerFailed&) {
    throw;
  } catch (const std::exception& e) {  // a bad outcome, seen by this or another process
    throw std::invalid_argument(a.outcomes + ": " + e.what());
  }
  if (!first_process()) return;
  nlohmann::json out;
  out["loss"] = r.loss;
  out["grad"] = std::vector<double>(r.grad.data(), r.grad.data() + r.grad.size());
  out["grad_norm"] = r.grad.norm();
  std::cout << out.dump() << "\n";
}
}  // namespace

void add_gradient_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("gradient", "loss and exact gradient of one backward step");
  auto a = std::make_shared<GradientArgs>();
  cmd->add_option("--inputs", a->inputs, "input data states X (.npy, N x 2^n)")->required();
  cmd->add_option("--targets", a->targets, "target states Y (.npy, M x 2^n)")->required();
  cmd->add_option("--params", a->params, "PQC parameters P (.npy float64, 2 (n+na) L values)")
      ->required();
  cmd->add_option("--outcomes", a->outcomes, "ancilla outcome per input O (.npy int64, N)")
      ->required();
  const auto ancilla = add_ancilla_option(cmd, &a->ancillas, "number of ancilla qubits na");
  cmd->add_option("--layers", a->layers, "number of PQC layers L")
      ->required()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--threads", a->threads, "worker threads (0: all cores)")->check(threads_check());
  add_precision_option(cmd, &a->precision);
  // Under MPI every process reads the inputs and evaluates its share of the samples; the
  // first prints the result.
  cmd->callback([a, ancilla] {
    collectively([&] {
      if (ancilla.first->count() + ancilla.second->count() == 0)
        throw std::invalid_argument("--ancilla is required (the number of ancilla qubits na)");
      run_gradient(*a);
    });
  });
}

}  // namespace quddpm::app
