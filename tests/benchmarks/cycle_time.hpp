// The core clock the benchmarks count cycles in: a chain of dependent integer additions retires
// one per cycle on every x86-64 core (one-cycle latency), so the time per addition is one cycle
// at the clock the core runs at under load (turbo included).
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace quddpm::bench {

// `adds` dependent additions to x (a multiple of 8).
inline void dependent_adds(std::uint64_t& x, std::int64_t adds) {
  for (std::int64_t i = 0; i < adds; i += 8) {
#if defined(__x86_64__)
    asm volatile(
        "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
        "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0"
        : "+r"(x));
#elif defined(__aarch64__)
    for (int k = 0; k < 8; ++k)
      asm volatile("add %0, %0, #1" : "+r"(x));
#else
    for (int k = 0; k < 8; ++k)
      benchmark::DoNotOptimize(x += 1);
#endif
  }
}

// The shortest cycle (ns) over 20 chains of 2^22 additions, measured once per process: what a
// benchmark's FMA-bound limit is counted in when it reports that limit itself.
inline double cycle_ns() {
  static const double ns = [] {
    constexpr std::int64_t kAdds = std::int64_t{1} << 22;
    double best = 1e9;
    std::uint64_t x = 0;
    for (int rep = 0; rep < 20; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      dependent_adds(x, kAdds);
      const std::chrono::duration<double, std::nano> dt = std::chrono::steady_clock::now() - t0;
      best = std::min(best, dt.count() / kAdds);
    }
    benchmark::DoNotOptimize(x);
    return best;
  }();
  return ns;
}

}  // namespace quddpm::bench
