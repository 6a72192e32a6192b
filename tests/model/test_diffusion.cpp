// Forward diffusion (docs/model.md, section 3): one step against a dense construction, the chain's
// structure, determinism, and its statistics against an independent dense sampler.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "model/diffusion.hpp"
#include "model/ensembles.hpp"
#include "model/metrics.hpp"
#include "support/dense_reference.hpp"

namespace {

using dref::cplx;
using dref::Mat;
using dref::Vec;
using quddpm::StateMatrix;

constexpr double kSigmas = 5.0;

// Dense unitary of one step: on each data qubit RZ(h a1) first, then RY(h a2), then RZ(h a3);
// then RZZ(h g / (2 sqrt n)) on every pair i < j (for n >= 2).
Mat dense_step(int n, double h, const std::vector<double>& a, double g) {
  const std::size_t d = quddpm::dim_of(n);
  Mat u = Mat::Identity(d, d);
  for (int q = 0; q < n; ++q) {
    const Mat local =
        dref::rz(h * a[3 * q + 2]) * dref::ry(h * a[3 * q + 1]) * dref::rz(h * a[3 * q]);
    u = dref::on_qubit(n, q, local) * u;
  }
  if (n >= 2) {
    const double angle = h * g / (2 * std::sqrt(static_cast<double>(n)));
    for (int i = 0; i < n; ++i)
      for (int j = i + 1; j < n; ++j)
        u = dref::rzz(n, i, j, angle) * u;
  }
  return u;
}

// Angles of the law of docs/model.md drawn from an independent generator.
void draw_angles(dref::Source& src, int n, std::vector<double>& a, double& g) {
  a.resize(3 * n);
  for (double& x : a)
    x = src.uniform(-M_PI / 8, M_PI / 8);
  g = src.uniform(0.4, 0.6);
}

TEST(DiffusionChain, StepMatchesDenseConstruction) {
  dref::Source src(1);
  for (int n = 1; n <= 5; ++n) {
    for (int k = 0; k < 4; ++k) {
      // Angles beyond docs/model.md's ranges too: the step is a fixed function of (h, a, g).
      std::vector<double> a(3 * n);
      for (double& x : a)
        x = src.uniform(-2.0, 2.0);
      const double g = src.uniform(-1.0, 1.0);
      const double h = src.uniform(0.1, 4.0);
      const Vec psi = src.state(n);
      std::vector<cplx> v = dref::to_std(psi);
      quddpm::diffusion_step(v.data(), n, h, a.data(), g);
      const Vec expect = dense_step(n, h, a, g) * psi;
      EXPECT_LT(dref::max_abs_diff(dref::to_vec(v), expect), 1e-12) << "n=" << n;
      EXPECT_NEAR(dref::to_vec(v).squaredNorm(), 1.0, 1e-12);
    }
  }
}

TEST(DiffusionChain, SingleQubitStepIsRzRyRz) {
  // n = 1: no RZZ, whatever g.
  const std::vector<double> a = {0.3, -0.2, 0.1};
  const Vec psi = dref::Source(2).state(1);
  std::vector<cplx> v = dref::to_std(psi);
  quddpm::diffusion_step(v.data(), 1, 1.7, a.data(), 0.5);
  const Vec expect = dref::rz(1.7 * 0.1) * dref::ry(1.7 * -0.2) * dref::rz(1.7 * 0.3) * psi;
  EXPECT_LT(dref::max_abs_diff(dref::to_vec(v), expect), 1e-12);
}

TEST(DiffusionChain, LinearSchedule) {
  const std::vector<double> h = quddpm::linear_schedule(0.5, 4.0, 30);
  ASSERT_EQ(h.size(), 30u);
  EXPECT_DOUBLE_EQ(h.front(), 0.5);
  EXPECT_DOUBLE_EQ(h.back(), 4.0);
  for (int t = 1; t <= 30; ++t)
    EXPECT_NEAR(h[t - 1], 0.5 + 3.5 * (t - 1) / 29.0, 1e-15);
  // One step has the end's strength, so a schedule's end means the same at every T.
  const std::vector<double> one = quddpm::linear_schedule(0.7, 2.0, 1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], 2.0);
  const std::vector<double> two = quddpm::linear_schedule(0.1, 0.3, 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_DOUBLE_EQ(two[0], 0.1);
  EXPECT_DOUBLE_EQ(two[1], 0.3);
  EXPECT_THROW(quddpm::linear_schedule(0.5, 4.0, 0), std::invalid_argument);
}

// h_t = scale t^2 with scale = end / T^2: h_T = end, and h_t / h_1 = t^2.
TEST(DiffusionChain, QuadraticSchedule) {
  const std::vector<double> h = quddpm::quadratic_schedule(3.0, 20);
  ASSERT_EQ(h.size(), 20u);
  EXPECT_EQ(h.back(), 3.0);
  for (int t = 1; t <= 20; ++t) {
    EXPECT_DOUBLE_EQ(h[t - 1], 3.0 / 400 * t * t) << t;
    EXPECT_DOUBLE_EQ(h[t - 1] / h[0], static_cast<double>(t * t)) << t;
  }
  EXPECT_EQ(quddpm::quadratic_schedule(0.7, 1), std::vector<double>{0.7});
  EXPECT_THROW(quddpm::quadratic_schedule(1.0, 0), std::invalid_argument);
}

TEST(DiffusionChain, ZeroScheduleIsIdentity) {
  for (int n : {1, 2, 4}) {
    const StateMatrix s0 = quddpm::make_haar(n, 20, 3);
    const std::vector<double> h(3, 0.0);
    const std::vector<StateMatrix> chain = quddpm::diffuse_chain(s0, h, 5);
    ASSERT_EQ(chain.size(), 4u);
    for (const StateMatrix& s : chain)
      EXPECT_LT((s - s0).cwiseAbs().maxCoeff(), 1e-15) << n;
    EXPECT_LT((quddpm::diffuse_to_end(s0, h, 5) - s0).cwiseAbs().maxCoeff(), 1e-15) << n;
  }
}

TEST(DiffusionChain, ShapesNormsAndEndpoint) {
  const StateMatrix s0 = quddpm::make_ghz(3, 40, {}, 4);
  const std::vector<double> h = quddpm::linear_schedule(0.5, 4.0, 7);
  const std::vector<StateMatrix> chain = quddpm::diffuse_chain(s0, h, 9);
  ASSERT_EQ(chain.size(), h.size() + 1);
  EXPECT_EQ(chain[0], s0);
  for (const StateMatrix& s : chain) {
    ASSERT_EQ(s.rows(), s0.rows());
    ASSERT_EQ(s.cols(), s0.cols());
    for (Eigen::Index i = 0; i < s.rows(); ++i)
      EXPECT_NEAR(s.row(i).squaredNorm(), 1.0, 1e-12);
  }
  for (std::size_t t = 1; t < chain.size(); ++t)
    EXPECT_NE(chain[t], chain[t - 1]) << t;
  EXPECT_EQ(quddpm::diffuse_to_end(s0, h, 9), chain.back());
  // Another seed, other angles.
  EXPECT_NE(quddpm::diffuse_to_end(s0, h, 10), chain.back());
}

TEST(DiffusionChain, IdenticalWithOneAndTwoThreads) {
  const StateMatrix s0 = quddpm::make_ghz(4, 33, {}, 6);
  const std::vector<double> h = quddpm::linear_schedule(0.5, 4.0, 5);
  std::vector<StateMatrix> c1, c2;
  StateMatrix e1, e2;
  {
    dref::ThreadsGuard t(1);
    c1 = quddpm::diffuse_chain(s0, h, 11);
    e1 = quddpm::diffuse_to_end(s0, h, 11);
  }
  {
    dref::ThreadsGuard t(2);
    c2 = quddpm::diffuse_chain(s0, h, 11);
    e2 = quddpm::diffuse_to_end(s0, h, 11);
  }
  ASSERT_EQ(c1.size(), c2.size());
  for (std::size_t t = 0; t < c1.size(); ++t)
    EXPECT_EQ(c1[t], c2[t]) << t;
  EXPECT_EQ(e1, e2);
}

// Each step is a product of rotations exp(-i th P/2) with |th| <= h pi/8 (one-qubit) and
// |th| <= h 0.6 / (2 sqrt n) (RZZ); ||exp(-i th P/2) - I|| = 2 |sin(th/4)|, so with eps the
// sum of these, |<psi|U psi>| >= Re<psi|U psi> = 1 - ||(U - I) psi||^2 / 2 >= 1 - eps^2 / 2.
// S_t follows from S_{t-1} by one small step (the Markov chain of docs/model.md, section 3).
TEST(DiffusionChain, ConsecutiveEnsemblesOneBoundedStepApart) {
  for (int n : {1, 2, 3}) {
    const double h = 0.1;
    const double eps = 3 * n * 2 * std::sin(h * M_PI / 8 / 4) +
                       n * (n - 1) / 2.0 * 2 * std::sin(h * 0.6 / (2 * std::sqrt(n)) / 4);
    const double min_fid = std::pow(1 - eps * eps / 2, 2);
    const StateMatrix s0 = quddpm::make_haar(n, 200, 12);
    const std::vector<StateMatrix> chain = quddpm::diffuse_chain(s0, std::vector<double>(5, h), 13);
    for (std::size_t t = 1; t < chain.size(); ++t)
      for (Eigen::Index i = 0; i < s0.rows(); ++i)
        ASSERT_GE(std::norm(chain[t - 1].row(i).dot(chain[t].row(i))), min_fid - 1e-12)
            << "n=" << n << " t=" << t << " i=" << i;
  }
}

// The chain's law against an independent dense sampler of docs/model.md, section 3 (std::mt19937_64
// angles, dense step matrices): per-state statistics of S_T agree within a two-sample test.
// Input |+>^n makes both the Z rotations and the RZZ coupling visible.
TEST(DiffusionChain, LawMatchesIndependentDenseSampler) {
  constexpr int kStates = 3000;
  for (int n : {1, 2, 3}) {
    SCOPED_TRACE(n);
    const std::size_t d = quddpm::dim_of(n);
    const Vec plus = Vec::Constant(d, 1.0 / std::sqrt(static_cast<double>(d)));
    const std::vector<double> h = quddpm::linear_schedule(1.0, 2.5, 3);
    StateMatrix s0(kStates, d);
    for (int i = 0; i < kStates; ++i)
      s0.row(i) = plus.transpose();
    const StateMatrix lib = quddpm::diffuse_to_end(s0, h, 14);

    dref::Source src(15 + n);
    const Mat x0 = dref::on_qubit(n, 0, dref::pauli_x());
    const Mat zz = n >= 2 ? dref::on_two(n, 0, dref::pauli_z(), 1, dref::pauli_z()) : Mat();
    std::vector<double> stat_lib[3], stat_ref[3];
    std::vector<double> a;
    double g = 0;
    for (int i = 0; i < kStates; ++i) {
      Vec v = plus;
      for (double ht : h) {
        draw_angles(src, n, a, g);
        v = dense_step(n, ht, a, g) * v;
      }
      const Vec w = lib.row(i).transpose();
      stat_lib[0].push_back(std::norm(plus.dot(w)));
      stat_ref[0].push_back(std::norm(plus.dot(v)));
      stat_lib[1].push_back(w.dot(x0 * w).real());
      stat_ref[1].push_back(v.dot(x0 * v).real());
      if (n >= 2) {
        stat_lib[2].push_back(w.dot(zz * w).real());
        stat_ref[2].push_back(v.dot(zz * v).real());
      }
    }
    for (int k = 0; k < (n >= 2 ? 3 : 2); ++k) {
      const dref::MeanSe ml = dref::mean_se(stat_lib[k]), mr = dref::mean_se(stat_ref[k]);
      EXPECT_NEAR(ml.mean, mr.mean, kSigmas * std::hypot(ml.se, mr.se)) << "statistic " << k;
    }
  }
}

// The original preset's schedule (0.5 -> 4.0) scrambles ghz states: mmd_to_haar starts large and
// falls along t. Near Haar its sampling sd is sqrt(2 Var(X) / (N (N-1))) with
// Var(X) = (d-1)/(d^2 (d+1)) (see the metrics tests): "falls" allows that much noise per step
// (two values each within 5 sd of non-increasing means differ by at most 10 sd).
TEST(DiffusionChain, MmdToHaarFallsAlongLinearSchedule) {
  constexpr int n = 3, kN = 200, kT = 30;
  const double d = 8;
  const double sd = std::sqrt(2 * (d - 1) / (d * d * (d + 1)) / (kN * (kN - 1.0)));
  const StateMatrix s0 = quddpm::make_ghz(n, kN, {}, 16);
  const std::vector<StateMatrix> chain =
      quddpm::diffuse_chain(s0, quddpm::linear_schedule(0.5, 4.0, kT), 17);
  ASSERT_EQ(chain.size(), static_cast<std::size_t>(kT + 1));
  std::vector<double> m;
  for (const StateMatrix& s : chain)
    m.push_back(quddpm::mmd_to_haar(s));
  EXPECT_GT(m[0], 0.3);  // ghz states are far from Haar
  for (int t = 1; t <= kT; ++t)
    EXPECT_LE(m[t], m[t - 1] + 2 * kSigmas * sd) << "t=" << t;
  EXPECT_LT(m[kT], m[0] / 10);
  EXPECT_LT(m[kT], m[kT / 3]);
  // By the end the ensemble is as close to Haar as N = 200 samples can tell.
  EXPECT_NEAR(m[kT], 0.0, kSigmas * sd);
}

}  // namespace

namespace {

// mean_{i != j} |<a_i|a_j>|^2 - 1/d, by plain loops (independent of the library's Gram code).
double mmd_to_haar_by_loops(const StateMatrix& a) {
  const Eigen::Index n = a.rows(), d = a.cols();
  double sum = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      if (i == j) continue;
      cplx ip = 0;
      for (Eigen::Index x = 0; x < d; ++x)
        ip += std::conj(a(i, x)) * a(j, x);
      sum += std::norm(ip);
    }
  }
  return sum / static_cast<double>(n * (n - 1)) - 1.0 / static_cast<double>(d);
}

}  // namespace

// The calibrated end puts the chain's own terminal ensemble at the target distance from Haar,
// stronger ends land closer to Haar and weaker ones farther, and the search is reproducible.
TEST(ScheduleCalibration, TerminalEnsembleHitsTheTarget) {
  for (int n : {1, 3, 5}) {
    for (int steps : {1, 4}) {
      SCOPED_TRACE(testing::Message() << "n=" << n << " T=" << steps);
      const StateMatrix s0 = quddpm::make_ghz(n, 120, {}, 5);
      const double target = 0.35;
      const quddpm::ScheduleCalibration r =
          quddpm::calibrate_schedule_end(s0, 0.1, steps, target, 99);
      auto terminal = [&](double end) {
        return mmd_to_haar_by_loops(
            quddpm::diffuse_to_end(s0, quddpm::linear_schedule(0.1, end, steps), 99));
      };
      EXPECT_NEAR(terminal(r.end), target, 1e-4);
      EXPECT_NEAR(r.mmd_to_haar, terminal(r.end), 1e-12);
      EXPECT_GT(terminal(r.end - 0.02), target);
      EXPECT_LT(terminal(r.end + 0.02), target);
      EXPECT_GT(r.end, 0.1);
      EXPECT_LT(r.end, quddpm::kMaxScheduleEnd);
      EXPECT_EQ(quddpm::calibrate_schedule_end(s0, 0.1, steps, target, 99).end, r.end);
    }
  }
}

// A target the chain cannot bracket is refused: the start alone already scrambles past it, or
// the data are closer to Haar than the target to begin with.
TEST(ScheduleCalibration, UnreachableTargetsAreRefused) {
  const StateMatrix s0 = quddpm::make_ghz(3, 80, {}, 5);
  const double data = mmd_to_haar_by_loops(s0);
  EXPECT_THROW(quddpm::calibrate_schedule_end(s0, 0.1, 3, data + 0.01, 1), std::invalid_argument);
  EXPECT_THROW(quddpm::calibrate_schedule_end(s0, 3.0, 3, 0.8, 1), std::invalid_argument);
}
