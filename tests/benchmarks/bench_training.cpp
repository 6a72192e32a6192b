// Algorithm-level benchmarks: one forward pass, one full training epoch (forward,
// measurement, MMD, adjoint gradient, Adam), the epoch's MMD ensemble products, the forward
// diffusion.
#include <benchmark/benchmark.h>

#include <vector>

#include "core/ensemble_ops.hpp"
#include "core/kernels/kernel_table.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "epoch_loop.hpp"
#include "model/adam.hpp"
#include "model/backward_step.hpp"
#include "model/diffusion.hpp"
#include "model/ensembles.hpp"

namespace {

using namespace quddpm;

constexpr int kAncillas = 3;
constexpr int kSamples = 100;

std::vector<double> small_params(const HeaCircuit& c) {
  Rng rng(3);
  std::vector<double> theta(c.num_params());
  for (double& t : theta)
    t = rng.uniform(-1.0 / c.layers(), 1.0 / c.layers());
  return theta;
}

// Complex multiply-adds of an epoch's MMD products on n data qubits: the Gram matrices of the
// N outputs and of the N targets by their upper halves (diagonal included), the N x N of
// outputs with targets, and the combination of 2N states into N.
double gram_macs(int n) {
  const double d = static_cast<double>(dim_of(n)), half = kSamples * (kSamples + 1) / 2.0;
  return (2 * half + kSamples * kSamples) * d;
}
double combine_macs(int n) {
  return 2.0 * kSamples * kSamples * static_cast<double>(dim_of(n));
}

// The epoch's vector work, for the FMA-bound limit scripts/quddpm/bench_table.py computes, per
// thread: amplitude passes of the forward circuit (one 2x2 gate or the last gate with the CZ
// ladders per (layer, qubit) and sample) and of the adjoint sweep (one read-and-undo step on two
// vectors per (layer, qubit) and sample), and the complex multiply-adds of the MMD's products (as
// BM_MmdGrams and BM_MmdCombine count them).
void count_epoch_work(benchmark::State& state, const HeaCircuit& c, int n, int threads) {
  const double passes = static_cast<double>(c.layers()) * c.num_qubits() * kSamples *
                        static_cast<double>(c.dim()) / threads;
  state.counters["fwd_amps"] = passes;
  state.counters["adj_amps"] = passes;
  state.counters["mmd_macs"] = (gram_macs(n) + combine_macs(n)) / threads;
  state.SetLabel(active_kernels().name);
}

// Args: data qubits, threads. L = 2 (n + na), N = 100.
void epoch(benchmark::State& state, Precision precision) {
  const int n = static_cast<int>(state.range(0));
  par::set_max_threads(static_cast<int>(state.range(1)));
  const HeaCircuit circuit(n, kAncillas, 2 * (n + kAncillas));
  const StateMatrix inputs = make_haar(n, kSamples, 1);
  const StateMatrix targets = make_ghz(n, kSamples, GhzParams{}, 2);
  std::vector<double> theta = small_params(circuit);
  StepGradient step(circuit, precision);
  Adam adam(circuit.num_params(), 0.005);
  time_epochs(state, step, theta, inputs, targets, adam);
  state.counters["layers"] = circuit.layers();
  count_epoch_work(state, circuit, n, static_cast<int>(state.range(1)));
  par::set_max_threads(1);
}

void BM_TrainingEpoch(benchmark::State& state) {
  epoch(state, Precision::Double);
}
// The same epoch with the circuit's states in single precision.
void BM_TrainingEpochSingle(benchmark::State& state) {
  epoch(state, Precision::Single);
}

// One forward pass of the measured circuit over the batch (no gradient).
void BM_ForwardPass(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  par::set_max_threads(static_cast<int>(state.range(1)));
  const HeaCircuit circuit(n, kAncillas, 2 * (n + kAncillas));
  const StateMatrix inputs = make_haar(n, kSamples, 1);
  const std::vector<double> theta = small_params(circuit);
  for (auto _ : state) {
    const StepOutputs out = run_step(circuit, theta.data(), inputs, sampled_outcomes(4));
    benchmark::DoNotOptimize(out.states.data());
  }
  par::set_max_threads(1);
}

// An epoch's ensemble products on n data qubits, N = 100, args (n, threads), as
// StepGradient::evaluate computes them. Grams: the MMD's three Gram matrices (outputs with
// outputs and targets with targets, Hermitian, by their upper halves; outputs with targets);
// combine: the output gradient's combination of the 2N states. Counter `macs`: complex
// multiply-adds per thread.
void mmd_products(benchmark::State& state, bool grams) {
  const int n = static_cast<int>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  par::set_max_threads(threads);
  const StateMatrix outputs = make_haar(n, kSamples, 1);
  const StateMatrix targets = make_ghz(n, kSamples, GhzParams{}, 2);
  StateMatrix coef(kSamples, 2 * kSamples);
  coef << gram(outputs, outputs), gram(outputs, targets);
  StateMatrix stacked(2 * kSamples, outputs.cols());
  stacked << outputs, targets;
  for (auto _ : state) {
    if (grams) {
      benchmark::DoNotOptimize(self_gram(outputs).data());
      benchmark::DoNotOptimize(gram(outputs, targets).data());
      benchmark::DoNotOptimize(self_gram(targets).data());
    } else {
      benchmark::DoNotOptimize(combine(coef, stacked).data());
    }
  }
  state.counters["macs"] = (grams ? gram_macs(n) : combine_macs(n)) / threads;
  state.SetLabel(active_kernels().name);
  par::set_max_threads(1);
}
void BM_MmdGrams(benchmark::State& state) {
  mmd_products(state, true);
}
void BM_MmdCombine(benchmark::State& state) {
  mmd_products(state, false);
}

// T = 30 steps of forward diffusion of 500 states.
void BM_ForwardDiffusion(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  par::set_max_threads(static_cast<int>(state.range(1)));
  const StateMatrix s0 = make_ghz(n, 500, GhzParams{}, 1);
  const std::vector<double> h = linear_schedule(0.5, 4.0, 30);
  for (auto _ : state)
    benchmark::DoNotOptimize(diffuse_chain(s0, h, 5).back().data());
  par::set_max_threads(1);
}

}  // namespace

BENCHMARK(BM_TrainingEpoch)
    ->ArgsProduct({{1, 2, 3, 4, 7, 10}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_TrainingEpochSingle)
    ->ArgsProduct({{4, 7, 10}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_TrainingEpoch)
    ->Args({16, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);
BENCHMARK(BM_ForwardPass)
    ->ArgsProduct({{4, 7, 10}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_MmdGrams)
    ->ArgsProduct({{7, 10}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_MmdCombine)
    ->ArgsProduct({{7, 10}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_ForwardDiffusion)
    ->ArgsProduct({{4, 10}, {2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
