// The QGAN baseline of the original QuDDPM paper (docs/model.md, section 10): a generator (the
// backward step's HEA with ancilla measurement) applied to a fixed set of Haar inputs, played
// against a discriminator (an HEA on the data qubits whose <Z_0> says "real"), in alternating
// phases, each player with its exact adjoint gradient.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/types.hpp"
#include "model/backward_step.hpp"
#include "model/circuit.hpp"
#include "model/optimizer.hpp"
#include "model/precision.hpp"

namespace quddpm {

struct QganSettings {
  int n_data = 2;
  int n_ancilla = 1;
  int generator_layers = 120;     // Lg, on n + na qubits
  int discriminator_layers = 16;  // Lc, on the n data qubits
  int samples = 100;              // N: generator inputs, and real states per discriminator epoch
  int data_size = 1000;           // the real data set S_0 (>= N)
  int cycles = 5;                 // each: a discriminator phase, then a generator phase
  int discriminator_epochs = 2001;
  int generator_epochs = 6001;
  // Each phase starts a fresh optimizer of these settings for its player.
  OptimizerSettings optimizer{OptimizerKind::Adam, 0.0005};
  double init_std = 1.0;  // both players' parameters start ~ N(0, std^2)
  std::uint64_t seed = 1;
  Precision precision = Precision::Double;  // of the generator's state vectors
  std::function<StateMatrix(int count, std::uint64_t seed)> sample_target;
};

// P_real(psi) = (1 + <psi|D^dagger Z_0 D|psi>) / 2 of every row, D = the discriminator circuit
// (no ancillas) at parameters phi; qubit 0 is the most significant bit.
RealVector real_probabilities(const HeaCircuit& discriminator, const double* phi,
                              const StateMatrix& states);

struct PlayerLoss {
  double loss = 0;
  RealVector grad;
};

// The discriminator's loss L_D = mean_i P_real(fake_i) - mean_j P_real(real_j) and its exact
// gradient in phi (the official code's loss).
PlayerLoss discriminator_loss(const HeaCircuit& discriminator, const double* phi,
                              const StateMatrix& fake, const StateMatrix& real);

// The generator's loss L_G = -mean_i P_real(psi_i) of its outputs psi_i, as an objective of
// StepGradient (which differentiates through the measurement): dL/d(psi_i^*) =
// -(1 / 2N) D^dagger Z_0 D psi_i. The discriminator is held at phi (copied).
OutputObjective generator_objective(const HeaCircuit& discriminator, const double* phi);

// What a QGAN run's traces hold (docs/model.md, section 10).
enum class QganPhase { Start, Discriminator, Generator };
const char* name_of(QganPhase phase);

struct QganEpochRecord {
  int cycle;  // 1..cycles
  QganPhase phase;
  int epoch;
  double loss;  // the player's loss before this epoch's step
  double grad_norm;
};

// The state after a phase (or at the start): the generated ensemble G(inputs) with the
// propagation outcome streams, against the data set.
struct QganPhaseRecord {
  int cycle;  // 0 for the start
  QganPhase phase;
  double p_real_on_data;       // mean P_real over the whole data set S_0
  double p_real_on_generated;  // mean P_real over the generated ensemble
  double mmd_to_data;          // MMD(generated, S_0)
  double wasserstein_to_data;  // W(generated, first N states of S_0)
  double kl_to_data;           // KL(S_0 || generated)
  double seconds;              // since training started
};

class QganObserver {
 public:
  virtual ~QganObserver() = default;
  virtual void on_epoch(const QganEpochRecord&) {}
  virtual void on_phase(const QganPhaseRecord&) {}
  // Polled after every epoch: true ends training early (QganResult::stopped).
  virtual bool stop_requested() { return false; }
};

struct QganResult {
  RealVector generator;      // theta, 2 (n + na) Lg
  RealVector discriminator;  // phi, 2 n Lc
  StateMatrix data;          // S_0
  StateMatrix inputs;        // the generator's fixed Haar inputs
  StateMatrix generated;     // G(inputs), the propagation outcome streams
  StateMatrix test_inputs;   // held-out Haar inputs (another stream)
  StateMatrix test_generated;
  bool stopped = false;
};

// Checks the settings (std::invalid_argument naming the member) and plays the game: every
// random draw keyed by (seed, purpose, cycle, epoch, state), so the result does not depend on
// the thread or process count.
QganResult train_qgan(const QganSettings& s, QganObserver& observer);

// The generator's outputs on the training inputs (test = false) or the held-out inputs, with
// the outcome streams train_qgan's final ensembles use: a trained theta gives them exactly.
StateMatrix qgan_generate(const QganSettings& s, const RealVector& theta, bool test);

}  // namespace quddpm
