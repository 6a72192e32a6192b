// Ensemble distances (docs/model.md, section 6) against closed forms on hand-made ensembles,
// brute-force double loops, and the known law of Haar overlaps.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/ensemble_ops.hpp"
#include "core/kernels/kernel_table.hpp"
#include "core/parallel.hpp"
#include "model/ensembles.hpp"
#include "model/metrics.hpp"
#include "support/dense_reference.hpp"

namespace {

using dref::cplx;
using quddpm::StateMatrix;

const double kS = std::sqrt(0.5);

// Rows given by hand (normalized by the caller).
StateMatrix rows(std::initializer_list<std::initializer_list<cplx>> r) {
  const Eigen::Index n = static_cast<Eigen::Index>(r.size());
  const Eigen::Index d = static_cast<Eigen::Index>(r.begin()->size());
  StateMatrix s(n, d);
  Eigen::Index i = 0;
  for (const auto& row : r) {
    Eigen::Index x = 0;
    for (cplx v : row)
      s(i, x++) = v;
    ++i;
  }
  return s;
}

StateMatrix random_states(int n, int count, std::uint64_t seed) {
  dref::Source src(seed);
  StateMatrix s(count, Eigen::Index{1} << n);
  for (int i = 0; i < count; ++i)
    s.row(i) = src.state(n).transpose();
  return s;
}

// MMD by explicit double loops over all pairs (diagonals included).
double brute_mmd(const StateMatrix& a, const StateMatrix& b) {
  auto mean_sq = [](const StateMatrix& x, const StateMatrix& y) {
    double acc = 0;
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      for (Eigen::Index j = 0; j < y.rows(); ++j) {
        cplx ip = 0;
        for (Eigen::Index k = 0; k < x.cols(); ++k)
          ip += std::conj(x(i, k)) * y(j, k);
        acc += std::norm(ip);
      }
    return acc / static_cast<double>(x.rows() * y.rows());
  };
  return mean_sq(a, a) + mean_sq(b, b) - 2 * mean_sq(a, b);
}

TEST(MetricsClosedForm, MmdOfHandMadeSingleQubitSets) {
  const StateMatrix zero = rows({{1, 0}}), one = rows({{0, 1}});
  const StateMatrix plus = rows({{kS, kS}}), minus = rows({{kS, -kS}});
  EXPECT_NEAR(quddpm::mmd(zero, one), 2.0, 1e-15);
  EXPECT_NEAR(quddpm::mmd(zero, plus), 1.0, 1e-15);
  EXPECT_NEAR(quddpm::mmd(plus, minus), 2.0, 1e-15);
  // A = {|0>, |1>}, B = {|+>}: AA = (1+0+0+1)/4, BB = 1, AB = 1/2 -> 1/2 + 1 - 1 = 1/2.
  EXPECT_NEAR(quddpm::mmd(rows({{1, 0}, {0, 1}}), plus), 0.5, 1e-15);
  // A = {|0>, |+>}, B = {|1>, |->}: AA = BB = 3/4, AB = (0 + 1/2 + 1/2 + 0)/4 -> 1.
  EXPECT_NEAR(quddpm::mmd(rows({{1, 0}, {kS, kS}}), rows({{0, 1}, {kS, -kS}})), 1.0, 1e-15);
  // A = {|0>, |0>, |1>}, B = {|0>}: AA = (4 + 1)/9, BB = 1, AB = 2/3 -> 5/9 + 1 - 4/3 = 2/9.
  EXPECT_NEAR(quddpm::mmd(rows({{1, 0}, {1, 0}, {0, 1}}), zero), 2.0 / 9, 1e-15);
  // |+i> = (|0> + i|1>)/sqrt2 vs |+>: |<+|+i>|^2 = 1/2 -> 1 + 1 - 1 = 1.
  EXPECT_NEAR(quddpm::mmd(rows({{kS, cplx(0, kS)}}), plus), 1.0, 1e-15);
}

TEST(MetricsClosedForm, MmdOfTwoQubitSets) {
  // Bell |Phi+> vs |00>: |<00|Phi+>|^2 = 1/2 -> 1. Bell vs |01>: 0 overlap -> 2.
  const StateMatrix bell = rows({{kS, 0, 0, kS}});
  EXPECT_NEAR(quddpm::mmd(bell, rows({{1, 0, 0, 0}})), 1.0, 1e-15);
  EXPECT_NEAR(quddpm::mmd(bell, rows({{0, 1, 0, 0}})), 2.0, 1e-15);
  // {|00>, |11>} vs {Phi+}: AA = 1/2, BB = 1, AB = 1/2 -> 1/2.
  EXPECT_NEAR(quddpm::mmd(rows({{1, 0, 0, 0}, {0, 0, 0, 1}}), bell), 0.5, 1e-15);
}

TEST(MetricsClosedForm, MmdZeroOnSelfSymmetricAndPhaseBlind) {
  for (int n : {1, 3}) {
    const StateMatrix a = random_states(n, 17, 100 + n), b = random_states(n, 9, 200 + n);
    EXPECT_NEAR(quddpm::mmd(a, a), 0.0, 1e-14);
    EXPECT_NEAR(quddpm::mmd(a, b), quddpm::mmd(b, a), 1e-14);
    EXPECT_NEAR(quddpm::mmd(a, b), brute_mmd(a, b), 1e-13);
    EXPECT_GT(quddpm::mmd(a, b), 0.0);
    // Global phases per state do not matter.
    StateMatrix ap = a;
    dref::Source src(n);
    for (Eigen::Index i = 0; i < ap.rows(); ++i)
      ap.row(i) *= std::polar(1.0, src.uniform(0, 7));
    EXPECT_NEAR(quddpm::mmd(ap, b), quddpm::mmd(a, b), 1e-14);
    EXPECT_NEAR(quddpm::mmd(ap, a), 0.0, 1e-14);
    // Row order does not matter.
    StateMatrix rev = a.colwise().reverse();
    EXPECT_NEAR(quddpm::mmd(rev, b), quddpm::mmd(a, b), 1e-14);
  }
}

TEST(MetricsClosedForm, DifferentQubitCountsThrow) {
  const StateMatrix a = random_states(2, 3, 1), b = random_states(3, 3, 2);
  EXPECT_THROW(quddpm::mmd(a, b), std::invalid_argument);
  EXPECT_THROW(quddpm::kl_divergence(a, b), std::invalid_argument);
  EXPECT_THROW(quddpm::overlap_sq(a, b), std::invalid_argument);
  EXPECT_THROW(quddpm::mmd_to_haar(a.topRows(1)), std::invalid_argument);
}

TEST(MetricsClosedForm, OverlapsAndRowOps) {
  const StateMatrix a = random_states(3, 5, 7), b = random_states(3, 4, 8);
  const quddpm::RealMatrix g = quddpm::overlap_sq(a, b);
  ASSERT_EQ(g.rows(), 5);
  ASSERT_EQ(g.cols(), 4);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 4; ++j)
      EXPECT_NEAR(g(i, j), std::norm(a.row(i).dot(b.row(j))), 1e-15);
  StateMatrix c = 2.5 * a;
  c.row(1) *= cplx(0, 3);
  const quddpm::RealVector nr = quddpm::row_norms(c);
  EXPECT_NEAR(nr(0), 2.5, 1e-14);
  EXPECT_NEAR(nr(1), 7.5, 1e-14);
  quddpm::normalize_rows(c);
  for (int i = 0; i < 5; ++i)
    EXPECT_NEAR(c.row(i).norm(), 1.0, 1e-15);
  EXPECT_EQ(quddpm::qubits_of(a), 3);
  EXPECT_EQ(quddpm::qubits_of(StateMatrix(2, 1)), 0);
  EXPECT_THROW(quddpm::qubits_of(StateMatrix(2, 6)), std::invalid_argument);
  EXPECT_THROW(quddpm::qubits_of(StateMatrix(2, 0)), std::invalid_argument);
}

TEST(MetricsClosedForm, MmdToHaarOfCopiesIsOneMinusOneOverD) {
  for (int n = 1; n <= 5; ++n) {
    const StateMatrix one = random_states(n, 1, 50 + n);
    StateMatrix copies(20, one.cols());
    dref::Source src(n);
    // Copies up to a global phase are the same state.
    for (int i = 0; i < 20; ++i)
      copies.row(i) = one.row(0) * std::polar(1.0, src.uniform(0, 7));
    EXPECT_NEAR(quddpm::mmd_to_haar(copies), 1.0 - std::ldexp(1.0, -n), 1e-14) << n;
  }
  // Two orthogonal states: mean over i != i' is 0 -> -1/d.
  EXPECT_NEAR(quddpm::mmd_to_haar(rows({{1, 0}, {0, 1}})), -0.5, 1e-15);
  // {|0>, |+>, |->}: off-diagonal overlaps 1/2, 1/2, 0 (each twice) -> 1/3 - 1/2.
  EXPECT_NEAR(quddpm::mmd_to_haar(rows({{1, 0}, {kS, kS}, {kS, -kS}})), 1.0 / 3 - 0.5, 1e-15);
}

TEST(MetricsClosedForm, MmdToHaarBruteForce) {
  const StateMatrix a = random_states(3, 23, 9);
  double acc = 0;
  for (int i = 0; i < 23; ++i)
    for (int j = 0; j < 23; ++j)
      if (i != j) acc += std::norm(a.row(i).dot(a.row(j)));
  EXPECT_NEAR(quddpm::mmd_to_haar(a), acc / (23 * 22) - 1.0 / 8, 1e-14);
}

// For Haar states the off-diagonal mean is a U-statistic with kernel X = |<a|b>|^2; since
// E[X | a] = 1/d does not depend on a, its variance is 2 Var(X) / (N (N-1)) with
// Var(X) = (d-1) / (d^2 (d+1)). Tolerance: 5 standard deviations.
TEST(MetricsClosedForm, MmdToHaarOfHaarEnsembleNearZero) {
  constexpr int kN = 600;
  for (int n : {1, 2, 4, 6}) {
    const double d = std::ldexp(1.0, n);
    const double var_x = (d - 1) / (d * d * (d + 1));
    const double sd = std::sqrt(2 * var_x / (kN * (kN - 1.0)));
    // Both the project's Haar sampler and an independent one.
    EXPECT_NEAR(quddpm::mmd_to_haar(quddpm::make_haar(n, kN, 900 + n)), 0.0, 5 * sd) << n;
    EXPECT_NEAR(quddpm::mmd_to_haar(random_states(n, kN, 950 + n)), 0.0, 5 * sd) << n;
  }
}

TEST(MetricsClosedForm, BasisDistribution) {
  const StateMatrix s = rows({{1, 0, 0, 0}, {0.5, 0.5, cplx(0, 0.5), -0.5}});
  const quddpm::RealVector p = quddpm::basis_distribution(s);
  ASSERT_EQ(p.size(), 4);
  EXPECT_NEAR(p(0), (1 + 0.25) / 2, 1e-15);
  EXPECT_NEAR(p(1), 0.125, 1e-15);
  EXPECT_NEAR(p(2), 0.125, 1e-15);
  EXPECT_NEAR(p(3), 0.125, 1e-15);
  EXPECT_NEAR(p.sum(), 1.0, 1e-15);
}

TEST(MetricsClosedForm, KlOfIdenticalEnsemblesIsZero) {
  const StateMatrix a = random_states(3, 10, 3);
  EXPECT_EQ(quddpm::kl_divergence(a, a), 0.0);
  // Same basis distribution from different states (phases differ) -> 0 as well.
  StateMatrix b = a;
  b.col(2) *= cplx(0, 1);
  EXPECT_NEAR(quddpm::kl_divergence(a, b), 0.0, 1e-15);
}

TEST(MetricsClosedForm, KlWithSmoothing) {
  const double e = 1e-10;
  // Target {|0>}, model {|+>}: P_T = (1, 0), P_M = (1/2, 1/2), both smoothed by
  // P <- (P + e) / (1 + 2e).
  {
    const double z = 1 + 2 * e;
    const double t0 = (1 + e) / z, t1 = e / z, m0 = (0.5 + e) / z, m1 = (0.5 + e) / z;
    const double expect = t0 * std::log(t0 / m0) + t1 * std::log(t1 / m1);
    EXPECT_NEAR(quddpm::kl_divergence(rows({{1, 0}}), rows({{kS, kS}})), expect, 1e-14);
    EXPECT_NEAR(expect, std::log(2.0), 1e-8);  // sanity of the hand formula
  }
  // Target {|1>}, model {|0>}: KL = (t1 - t0) log((1 + e) / e) = log((1 + e) / e) / (1 + 2e).
  EXPECT_NEAR(quddpm::kl_divergence(rows({{0, 1}}), rows({{1, 0}})),
              std::log((1 + e) / e) / (1 + 2 * e), 1e-12);
  // Two qubits: target {|00>, |11>} -> P_T = (1/2, 0, 0, 1/2); model {|++>} -> (1/4, ...).
  {
    const double z = 1 + 4 * e;
    const double t = (0.5 + e) / z, t0 = e / z, m = (0.25 + e) / z;
    const double expect = 2 * t * std::log(t / m) + 2 * t0 * std::log(t0 / m);
    EXPECT_NEAR(
        quddpm::kl_divergence(rows({{1, 0, 0, 0}, {0, 0, 0, 1}}), rows({{0.5, 0.5, 0.5, 0.5}})),
        expect, 1e-14);
  }
  // KL is not symmetric: model {|00>, |11>}, target {|++>}.
  {
    const double z = 1 + 4 * e;
    const double t = (0.25 + e) / z, m = (0.5 + e) / z, m0 = e / z;
    const double expect = 2 * t * std::log(t / m) + 2 * t * std::log(t / m0);
    EXPECT_NEAR(
        quddpm::kl_divergence(rows({{0.5, 0.5, 0.5, 0.5}}), rows({{1, 0, 0, 0}, {0, 0, 0, 1}})),
        expect, 1e-12);
  }
}

// sum_ij |<a_i|b_j>|^2 in long double from the amplitudes, the same over i < j and over i = j
// (for a against itself), and the scale of the round-off of the sums in double:
// sum_ij (sum_x |a_ix| |b_jx|)^2, d eps of it (each overlap's error) and N^2 eps (the sums').
struct DenseSums {
  long double all = 0, upper = 0, diagonal = 0, scale = 0;
};
DenseSums dense_sums(const StateMatrix& a, const StateMatrix& b) {
  DenseSums s;
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < b.rows(); ++j) {
      long double re = 0, im = 0, abs = 0;
      for (Eigen::Index x = 0; x < a.cols(); ++x) {
        const cplx p = a(i, x), q = b(j, x);
        re += static_cast<long double>(p.real()) * q.real() +
              static_cast<long double>(p.imag()) * q.imag();
        im += static_cast<long double>(p.imag()) * q.real() -
              static_cast<long double>(p.real()) * q.imag();
        abs += static_cast<long double>(std::abs(p)) * std::abs(q);
      }
      const long double sq = re * re + im * im;
      s.all += sq;
      s.scale += abs * abs;
      if (i < j) s.upper += sq;
      if (i == j) s.diagonal += sq;
    }
  return s;
}

// The sums of squared overlaps with no matrix stored (overlap_sq_sum, self_overlap_sq_sum) and
// the metrics made of them against the long-double sums of the dense overlaps, on every kernel
// table this CPU runs, for ensembles around the 32-row blocks and the 512-row chunks.
TEST(OverlapSums, MatchDenseLongDoubleSumsOnEveryKernelTable) {
  struct Size {
    int n, na, nb;
  };
  const std::string before = quddpm::active_kernels().name;
  for (const quddpm::KernelTable* t : quddpm::supported_kernel_tables()) {
    quddpm::select_kernels(t->name);
    for (const Size z : {Size{0, 5, 3}, Size{1, 33, 31}, Size{3, 64, 65}, Size{2, 530, 600},
                         Size{5, 70, 513}, Size{7, 40, 97}}) {
      const StateMatrix a = random_states(z.n, z.na, 300 + z.n),
                        b = random_states(z.n, z.nb, 400 + z.n);
      const DenseSums ab = dense_sums(a, b), aa = dense_sums(a, a), bb = dense_sums(b, b);
      const long double d = static_cast<long double>(a.cols());
      const auto tol = [&](const DenseSums& s, long double pairs) {
        return 1e-15L * (d + pairs) * s.scale;
      };
      const std::string what = std::string(t->name) + " n=" + std::to_string(z.n) +
                               " N=" + std::to_string(z.na) + "," + std::to_string(z.nb);
      EXPECT_LE(std::abs(quddpm::overlap_sq_sum(a, b) - ab.all), tol(ab, z.na * z.nb)) << what;
      const quddpm::SelfOverlapSq self = quddpm::self_overlap_sq_sum(a);
      EXPECT_LE(std::abs(self.total() - aa.all), tol(aa, z.na * z.na)) << what;
      EXPECT_LE(std::abs(self.upper() - aa.upper), tol(aa, z.na * z.na)) << what;
      EXPECT_LE(std::abs(self.diagonal - aa.diagonal), tol(aa, z.na)) << what;
      const long double na = z.na, nb = z.nb;
      const long double mmd = aa.all / (na * na) + bb.all / (nb * nb) - 2 * ab.all / (na * nb);
      EXPECT_LE(std::abs(quddpm::mmd(a, b) - mmd), 1e-14L * (d + na + nb)) << what;
      if (z.na >= 2) {
        const long double to_haar = 2 * aa.upper / (na * (na - 1)) - 1 / d;
        EXPECT_LE(std::abs(quddpm::mmd_to_haar(a) - to_haar), 1e-14L * (d + na)) << what;
      }
    }
  }
  quddpm::select_kernels(before);
}

// mmd, mmd_to_haar and the sums they are made of are the same to the bit on 1 to 4 threads:
// each row of a is summed by one thread in a fixed order, the rows' sums then in a fixed order.
TEST(OverlapSums, SameBitsForAnyThreadCount) {
  for (int n : {2, 6}) {
    const StateMatrix a = quddpm::make_haar(n, 201, 4), b = quddpm::make_haar(n, 45, 5);
    std::vector<double> first;
    for (int threads : {1, 2, 3, 4}) {
      quddpm::par::set_max_threads(threads);
      const quddpm::SelfOverlapSq self = quddpm::self_overlap_sq_sum(a);
      const std::vector<double> v = {quddpm::mmd(a, b),
                                     quddpm::mmd(b, a),
                                     quddpm::mmd_to_haar(a),
                                     quddpm::overlap_sq_sum(a, b),
                                     self.across,
                                     self.within,
                                     self.diagonal};
      quddpm::par::set_max_threads(1);
      if (first.empty()) first = v;
      EXPECT_EQ(std::memcmp(v.data(), first.data(), v.size() * sizeof(double)), 0)
          << "n=" << n << ", " << threads << " threads";
    }
  }
}

}  // namespace
