// What a training run needs, in model terms (no files, no JSON): the experiment layer
// builds this from a config. The member defaults are the defaults both models share (the
// config schema reads them through model/presets.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/types.hpp"
#include "model/ensembles.hpp"
#include "model/limits.hpp"
#include "model/loss.hpp"
#include "model/optimizer.hpp"
#include "model/precision.hpp"

namespace quddpm {

// Where the backward process starts (docs/model.md, section 5).
enum class PriorKind { Haar, Diffused, Cluster };

// How each cycle's PQC parameters start: N(0, std^2) or U[-s, s] with s = c / L (a separate c
// for the ancilla qubits' rotations).
enum class InitKind { Normal, Uniform };

// What cycle t trains on: the backward chain's own outputs S~_{t+1}, or (teacher forcing) N
// states of the forward ensemble S_{t+1} drawn afresh each epoch, so that no cycle sees what
// an earlier, possibly failed, cycle made of its input.
enum class TrainingInput { Chain, Forward };

// How the ancilla measurement picks each input's outcome: by the Born rule, from fresh noise at
// every epoch, cycle and chain, or quenched, from noise frozen per input index
// (model/backward_step.hpp, quenched_outcomes).
enum class OutcomeRule { Sampled, Quenched };

struct TrainingSettings {
  int n_data = 1;
  int n_ancilla = 3;
  int layers = 8;  // default_layers(1, 3)

  std::vector<double> schedule;  // h_1..h_T; T = schedule.size()

  PriorKind prior = PriorKind::Haar;
  ClusterParams prior_cluster;

  InitKind init = InitKind::Normal;
  double init_std = 1.0;        // Normal
  double init_c = 1.0;          // Uniform: s = init_c / layers on the data qubits' angles
  double init_ancilla_c = 1.0;  // Uniform: s = init_ancilla_c / layers on the ancillas' angles
  // Every cycle after the first starts from the previous cycle's trained parameters (theta_t
  // from theta_{t+1}) with a fresh Adam state; the init above then draws the first cycle only.
  bool warm_start = false;

  int samples = 100;         // N: states per epoch
  int diffusion_size = 500;  // N_diff >= N: size of each forward ensemble S_t
  int epochs = 300;          // per cycle
  double learning_rate = 0.005;
  // The optimizer of every cycle (model/optimizer.hpp): Adam by default, or SGD with momentum;
  // the step size of epoch k is learning_rate * decay_factor^floor(k / decay_every).
  OptimizerKind optimizer = OptimizerKind::Adam;
  double momentum = 0.9;  // SGD only
  int decay_every = 1;
  double decay_factor = 1.0;  // 1: no decay
  LossSettings loss;          // what each epoch minimizes (model/loss.hpp)
  TrainingInput input = TrainingInput::Chain;
  OutcomeRule outcomes = OutcomeRule::Sampled;

  std::uint64_t seed = 1;
  Precision precision = Precision::Double;  // of the circuit's state vectors

  // Draws `count` fresh target states (S_0's law) from the given seed: the `diffused` prior
  // diffuses these. The target ensemble S_0 itself is sample_target(diffusion_size, ...).
  std::function<StateMatrix(int count, std::uint64_t seed)> sample_target;

  OptimizerSettings optimizer_settings() const {
    return {optimizer, learning_rate, momentum, decay_every, decay_factor};
  }

  int steps() const { return static_cast<int>(schedule.size()); }
  int total_qubits() const { return n_data + n_ancilla; }
  int num_params() const { return static_cast<int>(pqc_param_count(n_data, n_ancilla, layers)); }
};

}  // namespace quddpm
