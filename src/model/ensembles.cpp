#include "model/ensembles.hpp"

#include <numeric>
#include <stdexcept>
#include <string>

#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "model/limits.hpp"

namespace quddpm {

namespace {

void check(int nqubits, int count) {
  if (nqubits < 1 || nqubits > kMaxQubits)
    throw std::invalid_argument("qubit count must be 1.." + std::to_string(kMaxQubits));
  if (count < 1) throw std::invalid_argument("ensemble size must be at least 1");
}

// Fills each row from its own stream, then normalizes it.
template <class F>
StateMatrix generate(int nqubits, int count, std::uint64_t seed, F&& fill_row) {
  check(nqubits, count);
  StateMatrix s(count, static_cast<Eigen::Index>(dim_of(nqubits)));
  par::for_each_state(
      count,
      [&](std::int64_t i) {
        Rng rng(stream_key(seed, {static_cast<std::uint64_t>(i)}));
        cplx* row = s.row(i).data();
        fill_row(rng, row, dim_of(nqubits));
        s.row(i).normalize();
      },
      8.0 * static_cast<double>(dim_of(nqubits)));  // a few draws and operations per amplitude
  return s;
}

}  // namespace

StateMatrix make_haar(int nqubits, int count, std::uint64_t seed) {
  return generate(nqubits, count, seed, [](Rng& rng, cplx* row, std::size_t d) {
    for (std::size_t x = 0; x < d; ++x)
      row[x] = rng.complex_normal();
  });
}

StateMatrix make_ghz(int nqubits, int count, const GhzParams& p, std::uint64_t seed) {
  return generate(nqubits, count, seed, [&](Rng& rng, cplx* row, std::size_t d) {
    const double theta = rng.uniform(p.theta_min, p.theta_max);
    const double phi = rng.uniform(p.phi_min, p.phi_max);
    const double sigma = p.noise / std::sqrt(static_cast<double>(d));
    for (std::size_t x = 0; x < d; ++x)
      row[x] = sigma * rng.complex_normal();
    row[0] += std::cos(theta / 2);
    row[d - 1] += std::polar(std::sin(theta / 2), phi);
  });
}

StateMatrix make_cluster(int nqubits, int count, const ClusterParams& p, std::uint64_t seed) {
  return generate(nqubits, count, seed, [&](Rng& rng, cplx* row, std::size_t d) {
    row[0] = 1.0;
    const double sigma = p.scale / std::sqrt(static_cast<double>(d - 1));
    for (std::size_t x = 1; x < d; ++x)
      row[x] = sigma * rng.complex_normal();
  });
}

StateMatrix make_tfim(int nqubits, int count, const TfimParams& p, std::uint64_t seed) {
  if (nqubits > kMaxTfimQubits)
    throw std::invalid_argument("tfim: qubit count must be 1.." + std::to_string(kMaxTfimQubits));
  if (!(p.g_min >= 0 && p.g_min <= p.g_max))
    throw std::invalid_argument("tfim: need 0 <= g_min <= g_max");
  return generate(nqubits, count, seed, [&](Rng& rng, cplx* row, std::size_t d) {
    const double g = rng.uniform(p.g_min, p.g_max);
    const RealVector psi = tfim_ground_state(nqubits, g, p.boundary).state;
    for (std::size_t x = 0; x < d; ++x)
      row[x] = psi[static_cast<Eigen::Index>(x)];
  });
}

StateMatrix make_circle(int count, std::uint64_t seed) {
  return generate(1, count, seed, [](Rng& rng, cplx* row, std::size_t) {
    const double phi = rng.uniform(0.0, 2 * M_PI);
    row[0] = std::cos(phi);
    row[1] = std::sin(phi);
  });
}

StateMatrix draw_without_replacement(const StateMatrix& pool, int count, std::uint64_t seed) {
  if (count > pool.rows())
    throw std::invalid_argument("cannot draw " + std::to_string(count) + " distinct states from " +
                                std::to_string(pool.rows()));
  Rng rng(seed);
  std::vector<Eigen::Index> idx(pool.rows());
  std::iota(idx.begin(), idx.end(), Eigen::Index{0});
  StateMatrix out(count, pool.cols());
  for (int k = 0; k < count; ++k) {
    const auto j = k + static_cast<Eigen::Index>(rng.below(idx.size() - k));
    std::swap(idx[k], idx[j]);
    out.row(k) = pool.row(idx[k]);
  }
  return out;
}

}  // namespace quddpm
