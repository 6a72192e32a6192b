// Each cycle's starting parameters (docs/model.md, section 5): U[-c/L, c/L] on the data qubits'
// angles and U[-c_a/L, c_a/L] on the ancillas', by position in the layer layout of docs/model.md,
// section 4.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/rng.hpp"
#include "model/trainer.hpp"

namespace {

quddpm::TrainingSettings settings(int n, int na, int layers, double c, double ca) {
  quddpm::TrainingSettings s;
  s.n_data = n;
  s.n_ancilla = na;
  s.layers = layers;
  s.init = quddpm::InitKind::Uniform;
  s.init_c = c;
  s.init_ancilla_c = ca;
  s.seed = 4;
  return s;
}

TEST(InitialParams, AncillaAndDataAnglesHaveTheirOwnWidths) {
  const int n = 3, na = 2, layers = 40, ntot = n + na;
  const auto s = settings(n, na, layers, 1.0, 20.0);
  const quddpm::RealVector theta = quddpm::initial_params(s, 7);
  ASSERT_EQ(theta.size(), 2 * ntot * layers);
  double max_data = 0, max_anc = 0;
  for (int l = 0; l < layers; ++l) {
    for (int q = 0; q < ntot; ++q) {
      for (int k : {2 * ntot * l + q, 2 * ntot * l + ntot + q}) {  // RX, RY of qubit q
        (q < na ? max_anc : max_data) = std::max(q < na ? max_anc : max_data, std::abs(theta[k]));
      }
    }
  }
  // 240 data and 160 ancilla draws: the maxima come close to the bounds.
  EXPECT_LE(max_data, 1.0 / layers);
  EXPECT_GT(max_data, 0.9 / layers);
  EXPECT_LE(max_anc, 20.0 / layers);
  EXPECT_GT(max_anc, 18.0 / layers);
}

// The same scale on both reproduces a single-c draw value for value (one draw per parameter in
// the same order), so configs without ancilla_c keep their numbers.
TEST(InitialParams, EqualScalesMatchOneUniformWidth) {
  const auto s = settings(2, 3, 4, 2.5, 2.5);
  const quddpm::RealVector theta = quddpm::initial_params(s, 0);
  quddpm::Rng rng(quddpm::stream_key(s.seed, {quddpm::kTagInit, 0}));
  for (Eigen::Index k = 0; k < theta.size(); ++k)
    EXPECT_EQ(theta[k], rng.uniform(-2.5 / 4, 2.5 / 4)) << k;
}

}  // namespace
