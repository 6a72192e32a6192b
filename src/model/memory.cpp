#include "model/memory.hpp"

#include <limits>

namespace quddpm {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
// Both estimates count complex<double> states, whatever the circuit's precision: the ensembles
// stay double and single precision only shrinks the circuit's part.
constexpr std::uint64_t kAmp = 16;

std::uint64_t mul(std::uint64_t a, std::uint64_t b) {
  return a != 0 && b > kMax / a ? kMax : a * b;
}

std::uint64_t add(std::uint64_t a, std::uint64_t b) {
  return b > kMax - a ? kMax : a + b;
}

std::uint64_t pow2(long long bits) {
  if (bits < 0) return 0;
  return bits >= 64 ? kMax : std::uint64_t{1} << bits;
}

std::uint64_t count(long long x) {
  return x < 0 ? 0 : static_cast<std::uint64_t>(x);
}

}  // namespace

std::uint64_t training_peak_bytes(int n_data, int n_ancilla, int steps, int diffusion_size,
                                  int samples) {
  const std::uint64_t d = pow2(n_data);
  const std::uint64_t dtot = pow2(static_cast<long long>(n_data) + n_ancilla);
  const std::uint64_t chain = mul(mul(mul(count(steps + 1LL), count(diffusion_size)), d), kAmp);
  const std::uint64_t circuit = mul(mul(mul(count(samples), dtot), kAmp), 3);
  const std::uint64_t ensembles = mul(mul(mul(count(samples), d), kAmp), 4);
  return add(add(chain, circuit), ensembles);
}

std::uint64_t generation_peak_bytes(int n_data, int n_ancilla, long long samples) {
  const std::uint64_t dtot = pow2(static_cast<long long>(n_data) + n_ancilla);
  const std::uint64_t per_state = add(mul(mul(kAmp, dtot), 2), mul(mul(kAmp, pow2(n_data)), 3));
  return mul(count(samples), per_state);
}

}  // namespace quddpm
