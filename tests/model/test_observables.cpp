// Observables (docs/model.md, section 7) against closed forms on basis states, |+>^n, GHZ and
// Bell states, and against dense Pauli matrices (Kronecker products) on random states.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/observables.hpp"
#include "support/dense_reference.hpp"

namespace {

using dref::cplx;
using quddpm::PauliFactor;
using quddpm::StateMatrix;

StateMatrix one_state(const dref::Vec& v) {
  StateMatrix s(1, v.size());
  s.row(0) = v.transpose();
  return s;
}

double pauli_of(const dref::Vec& v, const std::string& text) {
  const int n = static_cast<int>(std::log2(v.size()));
  return quddpm::pauli_expectations(one_state(v), quddpm::parse_pauli(text, n))[0];
}

dref::Vec plus_state(int n) {
  return dref::Vec::Constant(Eigen::Index{1} << n, std::pow(0.5, n / 2.0));
}

dref::Vec ghz(int n) {
  dref::Vec v = dref::Vec::Zero(Eigen::Index{1} << n);
  v(0) = v(v.size() - 1) = std::sqrt(0.5);
  return v;
}

// Basis state |x> (qubit 0 the most significant bit): fidelity 1 with its own bit string and 0
// with every other, <Z_q> = 1 - 2 x_q, <X_q> = <Y_q> = 0, M = |2 ones - n| / n.
TEST(Observables, BasisStatesHaveTheirClosedForms) {
  for (int n : {1, 2, 3, 4}) {
    for (std::size_t x = 0; x < (std::size_t{1} << n); ++x) {
      const dref::Vec v = dref::basis(n, x);
      std::string bits;
      int ones = 0;
      for (int q = 0; q < n; ++q) {
        const bool one = (x >> (n - 1 - q)) & 1;
        bits += one ? '1' : '0';
        ones += one;
        EXPECT_DOUBLE_EQ(pauli_of(v, "Z" + std::to_string(q)), one ? -1.0 : 1.0);
        EXPECT_DOUBLE_EQ(pauli_of(v, "X" + std::to_string(q)), 0.0);
        EXPECT_DOUBLE_EQ(pauli_of(v, "Y" + std::to_string(q)), 0.0);
      }
      for (std::size_t y = 0; y < (std::size_t{1} << n); ++y) {
        std::string other;
        for (int q = 0; q < n; ++q)
          other += ((y >> (n - 1 - q)) & 1) ? '1' : '0';
        EXPECT_EQ(quddpm::basis_fidelities(one_state(v), other)[0], x == y ? 1.0 : 0.0)
            << bits << " vs " << other;
      }
      EXPECT_DOUBLE_EQ(quddpm::magnetizations(one_state(v))[0], std::abs(2.0 * ones - n) / n);
    }
  }
  // Qubit 0 is the most significant bit: |10> is amplitude index 2.
  EXPECT_DOUBLE_EQ(pauli_of(dref::basis(2, 2), "Z0"), -1.0);
  EXPECT_DOUBLE_EQ(pauli_of(dref::basis(2, 2), "Z1"), 1.0);
  EXPECT_EQ(quddpm::basis_fidelities(one_state(dref::basis(2, 2)), "10")[0], 1.0);
}

// |+>^n: <X_q> = 1, <Z_q> = <Y_q> = 0, every basis fidelity 2^-n, and M = E|2B - n| / n with
// B ~ Binomial(n, 1/2).
TEST(Observables, PlusStatesHaveTheirClosedForms) {
  for (int n : {1, 2, 3, 5}) {
    const dref::Vec v = plus_state(n);
    std::string all_x;
    for (int q = 0; q < n; ++q) {
      EXPECT_NEAR(pauli_of(v, "X" + std::to_string(q)), 1.0, 1e-14);
      EXPECT_NEAR(pauli_of(v, "Z" + std::to_string(q)), 0.0, 1e-14);
      EXPECT_NEAR(pauli_of(v, "Y" + std::to_string(q)), 0.0, 1e-14);
      all_x += "X" + std::to_string(q);
    }
    EXPECT_NEAR(pauli_of(v, all_x), 1.0, 1e-14);
    EXPECT_NEAR(quddpm::basis_fidelities(one_state(v), std::string(n, '1'))[0], std::pow(0.5, n),
                1e-15);
    double expected = 0;
    for (int k = 0; k <= n; ++k)
      expected += std::tgamma(n + 1) / (std::tgamma(k + 1) * std::tgamma(n - k + 1)) *
                  std::pow(0.5, n) * std::abs(2.0 * k - n) / n;
    EXPECT_NEAR(quddpm::magnetizations(one_state(v))[0], expected, 1e-14) << n;
  }
}

// GHZ: <Z_i Z_j> = 1, <Z_q> = 0, <X...X> = 1, M = 1, fidelity 1/2 with 0...0 and 1...1.
TEST(Observables, GhzStatesHaveTheirClosedForms) {
  for (int n : {2, 3, 4}) {
    const dref::Vec v = ghz(n);
    std::string all_x;
    for (int q = 0; q < n; ++q) {
      EXPECT_NEAR(pauli_of(v, "Z" + std::to_string(q)), 0.0, 1e-15);
      all_x += "X" + std::to_string(q);
    }
    EXPECT_NEAR(pauli_of(v, "Z0Z" + std::to_string(n - 1)), 1.0, 1e-15);
    EXPECT_NEAR(pauli_of(v, all_x), 1.0, 1e-15);
    EXPECT_NEAR(quddpm::magnetizations(one_state(v))[0], 1.0, 1e-15);
    EXPECT_NEAR(quddpm::basis_fidelities(one_state(v), std::string(n, '0'))[0], 0.5, 1e-15);
    EXPECT_NEAR(quddpm::basis_fidelities(one_state(v), std::string(n, '1'))[0], 0.5, 1e-15);
  }
}

// The four Bell states: XX, YY, ZZ are +-1 by the table (Phi+: 1, -1, 1; Phi-: -1, 1, 1;
// Psi+: 1, 1, -1; Psi-: -1, -1, -1), and M is 1 for Phi, 0 for Psi.
TEST(Observables, BellStatesHaveTheirClosedForms) {
  const double s = std::sqrt(0.5);
  struct Bell {
    dref::Vec v;
    double xx, yy, zz, m;
  };
  std::vector<Bell> bells(4);
  for (auto& b : bells)
    b.v = dref::Vec::Zero(4);
  bells[0].v << s, 0, 0, s;
  bells[1].v << s, 0, 0, -s;
  bells[2].v << 0, s, s, 0;
  bells[3].v << 0, s, -s, 0;
  const double table[4][4] = {{1, -1, 1, 1}, {-1, 1, 1, 1}, {1, 1, -1, 0}, {-1, -1, -1, 0}};
  for (int k = 0; k < 4; ++k) {
    EXPECT_NEAR(pauli_of(bells[k].v, "X0X1"), table[k][0], 1e-15) << k;
    EXPECT_NEAR(pauli_of(bells[k].v, "Y0Y1"), table[k][1], 1e-15) << k;
    EXPECT_NEAR(pauli_of(bells[k].v, "Z1Z0"), table[k][2], 1e-15) << k;
    EXPECT_NEAR(quddpm::magnetizations(one_state(bells[k].v))[0], table[k][3], 1e-15) << k;
  }
}

// Random states and random Pauli strings: <psi|P|psi> with P the dense Kronecker product,
// and M from the diagonal of (1/n) sum_i Z_i.
TEST(Observables, RandomStatesAgreeWithDenseMatrices) {
  dref::Source src(20261206);
  for (int n : {1, 2, 3, 5}) {
    StateMatrix states(6, Eigen::Index{1} << n);
    for (Eigen::Index i = 0; i < states.rows(); ++i)
      states.row(i) = src.state(n).transpose();
    dref::Mat mean_z = dref::Mat::Zero(states.cols(), states.cols());
    for (int q = 0; q < n; ++q)
      mean_z += dref::on_qubit(n, q, dref::pauli_z()) / static_cast<double>(n);
    const quddpm::RealVector m = quddpm::magnetizations(states);
    for (Eigen::Index i = 0; i < states.rows(); ++i) {
      double expected = 0;
      for (Eigen::Index x = 0; x < states.cols(); ++x)
        expected += std::norm(states(i, x)) * std::abs(mean_z(x, x).real());
      EXPECT_NEAR(m[i], expected, 1e-13);
    }
    for (int trial = 0; trial < 8; ++trial) {
      std::vector<PauliFactor> factors;
      std::string text;
      for (int q = 0; q < n; ++q) {
        const int letter = src.below(4);
        if (letter == 3) continue;
        const char p = "XYZ"[letter];
        factors.emplace_back(p, q);
        text += p + std::to_string(q);
      }
      if (factors.empty()) continue;
      ASSERT_EQ(quddpm::parse_pauli(text, n), factors);
      const dref::Mat dense = dref::pauli_string(n, factors);
      const quddpm::RealVector e = quddpm::pauli_expectations(states, factors);
      for (Eigen::Index i = 0; i < states.rows(); ++i) {
        const dref::Vec v = states.row(i).transpose();
        EXPECT_NEAR(e[i], (v.adjoint() * dense * v)(0, 0).real(), 1e-13) << text;
      }
    }
  }
}

// A Pauli string gives <P> and <P>^2, each over its own range; the others one quantity.
TEST(Observables, MeasureNamesEachQuantityWithItsRange) {
  const StateMatrix s = one_state(ghz(2));
  const std::vector<quddpm::Observable> list = {
      {quddpm::ObservableKind::BasisFidelity, "00", "", 4},
      {quddpm::ObservableKind::Pauli, "", "Y0Y1", 5},
      {quddpm::ObservableKind::Magnetization, "", "", 6}};
  const auto values = quddpm::measure(list, s);
  ASSERT_EQ(values.size(), 4u);
  EXPECT_EQ(values[0].name, "basis_fidelity:00");
  EXPECT_EQ(values[1].name, "pauli:Y0Y1");
  EXPECT_EQ(values[2].name, "pauli_squared:Y0Y1");
  EXPECT_EQ(values[3].name, "magnetization");
  EXPECT_EQ(values[1].lo, -1.0);
  EXPECT_EQ(values[2].lo, 0.0);
  EXPECT_EQ(values[2].bins, 5);
  EXPECT_NEAR(values[1].values[0], -1.0, 1e-15);
  EXPECT_NEAR(values[2].values[0], 1.0, 1e-15);
}

TEST(Observables, BadPauliStringsAreRefusedSayingWhy) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "is empty"},        {"Z0Z0", "names qubit 0 twice"},
      {"Z3", "names qubit 3"}, {"A0", "found 'A' at position 0"},
      {"Z", "has no qubit"},   {"z0", "found 'z'"},
      {"Z0 Z1", "found ' '"},  {"Z00001", "beyond"}};
  for (const auto& [text, why] : cases) {
    try {
      quddpm::parse_pauli(text, 3);
      ADD_FAILURE() << text << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << text << ": " << e.what();
    }
  }
  EXPECT_EQ(quddpm::parse_pauli("Y2X0", 3), (std::vector<PauliFactor>{{'Y', 2}, {'X', 0}}));
  EXPECT_EQ(quddpm::parse_pauli("Z10", 11), (std::vector<PauliFactor>{{'Z', 10}}));
  EXPECT_FALSE(quddpm::bits_problem("012", 3).empty());
  EXPECT_FALSE(quddpm::bits_problem("01", 3).empty());
  EXPECT_TRUE(quddpm::bits_problem("010", 3).empty());
}

// Mean and population sd; bins of equal width with the upper edge in the last bin and values
// rounded past an end counted in the end bin.
TEST(Observables, MeanSdAndHistogramCountByDefinition) {
  quddpm::RealVector v(4);
  v << 0.0, 0.25, 0.5, 1.0;
  const quddpm::MeanSd m = quddpm::mean_sd(v);
  EXPECT_DOUBLE_EQ(m.mean, 0.4375);
  EXPECT_DOUBLE_EQ(
      m.sd, std::sqrt((0.4375 * 0.4375 + 0.1875 * 0.1875 + 0.0625 * 0.0625 + 0.5625 * 0.5625) / 4));
  EXPECT_EQ(quddpm::histogram(v, 0, 1, 4), (std::vector<long long>{1, 1, 1, 1}));
  EXPECT_EQ(quddpm::histogram(v, 0, 1, 2), (std::vector<long long>{2, 2}));
  quddpm::RealVector w(5);
  w << -1.0 - 1e-16, -1e-3, 0.0, 0.999, 1.0 + 1e-16;
  EXPECT_EQ(quddpm::histogram(w, -1, 1, 2), (std::vector<long long>{2, 3}));
  EXPECT_EQ(quddpm::histogram(w, -1, 1, 1), (std::vector<long long>{5}));
}

}  // namespace
