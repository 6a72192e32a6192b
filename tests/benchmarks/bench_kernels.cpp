// Gate-kernel benchmarks: time per amplitude of each kernel, per target qubit and size.
#include <benchmark/benchmark.h>

#include <vector>

#include "core/kernels.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"

namespace {

using namespace quddpm;

std::vector<cplx> random_state(int nq) {
  std::vector<cplx> psi(dim_of(nq));
  Rng rng(42);
  for (auto& a : psi)
    a = rng.complex_normal();
  return psi;
}

// A general unitary-ish 2x2 gate with no special structure.
Gate2x2 generic_gate() {
  return gate_rz(0.3) * gate_ry(1.1) * gate_rx(-0.7);
}

void set_counters(benchmark::State& state, int nq) {
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(dim_of(nq)));
  state.counters["ns_per_amp"] =
      benchmark::Counter(static_cast<double>(state.iterations() * dim_of(nq)),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["ns_per_amp"] = state.counters["ns_per_amp"].value;
}

// Args: qubits, target qubit position (0 = most significant).
void BM_Apply1q(benchmark::State& state) {
  par::set_max_threads(1);
  const int nq = static_cast<int>(state.range(0)), q = static_cast<int>(state.range(1));
  auto psi = random_state(nq);
  const Gate2x2 g = generic_gate();
  for (auto _ : state) {
    apply_1q(psi.data(), nq, q, g);
    benchmark::ClobberMemory();
  }
  set_counters(state, nq);
}

void BM_Apply1qReference(benchmark::State& state) {
  const int nq = static_cast<int>(state.range(0)), q = static_cast<int>(state.range(1));
  auto psi = random_state(nq);
  const Gate2x2 g = generic_gate();
  for (auto _ : state) {
    reference::apply_1q(psi.data(), nq, q, g);
    benchmark::ClobberMemory();
  }
  set_counters(state, nq);
}

void BM_SignDiagonal(benchmark::State& state) {
  par::set_max_threads(1);
  const int nq = static_cast<int>(state.range(0));
  auto psi = random_state(nq);
  std::vector<std::uint8_t> neg(dim_of(nq));
  for (std::size_t b = 0; b < neg.size(); ++b)
    neg[b] = __builtin_popcountll(b & (b >> 1)) & 1;
  for (auto _ : state) {
    apply_sign_diagonal(psi.data(), nq, neg.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, nq);
}

void BM_ExpectationXYZ(benchmark::State& state) {
  const int nq = static_cast<int>(state.range(0)), q = static_cast<int>(state.range(1));
  auto psi = random_state(nq);
  auto lam = random_state(nq);
  for (auto _ : state)
    benchmark::DoNotOptimize(expectation_xyz(lam.data(), psi.data(), nq, q));
  set_counters(state, nq);
}

void positions(benchmark::internal::Benchmark* b, std::initializer_list<int> sizes) {
  for (int nq : sizes)
    for (int q : {0, nq / 2, nq - 3, nq - 2, nq - 1})
      b->Args({nq, q});
}

}  // namespace

BENCHMARK(BM_Apply1q)->Apply([](auto* b) { positions(b, {10, 13, 16, 20, 24}); });
BENCHMARK(BM_Apply1qReference)->Apply([](auto* b) { positions(b, {13}); });
BENCHMARK(BM_ExpectationXYZ)->Apply([](auto* b) { positions(b, {13, 20}); });
BENCHMARK(BM_SignDiagonal)->Arg(13)->Arg(20);
