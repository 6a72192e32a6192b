// Seeded random ensembles of docs/model.md, section 2. State i draws only from its own stream
// stream_key(seed, {i}), so ensembles do not depend on the thread count.
#pragma once

#include <cmath>
#include <cstdint>

#include "core/types.hpp"
#include "model/tfim.hpp"

namespace quddpm {

// Extended GHZ family: cos(theta/2)|0..0> + e^{i phi} sin(theta/2)|1..1> + (noise / sqrt(2^n)) z,
// normalized: the noise vector's expected norm is `noise` at every n, so the family means the
// same at every qubit count.
struct GhzParams {
  double theta_min = M_PI / 2 - 0.3;
  double theta_max = M_PI / 2 + 0.3;
  double phi_min = -0.3;
  double phi_max = 0.3;
  double noise = 0.08;  // 0.02 per amplitude at n = 4
};

// Clustered states: |0..0> + (scale / sqrt(2^n - 1)) z (z on the other 2^n - 1 amplitudes),
// normalized: the noise vector's expected norm is `scale` at every n.
struct ClusterParams {
  double scale = 0.24;  // about 0.06 per amplitude at n = 4
};

// Ground states of the transverse-field Ising chain (model/tfim.hpp), one field g ~ U[g_min,
// g_max] per state. The defaults are the original QuDDPM paper's TFIM experiment (open chain).
struct TfimParams {
  TfimBoundary boundary = TfimBoundary::Open;
  double g_min = 0.2;
  double g_max = 0.4;
};

StateMatrix make_haar(int nqubits, int count, std::uint64_t seed);
StateMatrix make_ghz(int nqubits, int count, const GhzParams& p, std::uint64_t seed);
StateMatrix make_cluster(int nqubits, int count, const ClusterParams& p, std::uint64_t seed);
// n in 1..kMaxTfimQubits, 0 <= g_min <= g_max.
StateMatrix make_tfim(int nqubits, int count, const TfimParams& p, std::uint64_t seed);
// One qubit: cos(phi)|0> + sin(phi)|1>, phi ~ U[0, 2 pi) (a great circle of the Bloch sphere,
// in the XZ plane).
StateMatrix make_circle(int count, std::uint64_t seed);

// `count` distinct rows of `pool` in the order a partial Fisher-Yates shuffle keyed by `seed`
// draws them (each epoch's targets from S_t; an npy target's states from its file). Throws
// when the pool has fewer rows.
StateMatrix draw_without_replacement(const StateMatrix& pool, int count, std::uint64_t seed);

}  // namespace quddpm
