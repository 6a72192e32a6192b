// Seeded ensembles (docs/model.md, section 2): normalization, thread-count independence, and their
// statistics against closed forms. Every statistical tolerance is 5 standard errors, with the
// standard error from a known variance or from the sample, over independent samples.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/ensemble_ops.hpp"
#include "core/kernels/kernel_table.hpp"
#include "core/parallel.hpp"
#include "model/ensembles.hpp"
#include "support/dense_reference.hpp"

namespace {

using dref::cplx;
using quddpm::StateMatrix;

constexpr double kSigmas = 5.0;

void expect_normalized(const StateMatrix& s) {
  for (Eigen::Index i = 0; i < s.rows(); ++i)
    ASSERT_NEAR(s.row(i).squaredNorm(), 1.0, 1e-12) << "row " << i;
}

TEST(EnsemblesNormalized, EveryKindEveryRow) {
  for (int n = 1; n <= 6; ++n) {
    SCOPED_TRACE(n);
    const StateMatrix h = quddpm::make_haar(n, 50, 1);
    const StateMatrix g = quddpm::make_ghz(n, 50, {}, 2);
    const StateMatrix c = quddpm::make_cluster(n, 50, {}, 3);
    for (const StateMatrix* s : {&h, &g, &c}) {
      EXPECT_EQ(s->rows(), 50);
      EXPECT_EQ(s->cols(), Eigen::Index{1} << n);
      expect_normalized(*s);
    }
  }
}

TEST(EnsemblesNormalized, RejectsBadArguments) {
  EXPECT_THROW(quddpm::make_haar(0, 5, 1), std::invalid_argument);
  EXPECT_THROW(quddpm::make_haar(31, 5, 1), std::invalid_argument);
  EXPECT_THROW(quddpm::make_haar(2, 0, 1), std::invalid_argument);
  EXPECT_THROW(quddpm::make_ghz(0, 5, {}, 1), std::invalid_argument);
  EXPECT_THROW(quddpm::make_cluster(2, 0, {}, 1), std::invalid_argument);
}

TEST(EnsemblesDeterministic, SameSeedSameEnsembleWhateverThreads) {
  for (int n : {1, 3, 5}) {
    StateMatrix h1, g1, c1, h2, g2, c2;
    {
      dref::ThreadsGuard t(1);
      h1 = quddpm::make_haar(n, 37, 42);
      g1 = quddpm::make_ghz(n, 37, {}, 42);
      c1 = quddpm::make_cluster(n, 37, {}, 42);
    }
    {
      dref::ThreadsGuard t(2);
      h2 = quddpm::make_haar(n, 37, 42);
      g2 = quddpm::make_ghz(n, 37, {}, 42);
      c2 = quddpm::make_cluster(n, 37, {}, 42);
    }
    EXPECT_EQ(h1, h2) << n;
    EXPECT_EQ(g1, g2) << n;
    EXPECT_EQ(c1, c2) << n;
    // A row depends only on (seed, index): a smaller ensemble is a prefix of a larger one.
    EXPECT_EQ(quddpm::make_haar(n, 10, 42), h1.topRows(10)) << n;
    // Another seed gives another ensemble.
    EXPECT_NE(quddpm::make_haar(n, 37, 43), h1) << n;
  }
}

// Haar: for independent Haar a, b in dimension d, X = |<a|b>|^2 ~ Beta(1, d-1), so
// E[X^k] = k! / (d (d+1) ... (d+k-1)). Disjoint pairs (2k, 2k+1) give independent samples.
TEST(HaarStatistics, OverlapMomentsOfDisjointPairs) {
  constexpr int kStates = 6000;
  for (int n = 1; n <= 5; ++n) {
    const double d = std::ldexp(1.0, n);
    const StateMatrix s = quddpm::make_haar(n, kStates, 1000 + n);
    const int pairs = kStates / 2;
    double m1 = 0, m2 = 0;
    for (int k = 0; k < pairs; ++k) {
      const double x = std::norm(s.row(2 * k).dot(s.row(2 * k + 1)));
      m1 += x;
      m2 += x * x;
    }
    m1 /= pairs;
    m2 /= pairs;
    const double e1 = 1 / d, e2 = 2 / (d * (d + 1));
    const double e4 = 24 / (d * (d + 1) * (d + 2) * (d + 3));
    const double se1 = std::sqrt((e2 - e1 * e1) / pairs);
    const double se2 = std::sqrt((e4 - e2 * e2) / pairs);
    EXPECT_NEAR(m1, e1, kSigmas * se1) << "n=" << n;
    EXPECT_NEAR(m2, e2, kSigmas * se2) << "n=" << n;
  }
}

// Amplitudes of a Haar state are circularly symmetric: E[psi_x] = 0, E[psi_x^2] = 0, and
// E|psi_x|^2 = 1/d. Distinct amplitudes are uncorrelated, so the N d values average freely:
// Var(Re psi_x) = 1/(2d), Var(Re psi_x^2) = E|psi_x|^4 / 2 = 1/(d(d+1)),
// Var|psi_x|^2 = (d-1)/(d^2 (d+1)) (that one is correlated across x: use N, not N d).
TEST(HaarStatistics, AmplitudesCircularlySymmetric) {
  constexpr int kStates = 4000;
  for (int n = 1; n <= 4; ++n) {
    const double d = std::ldexp(1.0, n);
    const StateMatrix s = quddpm::make_haar(n, kStates, 77 + n);
    const double count = kStates * d;
    const cplx m1 = s.sum() / count;
    const cplx m2 = s.array().square().sum() / count;
    const double se1 = std::sqrt(1 / (2 * d) / count);
    const double se2 = std::sqrt(1 / (d * (d + 1)) / count);
    EXPECT_NEAR(m1.real(), 0, kSigmas * se1) << n;
    EXPECT_NEAR(m1.imag(), 0, kSigmas * se1) << n;
    EXPECT_NEAR(m2.real(), 0, kSigmas * se2) << n;
    EXPECT_NEAR(m2.imag(), 0, kSigmas * se2) << n;
    // |psi_0|^2 alone (one value per state, independent across states).
    const double p0 = s.col(0).cwiseAbs2().mean();
    EXPECT_NEAR(p0, 1 / d, kSigmas * std::sqrt((d - 1) / (d * d * (d + 1)) / kStates)) << n;
  }
}

// Cluster: psi ∝ |0..0> + sigma z with sigma = scale / sqrt(2^n - 1), so psi_x / psi_0 = sigma z_x
// exactly for x >= 1, with z_x i.i.d. standard complex normal: |sigma z|^2 ~ sigma^2 Exp(1)
// (mean and sd sigma^2).
TEST(ClusterStatistics, RatiosToFirstAmplitudeAreScaledNormals) {
  constexpr int kStates = 3000;
  for (double scale : {0.24, 0.5}) {
    for (int n : {1, 3, 6}) {
      SCOPED_TRACE(testing::Message() << "scale=" << scale << " n=" << n);
      quddpm::ClusterParams p;
      p.scale = scale;
      const StateMatrix s = quddpm::make_cluster(n, kStates, p, 5);
      const Eigen::Index d = s.cols();
      std::vector<double> mag2;
      cplx sum = 0, sum_sq = 0;
      for (Eigen::Index i = 0; i < s.rows(); ++i) {
        ASSERT_GT(s(i, 0).real(), 0);
        ASSERT_EQ(s(i, 0).imag(), 0);
        for (Eigen::Index x = 1; x < d; ++x) {
          const cplx r = s(i, x) / s(i, 0);
          mag2.push_back(std::norm(r));
          sum += r;
          sum_sq += r * r;
        }
      }
      const double count = static_cast<double>(mag2.size());
      const dref::MeanSe m = dref::mean_se(mag2);
      const double s2 = scale * scale / static_cast<double>(d - 1);
      EXPECT_NEAR(m.mean, s2, kSigmas * s2 / std::sqrt(count));  // known sd: sigma^2
      // Mean of sigma z: 0 with per-component variance sigma^2/2; of (sigma z)^2: 0, var
      // sigma^4/2.
      EXPECT_NEAR(std::abs(sum / count), 0, kSigmas * std::sqrt(s2 / count));
      EXPECT_NEAR(std::abs(sum_sq / count), 0, kSigmas * s2 * std::sqrt(1.0 / count));
    }
  }
}

// Noise-free GHZ: exactly cos(theta/2)|0..0> + e^{i phi} sin(theta/2)|1..1>, with theta and phi
// uniform on their ranges (mean = midpoint, variance = range^2 / 12).
TEST(GhzStatistics, NoiseFreeStatesHaveUniformAngles) {
  constexpr int kStates = 3000;
  quddpm::GhzParams p;
  p.theta_min = 0.2;
  p.theta_max = 1.4;
  p.phi_min = 0.5;
  p.phi_max = 2.0;
  p.noise = 0.0;
  for (int n : {1, 2, 4}) {
    SCOPED_TRACE(n);
    const StateMatrix s = quddpm::make_ghz(n, kStates, p, 9);
    const Eigen::Index d = s.cols();
    std::vector<double> th, ph;
    for (Eigen::Index i = 0; i < s.rows(); ++i) {
      for (Eigen::Index x = 1; x + 1 < d; ++x)
        ASSERT_EQ(s(i, x), cplx(0));
      ASSERT_LT(std::abs(s(i, 0).imag()), 1e-15);
      const double theta = 2 * std::atan2(std::abs(s(i, d - 1)), s(i, 0).real());
      const double phi = std::arg(s(i, d - 1));
      ASSERT_GE(theta, p.theta_min - 1e-12);
      ASSERT_LE(theta, p.theta_max + 1e-12);
      ASSERT_GE(phi, p.phi_min - 1e-12);
      ASSERT_LE(phi, p.phi_max + 1e-12);
      th.push_back(theta);
      ph.push_back(phi);
    }
    const double wt = p.theta_max - p.theta_min, wp = p.phi_max - p.phi_min;
    EXPECT_NEAR(dref::mean_se(th).mean, (p.theta_min + p.theta_max) / 2,
                kSigmas * wt / std::sqrt(12.0 * kStates));
    EXPECT_NEAR(dref::mean_se(ph).mean, (p.phi_min + p.phi_max) / 2,
                kSigmas * wp / std::sqrt(12.0 * kStates));
    // Second moment about the midpoint: E[u^2] = w^2/12, Var(u^2) = w^4/180 - w^4/144.
    double v = 0;
    for (double t : th)
      v += std::pow(t - (p.theta_min + p.theta_max) / 2, 2);
    v /= kStates;
    EXPECT_NEAR(v, wt * wt / 12, kSigmas * wt * wt * std::sqrt((1.0 / 80 - 1.0 / 144) / kStates));
  }
}

// Small noise: mean |<0..0|psi>|^2 is E[cos^2(theta/2)] = 1/2 + (sin tmax - sin tmin) /
// (2 (tmax - tmin)) up to a noise bias of order noise^2 (bounded here by 10 noise^2): the noise
// vector's squared norm is noise^2 in expectation whatever n.
TEST(GhzStatistics, SmallNoiseWeightOnAllZeros) {
  constexpr int kStates = 4000;
  quddpm::GhzParams p;
  p.theta_min = 0.3;
  p.theta_max = 1.5;
  p.noise = 1e-3;
  for (int n : {1, 3, 5}) {
    const StateMatrix s = quddpm::make_ghz(n, kStates, p, 21);
    std::vector<double> w0(kStates), w1(kStates);
    for (int i = 0; i < kStates; ++i) {
      w0[i] = std::norm(s(i, 0));
      w1[i] = std::norm(s(i, s.cols() - 1));
    }
    const double e0 =
        0.5 + (std::sin(p.theta_max) - std::sin(p.theta_min)) / (2 * (p.theta_max - p.theta_min));
    const double bias = 10 * p.noise * p.noise;
    const dref::MeanSe m0 = dref::mean_se(w0), m1 = dref::mean_se(w1);
    EXPECT_NEAR(m0.mean, e0, kSigmas * m0.se + bias) << n;
    EXPECT_NEAR(m1.mean, 1 - e0, kSigmas * m1.se + bias) << n;
  }
}

// Default GHZ parameters against an independent sampler of the law of docs/model.md
// (std::mt19937_64): the per-state weights on |0..0>, on |1..1> and on the rest agree within a
// two-sample test.
TEST(GhzStatistics, DefaultLawMatchesIndependentSampler) {
  constexpr int kStates = 4000;
  const quddpm::GhzParams p;
  EXPECT_DOUBLE_EQ(p.theta_min, M_PI / 2 - 0.3);
  EXPECT_DOUBLE_EQ(p.theta_max, M_PI / 2 + 0.3);
  EXPECT_DOUBLE_EQ(p.phi_min, -0.3);
  EXPECT_DOUBLE_EQ(p.phi_max, 0.3);
  EXPECT_DOUBLE_EQ(p.noise, 0.08);
  for (int n : {2, 4, 7}) {
    SCOPED_TRACE(n);
    const Eigen::Index d = Eigen::Index{1} << n;
    const StateMatrix s = quddpm::make_ghz(n, kStates, p, 31);
    dref::Source src(500 + n);
    std::vector<double> a[3], b[3];
    for (int i = 0; i < kStates; ++i) {
      const double theta = src.uniform(p.theta_min, p.theta_max);
      const double phi = src.uniform(p.phi_min, p.phi_max);
      dref::Vec v(d);
      for (Eigen::Index x = 0; x < d; ++x)
        v(x) = p.noise / std::sqrt(static_cast<double>(d)) * src.complex_normal();
      v(0) += std::cos(theta / 2);
      v(d - 1) += std::polar(std::sin(theta / 2), phi);
      v /= v.norm();
      const double lib0 = std::norm(s(i, 0)), lib1 = std::norm(s(i, d - 1));
      a[0].push_back(lib0);
      a[1].push_back(lib1);
      a[2].push_back(1 - lib0 - lib1);
      b[0].push_back(std::norm(v(0)));
      b[1].push_back(std::norm(v(d - 1)));
      b[2].push_back(1 - std::norm(v(0)) - std::norm(v(d - 1)));
    }
    for (int k = 0; k < 3; ++k) {
      const dref::MeanSe ma = dref::mean_se(a[k]), mb = dref::mean_se(b[k]);
      EXPECT_NEAR(ma.mean, mb.mean, kSigmas * std::hypot(ma.se, mb.se)) << "statistic " << k;
    }
  }
}

// n = 1: a cluster on the Bloch sphere around +x. Noise-free, the Bloch vector is
// (sin t cos f, sin t sin f, cos t): every <X> >= cos(0.3)^2, and E<X> = (sin(0.3)/0.3)^2.
TEST(GhzStatistics, SingleQubitIsBlochCluster) {
  constexpr int kStates = 3000;
  quddpm::GhzParams p;
  p.noise = 0.0;
  const StateMatrix s = quddpm::make_ghz(1, kStates, p, 3);
  std::vector<double> bx(kStates), by(kStates), bz(kStates);
  for (int i = 0; i < kStates; ++i) {
    const cplx a = s(i, 0), b = s(i, 1);
    bx[i] = 2 * (std::conj(a) * b).real();
    by[i] = 2 * (std::conj(a) * b).imag();
    bz[i] = std::norm(a) - std::norm(b);
    ASSERT_GE(bx[i], std::pow(std::cos(0.3), 2) - 1e-12);
  }
  const double ex = std::pow(std::sin(0.3) / 0.3, 2);
  const dref::MeanSe mx = dref::mean_se(bx), my = dref::mean_se(by), mz = dref::mean_se(bz);
  EXPECT_NEAR(mx.mean, ex, kSigmas * mx.se);
  EXPECT_NEAR(my.mean, 0, kSigmas * my.se);
  EXPECT_NEAR(mz.mean, 0, kSigmas * mz.se);

  // With the default noise the states stay clustered: the mean Bloch vector moves by at most
  // a noise bias of order d noise^2 (bounded by 10 d noise^2) besides sampling error.
  const quddpm::GhzParams dflt;
  const StateMatrix sn = quddpm::make_ghz(1, kStates, dflt, 4);
  std::vector<double> nx(kStates);
  for (int i = 0; i < kStates; ++i)
    nx[i] = 2 * (std::conj(sn(i, 0)) * sn(i, 1)).real();
  const dref::MeanSe mn = dref::mean_se(nx);
  EXPECT_NEAR(mn.mean, ex, kSigmas * mn.se + 10 * 2 * dflt.noise * dflt.noise);
}

// circle: phi ~ U[0, 2 pi) gives <Z> = cos 2phi and <X> = sin 2phi, uniform on the great circle of
// the XZ plane: E<X> = E<Z> = E<X Z> = 0, E<X>^2 = E<Z>^2 = 1/2 (variance of each square
// E sin^4 - 1/4 = 1/8), and <Y> = 0 for every state (real amplitudes).
TEST(CircleStatistics, BlochVectorsUniformOnTheXzGreatCircle) {
  constexpr int kStates = 8000;
  const StateMatrix s = quddpm::make_circle(kStates, 31);
  ASSERT_EQ(s.cols(), 2);
  expect_normalized(s);
  std::vector<double> x(kStates), z(kStates), x2(kStates), z2(kStates), xz(kStates);
  for (int i = 0; i < kStates; ++i) {
    const cplx a = s(i, 0), b = s(i, 1);
    EXPECT_EQ(a.imag(), 0.0);
    EXPECT_EQ(b.imag(), 0.0);
    EXPECT_EQ(2 * std::imag(std::conj(a) * b), 0.0) << "<Y> of state " << i;
    x[i] = 2 * std::real(std::conj(a) * b);
    z[i] = std::norm(a) - std::norm(b);
    x2[i] = x[i] * x[i];
    z2[i] = z[i] * z[i];
    xz[i] = x[i] * z[i];
  }
  const double se1 = std::sqrt(0.5 / kStates), se2 = std::sqrt(0.125 / kStates);
  EXPECT_NEAR(dref::mean_se(x).mean, 0, kSigmas * se1);
  EXPECT_NEAR(dref::mean_se(z).mean, 0, kSigmas * se1);
  EXPECT_NEAR(dref::mean_se(x2).mean, 0.5, kSigmas * se2);
  EXPECT_NEAR(dref::mean_se(z2).mean, 0.5, kSigmas * se2);
  EXPECT_NEAR(dref::mean_se(xz).mean, 0, kSigmas * se2);  // E sin^2 2phi cos^2 2phi = 1/8
  // phi covers the whole circle: each quadrant of (x, z) holds about a quarter.
  for (int q = 0; q < 4; ++q) {
    int count = 0;
    for (int i = 0; i < kStates; ++i)
      count += (x[i] >= 0) == (q % 2 == 0) && (z[i] >= 0) == (q / 2 == 0);
    EXPECT_NEAR(count / double(kStates), 0.25, kSigmas * std::sqrt(0.1875 / kStates)) << q;
  }
}

// tfim at n = 2 (open chain): the ground state is proportional to (2g, sqrt(1 + 4g^2) - 1) on
// ((|00> + |11>)/sqrt 2, (|01> + |10>)/sqrt 2), so r = psi_01 / psi_00 gives g = r / (1 - r^2)
// back. The recovered fields are U[g_min, g_max]: mean and variance against the uniform law.
TEST(TfimStatistics, RecoveredFieldsAreUniform) {
  constexpr int kStates = 3000;
  const quddpm::TfimParams p{quddpm::TfimBoundary::Open, 0.1, 2.0};
  const StateMatrix s = quddpm::make_tfim(2, kStates, p, 8);
  expect_normalized(s);
  std::vector<double> g(kStates), dev2(kStates);
  const double mid = (p.g_min + p.g_max) / 2, width = p.g_max - p.g_min;
  for (int i = 0; i < kStates; ++i) {
    const double r = s(i, 1).real() / s(i, 0).real();
    g[i] = r / (1 - r * r);
    ASSERT_GE(g[i], p.g_min - 1e-9);
    ASSERT_LE(g[i], p.g_max + 1e-9);
    dev2[i] = (g[i] - mid) * (g[i] - mid);
  }
  // U[lo, hi]: variance w^2/12; (g - mid)^2 has mean w^2/12 and variance w^4/180.
  EXPECT_NEAR(dref::mean_se(g).mean, mid, kSigmas * width / std::sqrt(12.0 * kStates));
  EXPECT_NEAR(dref::mean_se(dev2).mean, width * width / 12,
              kSigmas * width * width / std::sqrt(180.0 * kStates));
}

TEST(EnsemblesDeterministic, TfimAndCircleWhateverThreads) {
  const quddpm::TfimParams p{quddpm::TfimBoundary::Periodic, 0.5, 1.5};
  for (int n : {4, 7}) {  // the dense solver and Lanczos
    StateMatrix t1, t2;
    {
      dref::ThreadsGuard guard(1);
      t1 = quddpm::make_tfim(n, 9, p, 4);
    }
    {
      dref::ThreadsGuard guard(2);
      t2 = quddpm::make_tfim(n, 9, p, 4);
    }
    EXPECT_EQ(t1, t2) << n;
    EXPECT_EQ(quddpm::make_tfim(n, 4, p, 4), t1.topRows(4)) << n;
  }
  StateMatrix c1, c2;
  {
    dref::ThreadsGuard guard(1);
    c1 = quddpm::make_circle(50, 4);
  }
  {
    dref::ThreadsGuard guard(2);
    c2 = quddpm::make_circle(50, 4);
  }
  EXPECT_EQ(c1, c2);
  EXPECT_THROW(quddpm::make_tfim(17, 2, p, 1), std::invalid_argument);
  EXPECT_THROW(quddpm::make_tfim(3, 2, {quddpm::TfimBoundary::Open, 1.0, 0.5}, 1),
               std::invalid_argument);
}

}  // namespace

// self_gram(a) computes the upper half of a a^dagger and mirrors it: the same bits as
// gram(a, a), on every kernel table and on one and two threads; gathered from shards of rows
// (self_gram_upper_rows, then mirror_upper) as well.
TEST(EnsembleProducts, SelfGramIsGramWithItselfBitForBit) {
  const std::string before = quddpm::active_kernels().name;
  for (const quddpm::KernelTable* t : quddpm::supported_kernel_tables()) {
    quddpm::select_kernels(t->name);
    for (int n : {1, 2, 5, 10})
      for (int rows : {1, 4, 7, 37}) {
        const StateMatrix a = quddpm::make_haar(n, rows, 3 + rows);
        const StateMatrix full = quddpm::gram(a, a);
        for (int threads : {1, 2}) {
          quddpm::par::set_max_threads(threads);
          const StateMatrix half = quddpm::self_gram(a);
          StateMatrix pieces = StateMatrix::Zero(rows, rows);
          quddpm::self_gram_upper_rows(a, 0, rows / 2, pieces);
          quddpm::self_gram_upper_rows(a, rows / 2, rows, pieces);
          quddpm::mirror_upper(pieces);
          quddpm::par::set_max_threads(1);
          const auto bytes = [](const StateMatrix& m) {
            return std::string(reinterpret_cast<const char*>(m.data()), m.size() * sizeof(cplx));
          };
          EXPECT_EQ(bytes(half), bytes(full)) << t->name << " n=" << n << " rows=" << rows;
          EXPECT_EQ(bytes(pieces), bytes(full)) << t->name << " n=" << n << " rows=" << rows;
        }
      }
  }
  quddpm::select_kernels(before);
  StateMatrix wrong(3, 4);
  EXPECT_THROW(quddpm::self_gram_upper_rows(quddpm::make_haar(2, 3, 1), 0, 3, wrong),
               std::invalid_argument);
}

// gram(a, b) is Eigen's a b^dagger to round-off, and combine(c, rows) is c rows; both are the
// same bits on one and two threads (each row is summed by one thread in a fixed order).
TEST(EnsembleProducts, MatchEigenAndIgnoreTheThreadCount) {
  for (int n : {1, 3, 6, 9}) {
    const StateMatrix a = quddpm::make_haar(n, 37, 1), b = quddpm::make_haar(n, 23, 2);
    quddpm::par::set_max_threads(1);
    const StateMatrix g1 = quddpm::gram(a, b);
    const StateMatrix c1 = quddpm::combine(g1, b);
    quddpm::par::set_max_threads(2);
    const StateMatrix g2 = quddpm::gram(a, b);
    const StateMatrix c2 = quddpm::combine(g1, b);
    quddpm::par::set_max_threads(1);
    const Eigen::MatrixXcd ge = a * b.adjoint();
    EXPECT_LT((g1 - ge).cwiseAbs().maxCoeff(), 1e-13) << "n=" << n;
    const Eigen::MatrixXcd ce = ge * b;
    EXPECT_LT((c1 - ce).cwiseAbs().maxCoeff(), 1e-12) << "n=" << n;
    EXPECT_TRUE(g1 == g2) << "n=" << n;
    EXPECT_TRUE(c1 == c2) << "n=" << n;
    EXPECT_THROW(quddpm::gram(a, quddpm::make_haar(n + 1, 2, 3)), std::invalid_argument);
  }
}
