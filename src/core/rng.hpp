// Counter-keyed random streams: every state draws from its own stream, derived from the run
// seed and the state's coordinates, so results never depend on the thread count.
#pragma once

#include <cmath>
#include <complex>
#include <cstdint>
#include <initializer_list>

namespace quddpm {

// SplitMix64 finalizer: a bijective 64-bit mixer used to derive stream keys.
inline std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Key of a stream from a seed and any number of coordinates (purpose tag, step, index...).
inline std::uint64_t stream_key(std::uint64_t seed, std::initializer_list<std::uint64_t> coords) {
  std::uint64_t k = mix64(seed);
  for (std::uint64_t c : coords)
    k = mix64(k ^ mix64(c + 0x632BE59BD9B4E019ull));
  return k;
}

// xoshiro256** generator with portable uniform and normal draws (no std:: distributions,
// whose output differs between standard libraries).
class Rng {
 public:
  explicit Rng(std::uint64_t key) {
    std::uint64_t x = key;
    for (auto& w : s_) {
      x += 0x9E3779B97F4A7C15ull;
      std::uint64_t z = x;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      w = z ^ (z >> 31);
    }
  }

  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  // Uniform integer in [0, n), unbiased (rejection on the top range).
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t r;
    do
      r = next_u64();
    while (r >= limit);
    return r % n;
  }

  // Standard normal by Box-Muller; the second variate is kept for the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1;
    do
      u1 = uniform();
    while (u1 <= 0.0);
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double a = 2.0 * M_PI * u2;
    spare_ = r * std::sin(a);
    has_spare_ = true;
    return r * std::cos(a);
  }

  // Standard complex normal: E|z|^2 = 1 (real and imaginary parts of variance 1/2).
  std::complex<double> complex_normal() {
    const double re = normal();
    const double im = normal();
    return {re * M_SQRT1_2, im * M_SQRT1_2};
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace quddpm
