// What the kernel figures are measured against: the core clock, and which kernel table ran.
// QUDDPM_ISA=NAME benchmarks a lower instruction set's kernels (as for the quddpm binary).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>

#include "core/allocation.hpp"
#include "core/kernels/kernel_table.hpp"
#include "cycle_time.hpp"

namespace {

// Chosen before main (and so before any benchmark runs); a bad name stops the run. The
// allocation policy is the quddpm binary's.
const bool kIsaChosen = [] {
  quddpm::retain_freed_memory();
  const char* isa = std::getenv("QUDDPM_ISA");
  if (isa != nullptr && *isa != '\0') quddpm::select_kernels(isa);
  return true;
}();

// The clock a kernel's "cycles per amplitude" is counted in: a chain of dependent integer
// additions retires one per cycle on every x86-64 core (one-cycle latency), so the time per
// addition is the length of one cycle at the clock the core runs at under load (turbo
// included). Reported as the counter `cycle_ns`.
void BM_CycleTime(benchmark::State& state) {
  constexpr std::int64_t kAdds = 1 << 20;
  std::uint64_t x = 0;
  for (auto _ : state)
    quddpm::bench::dependent_adds(x, kAdds);
  benchmark::DoNotOptimize(x);
  state.counters["cycle_ns"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kAdds * 1e-9,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetLabel(quddpm::active_kernels().name);
}

}  // namespace

BENCHMARK(BM_CycleTime)->Unit(benchmark::kMillisecond);
