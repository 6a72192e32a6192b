// TFIM ground states (model/tfim.hpp, docs/model.md section 2) against closed forms (n = 1, 2),
// the weak- and strong-field limits, the free-fermion energies at and around the critical point
// (periodic: the closed form of the even-parity sector; open: a numerically diagonalized
// Majorana (BdG) matrix), a dense diagonalization of H on the full 2^n space, and dense against
// Lanczos.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "model/tfim.hpp"
#include "support/dense_reference.hpp"

namespace {

using quddpm::RealVector;
using quddpm::TfimBoundary;
using quddpm::TfimSolver;

constexpr TfimBoundary kBoundaries[] = {TfimBoundary::Open, TfimBoundary::Periodic};

int bond_count(int n, TfimBoundary b) {
  return b == TfimBoundary::Periodic ? n : n - 1;
}

// H on the full space from Kronecker products: -sum_bonds Z_i Z_j - g sum_i X_i.
dref::Mat full_hamiltonian(int n, double g, TfimBoundary b) {
  const Eigen::Index d = Eigen::Index{1} << n;
  dref::Mat h = dref::Mat::Zero(d, d);
  for (int i = 0; i < bond_count(n, b); ++i) {
    const int j = (i + 1) % n;
    h -= i == j ? dref::Mat(dref::Mat::Identity(d, d))
                : dref::on_two(n, i, dref::pauli_z(), j, dref::pauli_z());
  }
  for (int i = 0; i < n; ++i)
    h -= g * dref::on_qubit(n, i, dref::pauli_x());
  return h;
}

dref::Vec as_complex(const RealVector& v) {
  return v.cast<dref::cplx>();
}

double expectation(const dref::Mat& op, const RealVector& v) {
  const dref::Vec c = as_complex(v);
  return (c.adjoint() * op * c)(0).real();
}

double fidelity(const RealVector& a, const RealVector& b) {
  const double o = a.dot(b);
  return o * o;
}

// Periodic chain, even-parity sector: antiperiodic fermion momenta k = (2m + 1) pi / n, and
// E0 = -sum_k sqrt(1 + g^2 - 2 g cos k) (half the sum of the quasiparticle energies 2 sqrt(...)).
double periodic_free_fermion_energy(int n, double g) {
  double e = 0;
  for (int m = 0; m < n; ++m) {
    const double k = (2 * m + 1) * M_PI / n;
    e -= std::sqrt(1 + g * g - 2 * g * std::cos(k));
  }
  return e;
}

// Open chain: with Majoranas a_1..a_2n (sigma^z_i = i a_{2i-1} a_{2i}, sigma^x_i sigma^x_{i+1} =
// i a_{2i} a_{2i+1} after a Hadamard on every qubit), H = (i/4) sum M_jk a_j a_k with M real
// antisymmetric and tridiagonal, M_{2i-1,2i} = 2g, M_{2i,2i+1} = 2 (signs do not change the
// spectrum); the quasiparticle energies are the singular values of M (each twice), and
// E0 = -(1/4) sum of all 2n singular values.
double open_bdg_energy(int n, double g) {
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(2 * n, 2 * n);
  for (int j = 0; j + 1 < 2 * n; ++j) {
    const double v = j % 2 == 0 ? 2 * g : 2.0;
    m(j, j + 1) = v;
    m(j + 1, j) = -v;
  }
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(m);
  return -svd.singularValues().sum() / 4;
}

// <Z_i Z_j> from the amplitudes (bit positions i, j: the chain is symmetric under reflection,
// so the labelling of qubits by bits does not matter here).
double zz(const RealVector& v, int i, int j) {
  double s = 0;
  for (Eigen::Index x = 0; x < v.size(); ++x)
    s += v[x] * v[x] * (((x >> i) & 1) == ((x >> j) & 1) ? 1.0 : -1.0);
  return s;
}

TEST(TfimGroundState, OneQubitIsPlusWithEnergyMinusG) {
  for (TfimBoundary b : kBoundaries) {
    for (double g : {0.0, 0.3, 1.0, 7.5}) {
      const auto gs = quddpm::tfim_ground_state(1, g, b);
      ASSERT_EQ(gs.state.size(), 2);
      EXPECT_NEAR(gs.state[0], 1 / std::sqrt(2.0), 1e-15);
      EXPECT_NEAR(gs.state[1], 1 / std::sqrt(2.0), 1e-15);
      // Periodic at n = 1: the bond (0, 0) is Z_0 Z_0 = 1, a constant -1.
      EXPECT_NEAR(gs.energy, b == TfimBoundary::Open ? -g : -1 - g, 1e-14) << g;
    }
  }
}

// n = 2 in the even sector {(|00> + |11>)/sqrt 2, (|01> + |10>)/sqrt 2}: H = [[-J, -2g], [-2g, J]]
// with J = 1 (open) or 2 (periodic: the bond (0,1) and (1,0)); E0 = -sqrt(J^2 + 4 g^2) and the
// ground state is proportional to (2g, sqrt(J^2 + 4g^2) - J).
TEST(TfimGroundState, TwoQubitsMatchTheClosedForm) {
  for (TfimBoundary b : kBoundaries) {
    const double j = b == TfimBoundary::Open ? 1.0 : 2.0;
    for (double g : {0.05, 0.4, 1.0, 3.0}) {
      const auto gs = quddpm::tfim_ground_state(2, g, b);
      const double root = std::sqrt(j * j + 4 * g * g);
      EXPECT_NEAR(gs.energy, -root, 1e-13);
      double a = 2 * g, c = root - j;
      const double norm = std::sqrt(2 * (a * a + c * c));
      a /= norm;
      c /= norm;
      EXPECT_NEAR(gs.state[0], a, 1e-13) << g;
      EXPECT_NEAR(gs.state[3], a, 1e-13) << g;
      EXPECT_NEAR(gs.state[1], c, 1e-13) << g;
      EXPECT_NEAR(gs.state[2], c, 1e-13) << g;
    }
  }
}

TEST(TfimGroundState, MatchesDenseDiagonalizationOfTheFullSpace) {
  for (TfimBoundary b : kBoundaries) {
    for (int n = 2; n <= 7; ++n) {
      for (double g : {0.5, 1.0, 1.7}) {
        SCOPED_TRACE(testing::Message() << "n " << n << " g " << g);
        const dref::Mat h = full_hamiltonian(n, g, b);
        const Eigen::SelfAdjointEigenSolver<dref::Mat> eig(h);
        const auto gs = quddpm::tfim_ground_state(n, g, b);
        EXPECT_NEAR(gs.energy, eig.eigenvalues()[0], 1e-10);
        EXPECT_NEAR(expectation(h, gs.state), eig.eigenvalues()[0], 1e-10);
        const double overlap = std::abs(eig.eigenvectors().col(0).dot(as_complex(gs.state)));
        EXPECT_NEAR(overlap * overlap, 1.0, 1e-10);
        EXPECT_NEAR(gs.state.norm(), 1.0, 1e-14);
      }
    }
  }
}

// g = 0: the even sector's ground state is the GHZ state; as g -> 0 the state tends to it, with
// every bond ordered (<Z_i Z_{i+1}> -> 1) and E0 -> -(number of bonds), to second order in g.
TEST(TfimGroundState, WeakFieldLimitIsTheFerromagneticGhzState) {
  for (TfimBoundary b : kBoundaries) {
    for (int n = 2; n <= 10; ++n) {
      SCOPED_TRACE(testing::Message() << "n " << n);
      const auto zero = quddpm::tfim_ground_state(n, 0.0, b);
      RealVector ghz = RealVector::Zero(zero.state.size());
      ghz[0] = ghz[ghz.size() - 1] = 1 / std::sqrt(2.0);
      EXPECT_LT((zero.state - ghz).cwiseAbs().maxCoeff(), 1e-14);
      EXPECT_NEAR(zero.energy, -bond_count(n, b), 1e-13);

      const double g = 1e-3;
      const auto weak = quddpm::tfim_ground_state(n, g, b);
      EXPECT_NEAR(weak.energy, -bond_count(n, b), n * g * g);
      for (int i = 0; i + 1 < n; ++i)
        EXPECT_NEAR(zz(weak.state, i, i + 1), 1.0, 4 * g * g) << i;
      EXPECT_NEAR(fidelity(weak.state, ghz), 1.0, n * g * g);
    }
  }
}

// g -> infinity: |+>^n, E0 / g -> -n (the bonds shift E0 by O(1/g)).
TEST(TfimGroundState, StrongFieldLimitIsAllPlus) {
  for (TfimBoundary b : kBoundaries) {
    for (int n = 1; n <= 10; ++n) {
      const double g = 1e4;
      const auto gs = quddpm::tfim_ground_state(n, g, b);
      const RealVector plus = RealVector::Constant(gs.state.size(), std::pow(2.0, -n / 2.0));
      EXPECT_NEAR(fidelity(gs.state, plus), 1.0, n / (g * g)) << n;
      // (Periodic at n = 1: the constant bond Z_0 Z_0 adds -1.)
      const double constant = b == TfimBoundary::Periodic && n == 1 ? -1.0 : 0.0;
      EXPECT_NEAR(gs.energy, -n * g + constant, (n + 1) / g) << n;
    }
  }
}

TEST(TfimGroundState, PeriodicChainMatchesFreeFermionsAtAndAroundTheCriticalPoint) {
  for (int n = 2; n <= 16; ++n) {
    SCOPED_TRACE(testing::Message() << "n " << n);
    // g = 1: E0 = -sum_k 2 |sin(k/2)| = -2 / sin(pi / 2n).
    const double critical = -2 / std::sin(M_PI / (2 * n));
    EXPECT_NEAR(periodic_free_fermion_energy(n, 1.0), critical, 1e-12 * n);
    EXPECT_NEAR(quddpm::tfim_ground_state(n, 1.0, TfimBoundary::Periodic).energy, critical,
                1e-10 * n);
    if (n <= 12) {
      for (double g : {0.3, 2.5})
        EXPECT_NEAR(quddpm::tfim_ground_state(n, g, TfimBoundary::Periodic).energy,
                    periodic_free_fermion_energy(n, g), 1e-10 * n)
            << g;
    }
  }
}

TEST(TfimGroundState, OpenChainMatchesTheMajoranaMatrix) {
  EXPECT_NEAR(open_bdg_energy(2, 0.7), -std::sqrt(1 + 4 * 0.7 * 0.7), 1e-13);  // the yardstick
  for (int n = 1; n <= 16; ++n) {
    for (double g : {0.3, 1.0, 2.0}) {
      if (n > 12 && g != 1.0) continue;
      EXPECT_NEAR(quddpm::tfim_ground_state(n, g, TfimBoundary::Open).energy, open_bdg_energy(n, g),
                  1e-10 * n)
          << "n " << n << " g " << g;
    }
  }
}

TEST(TfimGroundState, DenseAndLanczosAgree) {
  for (TfimBoundary b : kBoundaries) {
    for (int n = 2; n <= 9; ++n) {
      for (double g : {0.0, 0.2, 1.0, 3.0}) {
        SCOPED_TRACE(testing::Message() << "n " << n << " g " << g);
        const auto dense = quddpm::tfim_ground_state(n, g, b, TfimSolver::Dense);
        const auto lanczos = quddpm::tfim_ground_state(n, g, b, TfimSolver::Lanczos);
        EXPECT_NEAR(dense.energy, lanczos.energy, 1e-11 * n);
        EXPECT_LT((dense.state - lanczos.state).cwiseAbs().maxCoeff(), 1e-8);
      }
    }
  }
}

// The sign is fixed (the largest amplitude positive: then every amplitude is >= 0, the
// Perron-Frobenius vector), and a state is the same on every call.
TEST(TfimGroundState, SignIsFixedAndResultsRepeatBitwise) {
  for (TfimBoundary b : kBoundaries) {
    for (int n : {3, 6, 8, 12}) {
      const auto a = quddpm::tfim_ground_state(n, 0.7, b);
      EXPECT_GT(a.state.minCoeff(), -1e-12) << n;
      EXPECT_EQ(a.state, quddpm::tfim_ground_state(n, 0.7, b).state) << n;
    }
  }
}

TEST(TfimGroundState, RefusesWhatItCannotSolve) {
  EXPECT_THROW(quddpm::tfim_ground_state(0, 1.0, TfimBoundary::Open), std::invalid_argument);
  EXPECT_THROW(quddpm::tfim_ground_state(quddpm::kMaxTfimQubits + 1, 1.0, TfimBoundary::Open),
               std::invalid_argument);
  EXPECT_THROW(quddpm::tfim_ground_state(3, -0.1, TfimBoundary::Open), std::invalid_argument);
  EXPECT_THROW(quddpm::tfim_ground_state(3, std::nan(""), TfimBoundary::Open),
               std::invalid_argument);
  EXPECT_THROW(quddpm::tfim_ground_state(1, 1.0, TfimBoundary::Open, TfimSolver::Lanczos),
               std::invalid_argument);
}

}  // namespace
