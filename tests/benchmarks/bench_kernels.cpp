// Gate-kernel benchmarks, one thread. Each reports the counter `amps` (amplitudes per pass)
// so that scripts/bench/bench.sh can print the time per amplitude.
#include <benchmark/benchmark.h>

#include <vector>

#include "core/kernels/kernels.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "core/types.hpp"

namespace {

using namespace quddpm;

// On 64-byte boundaries, as the model keeps every state it runs through the kernels
// (AmplitudeVector): a std::vector's 16-byte alignment would split every other AVX2 register
// across two cache lines, which training never does (the adjoint step 2-5% slower on Zen 4).
AmplitudeVector<double> random_state(int nq, std::uint64_t seed) {
  AmplitudeVector<double> psi(dim_of(nq));
  Rng rng(seed);
  for (auto& a : psi)
    a = rng.complex_normal() * (1.0 / std::sqrt(static_cast<double>(psi.size())));
  return psi;
}

// A general gate with no special structure (unitary, so repeated passes stay bounded; the
// global phase keeps it off the kernels' special-unitary path).
Gate2x2 generic_gate() {
  const cplx phase = std::polar(1.0, 0.4);
  Gate2x2 g = gate_rz(0.3) * gate_ry(1.1) * gate_rx(-0.7);
  for (cplx* m : {&g.m00, &g.m01, &g.m10, &g.m11})
    *m *= phase;
  return g;
}
// The inverse of a gate the circuit fuses, RY(b) RX(a): what its adjoint sweep un-applies
// (special unitary, the kernels' path with half the coefficient registers).
Gate2x2 circuit_undo() {
  return (gate_ry(1.1) * gate_rx(-0.7)).adjoint();
}

void count_amps(benchmark::State& state, int nq) {
  state.SetLabel(active_kernels().name);
  state.counters["amps"] = static_cast<double>(dim_of(nq));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(dim_of(nq)));
}

// Args: qubits, target qubit (0 = most significant bit; nq-1 and nq-2 are in-register).
void BM_Apply1q(benchmark::State& state) {
  par::set_max_threads(1);
  const int nq = static_cast<int>(state.range(0)), q = static_cast<int>(state.range(1));
  auto psi = random_state(nq, 1);
  const Gate2x2 g = generic_gate();
  for (auto _ : state) {
    apply_1q(psi.data(), nq, q, g);
    benchmark::ClobberMemory();
  }
  count_amps(state, nq);
}

// The same in single precision (complex float amplitudes).
void BM_Apply1qSingle(benchmark::State& state) {
  par::set_max_threads(1);
  const int nq = static_cast<int>(state.range(0)), q = static_cast<int>(state.range(1));
  const auto d = random_state(nq, 1);
  AmplitudeVector<float> psi(d.begin(), d.end());
  const Gate2x2 g = generic_gate();
  for (auto _ : state) {
    apply_1q(psi.data(), nq, q, g);
    benchmark::ClobberMemory();
  }
  count_amps(state, nq);
}

void BM_Apply1qReference(benchmark::State& state) {
  const int nq = static_cast<int>(state.range(0)), q = static_cast<int>(state.range(1));
  auto psi = random_state(nq, 1);
  const Gate2x2 g = generic_gate();
  for (auto _ : state) {
    reference::apply_1q(psi.data(), nq, q, g);
    benchmark::ClobberMemory();
  }
  count_amps(state, nq);
}

// Both CZ ladders of a layer as one diagonal pass.
void BM_CzLadders(benchmark::State& state) {
  par::set_max_threads(1);
  const int nq = static_cast<int>(state.range(0));
  auto psi = random_state(nq, 1);
  for (auto _ : state) {
    apply_adjacent_cz(psi.data(), nq);
    benchmark::ClobberMemory();
  }
  count_amps(state, nq);
}

// One adjoint step of the circuit's sweep: the undo of its gate on both vectors and a Pauli
// read on each side of it.
void BM_AdjointUndo(benchmark::State& state) {
  par::set_max_threads(1);
  const int nq = static_cast<int>(state.range(0)), q = static_cast<int>(state.range(1));
  auto psi = random_state(nq, 1), lam = random_state(nq, 2);
  const Gate2x2 g = circuit_undo();
  for (auto _ : state) {
    benchmark::DoNotOptimize(adjoint_undo(lam.data(), psi.data(), nq, q, g));
    benchmark::ClobberMemory();
  }
  count_amps(state, nq);
}

// The same in single precision: where it stands against half the double step.
void BM_AdjointUndoSingle(benchmark::State& state) {
  par::set_max_threads(1);
  const int nq = static_cast<int>(state.range(0)), q = static_cast<int>(state.range(1));
  const auto dp = random_state(nq, 1), dl = random_state(nq, 2);
  AmplitudeVector<float> psi(dp.begin(), dp.end()), lam(dl.begin(), dl.end());
  const Gate2x2 g = circuit_undo();
  for (auto _ : state) {
    benchmark::DoNotOptimize(adjoint_undo(lam.data(), psi.data(), nq, q, g));
    benchmark::ClobberMemory();
  }
  count_amps(state, nq);
}

// The last gate of a layer and both CZ ladders in one pass (what the circuit runs).
void BM_LastGateWithCz(benchmark::State& state) {
  par::set_max_threads(1);
  const int nq = static_cast<int>(state.range(0));
  auto psi = random_state(nq, 1);
  const Gate2x2 g = generic_gate();
  for (auto _ : state) {
    apply_1q_then_adjacent_cz(psi.data(), nq, g);
    benchmark::ClobberMemory();
  }
  count_amps(state, nq);
}

// Its adjoint step: both CZ ladders un-applied, then the reads and the undo of the last gate.
void BM_LastAdjointWithCz(benchmark::State& state) {
  par::set_max_threads(1);
  const int nq = static_cast<int>(state.range(0));
  auto psi = random_state(nq, 1), lam = random_state(nq, 2);
  const Gate2x2 g = circuit_undo();
  for (auto _ : state) {
    benchmark::DoNotOptimize(adjacent_cz_then_adjoint_undo(lam.data(), psi.data(), nq, g));
    benchmark::ClobberMemory();
  }
  count_amps(state, nq);
}

void every_position(benchmark::internal::Benchmark* b, std::initializer_list<int> sizes) {
  for (int nq : sizes)
    for (int q = 0; q < nq; ++q)
      b->Args({nq, q});
}

}  // namespace

BENCHMARK(BM_Apply1q)->Apply([](auto* b) { every_position(b, {10, 13, 16, 20, 24}); });
BENCHMARK(BM_Apply1qSingle)->Apply([](auto* b) { every_position(b, {13, 16}); });
BENCHMARK(BM_Apply1qReference)->Apply([](auto* b) { every_position(b, {13}); });
BENCHMARK(BM_AdjointUndo)->Apply([](auto* b) { every_position(b, {13}); });
BENCHMARK(BM_AdjointUndoSingle)->Apply([](auto* b) { every_position(b, {13}); });
BENCHMARK(BM_LastGateWithCz)->Arg(10)->Arg(13)->Arg(20);
BENCHMARK(BM_LastAdjointWithCz)->Arg(10)->Arg(13);
BENCHMARK(BM_CzLadders)->DenseRange(10, 24, 2)->Arg(13);
