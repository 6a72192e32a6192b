// The evaluation metrics over large ensembles (docs/model.md, section 6) against their
// FMA-bound limit: mmd, mmd_to_haar and the sums of squared overlaps they are made of, each
// over N states of n qubits. Args: n, N, threads.
//
// Counters: `macs`, the complex multiply-adds per thread of the pairs the metric sums (a
// Hermitian self term by its upper half, diagonal included: N (N + 1) / 2 pairs; a cross term
// N^2; mmd two self terms and a cross term; mmd_to_haar a self term); `limit_ms`, those at
// 0.5 cycles each (four real multiply-adds on two 256-bit FMA pipes, as
// scripts/quddpm/bench_table.py counts the epoch's products) at this process's measured clock;
// `ratio`, the wall time over it; `cpu_ratio`, the process's CPU time per thread over it (what a
// shared machine, whose other work stretches the wall time, leaves of the same judgement).
#include <benchmark/benchmark.h>

#include <time.h>

#include <chrono>

#include "core/ensemble_ops.hpp"
#include "core/kernels/kernel_table.hpp"
#include "core/parallel.hpp"
#include "cycle_time.hpp"
#include "model/ensembles.hpp"
#include "model/metrics.hpp"

namespace {

using namespace quddpm;

// CPU seconds of every thread of the process so far.
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

constexpr double kMacCycles = 0.5;  // per complex multiply-add, double

enum class Metric { kCross, kSelf, kMmd, kMmdToHaar };

double pair_macs(Metric m, double n_states, double d) {
  const double half = n_states * (n_states + 1) / 2, full = n_states * n_states;
  switch (m) {
    case Metric::kCross:
      return full * d;
    case Metric::kSelf:
    case Metric::kMmdToHaar:
      return half * d;
    default:
      return (2 * half + full) * d;
  }
}

void metric(benchmark::State& state, Metric m) {
  const int n = static_cast<int>(state.range(0));
  const std::int64_t count = state.range(1);
  const int threads = static_cast<int>(state.range(2));
  par::set_max_threads(threads);
  const StateMatrix a = make_haar(n, static_cast<int>(count), 1);
  const StateMatrix b = make_haar(n, static_cast<int>(count), 2);
  double seconds = 0, cpu_seconds = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = process_cpu_seconds();
    double v = 0;
    switch (m) {
      case Metric::kCross:
        v = overlap_sq_sum(a, b);
        break;
      case Metric::kSelf:
        v = self_overlap_sq_sum(a).total();
        break;
      case Metric::kMmd:
        v = mmd(a, b);
        break;
      case Metric::kMmdToHaar:
        v = mmd_to_haar(a);
        break;
    }
    benchmark::DoNotOptimize(v);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    cpu_seconds += process_cpu_seconds() - c0;
  }
  const double macs =
      pair_macs(m, static_cast<double>(count), static_cast<double>(a.cols())) / threads;
  const double limit_ms = macs * kMacCycles * bench::cycle_ns() * 1e-6;
  state.counters["macs"] = macs;
  state.counters["limit_ms"] = limit_ms;
  const double iterations = static_cast<double>(state.iterations());
  state.counters["ratio"] = seconds * 1e3 / iterations / limit_ms;
  state.counters["cpu_ratio"] = cpu_seconds * 1e3 / threads / iterations / limit_ms;
  state.SetLabel(active_kernels().name);
  par::set_max_threads(1);
}

// sum_ij |<a_i|b_j>|^2 of two ensembles.
void BM_OverlapSqCross(benchmark::State& state) {
  metric(state, Metric::kCross);
}
// sum_ij |<a_i|a_j>|^2 of one ensemble.
void BM_OverlapSqSelf(benchmark::State& state) {
  metric(state, Metric::kSelf);
}
void BM_MmdMetric(benchmark::State& state) {
  metric(state, Metric::kMmd);
}
void BM_MmdToHaar(benchmark::State& state) {
  metric(state, Metric::kMmdToHaar);
}

// N = 10,000 at n = 4; at n = 10 N = 2,000 (N = 10,000 would be 1e8 pairs of 1024 amplitudes,
// tens of seconds an iteration; BM_*/10/10000/2 below runs it once).
void sizes(benchmark::internal::Benchmark* b) {
  b->Args({4, 10000, 1})->Args({4, 10000, 2})->Args({10, 2000, 1})->Args({10, 2000, 2});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}
void once_at_full_size(benchmark::internal::Benchmark* b) {
  b->Args({10, 10000, 2})->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
}

}  // namespace

BENCHMARK(BM_OverlapSqCross)->Apply(sizes);
BENCHMARK(BM_OverlapSqSelf)->Apply(sizes);
BENCHMARK(BM_MmdMetric)->Apply(sizes);
BENCHMARK(BM_MmdToHaar)->Apply(sizes);
BENCHMARK(BM_OverlapSqCross)->Apply(once_at_full_size);
BENCHMARK(BM_MmdToHaar)->Apply(once_at_full_size);
BENCHMARK(BM_MmdMetric)->Apply(once_at_full_size);
