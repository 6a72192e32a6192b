// The transport losses' solves beside the training epoch of the official circle experiment
// (n = 1 data qubit, na = 2 ancillas, L = 6, N = 500; QuantGenMdl's QDDPM_circle.ipynb): one
// exact solve (the auction; and LEMON's network simplex beside it) and one entropic solve at
// N = 500, and the epoch with each loss. docs/performance.md gives the ratio of the exact
// solve to the epochs.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "core/ensemble_ops.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "epoch_loop.hpp"
#include "model/adam.hpp"
#include "model/backward_step.hpp"
#include "model/ensembles.hpp"
#include "model/metrics.hpp"
#include "model/transport.hpp"

namespace {

using namespace quddpm;

constexpr int kCircleSamples = 500;

// cos(phi)|0> + sin(phi)|1>, phi ~ U[0, 2 pi): the circle experiment's targets.
StateMatrix circle_states(int count, std::uint64_t seed) {
  Rng rng(seed);
  StateMatrix s(count, 2);
  for (int i = 0; i < count; ++i) {
    const double phi = rng.uniform(0.0, 2 * M_PI);
    s(i, 0) = std::cos(phi);
    s(i, 1) = std::sin(phi);
  }
  return s;
}

// The transport cost C_ij = 1 - |<a_i|b_j>|^2.
RealMatrix infidelities(const StateMatrix& a, const StateMatrix& b) {
  return (1.0 - overlap_sq(a, b).array()).matrix();
}

// C of N Haar states against N circle states, n = 1.
RealMatrix circle_cost(int n) {
  return infidelities(make_haar(1, n, 1), circle_states(n, 2));
}

// Arg: N.
void BM_ExactTransport(benchmark::State& state) {
  const RealMatrix cost = circle_cost(static_cast<int>(state.range(0)));
  for (auto _ : state)
    benchmark::DoNotOptimize(exact_transport(cost).value);
}
BENCHMARK(BM_ExactTransport)->Arg(100)->Arg(500)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same problem by the network simplex, which exact_transport used for every N before the
// auction. Arg: N.
void BM_NetworkSimplexTransport(benchmark::State& state) {
  const RealMatrix cost = circle_cost(static_cast<int>(state.range(0)));
  for (auto _ : state)
    benchmark::DoNotOptimize(network_simplex_transport(cost).value);
}
BENCHMARK(BM_NetworkSimplexTransport)
    ->Arg(100)
    ->Arg(500)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The exact solve on an epoch's own costs: the outputs of the circle experiment's step (random
// angles, as BM_CircleEpoch starts from) against N circle targets; what the Wasserstein epoch
// solves, where BM_ExactTransport's Haar states are harder for the auction (more near-ties).
void BM_ExactTransportOfTheEpoch(benchmark::State& state) {
  const HeaCircuit circuit(1, 2, 6);
  Rng rng(3);
  std::vector<double> theta(circuit.num_params());
  for (double& t : theta)
    t = rng.normal();
  const StateMatrix outputs =
      run_step(circuit, theta.data(), make_haar(1, kCircleSamples, 1), sampled_outcomes(4)).states;
  const RealMatrix cost = infidelities(outputs, circle_states(kCircleSamples, 2));
  for (auto _ : state)
    benchmark::DoNotOptimize(exact_transport(cost).value);
}
BENCHMARK(BM_ExactTransportOfTheEpoch)->Unit(benchmark::kMillisecond)->UseRealTime();

// Args: N, 1000 eps (the official reg 0.005 and 0.05), threads.
void BM_EntropicTransport(benchmark::State& state) {
  const RealMatrix cost = circle_cost(static_cast<int>(state.range(0)));
  par::set_max_threads(static_cast<int>(state.range(2)));
  int iterations = 0;
  for (auto _ : state) {
    const Transport t = entropic_transport(cost, static_cast<double>(state.range(1)) / 1000);
    iterations = t.iterations;
    benchmark::DoNotOptimize(t.value);
  }
  state.counters["sweeps"] = iterations;
  par::set_max_threads(1);
}
BENCHMARK(BM_EntropicTransport)
    ->ArgsProduct({{500}, {50, 5}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// One epoch of the circle experiment: N = 500 Haar inputs through the n = 1, na = 2, L = 6
// step, the loss to N circle targets, its gradient and Adam's step. Args: loss kind (0 mmd,
// 1 wasserstein, 2 sinkhorn with eps = 0.05), threads.
void BM_CircleEpoch(benchmark::State& state) {
  const LossKind kinds[] = {LossKind::Mmd, LossKind::Wasserstein, LossKind::Sinkhorn};
  par::set_max_threads(static_cast<int>(state.range(1)));
  const HeaCircuit circuit(1, 2, 6);
  const StateMatrix inputs = make_haar(1, kCircleSamples, 1);
  const StateMatrix targets = circle_states(kCircleSamples, 2);
  Rng rng(3);
  std::vector<double> theta(circuit.num_params());
  for (double& t : theta)
    t = rng.normal();
  StepGradient step(circuit, Precision::Double, StepGradient::kDefaultCacheLimit,
                    LossSettings{kinds[state.range(0)], 0.05});
  Adam adam(circuit.num_params(), 0.0005);
  time_epochs(state, step, theta, inputs, targets, adam);
  par::set_max_threads(1);
}
BENCHMARK(BM_CircleEpoch)
    ->ArgsProduct({{0, 1, 2}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
