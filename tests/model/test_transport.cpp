// The optimal-transport losses (model/transport.hpp): the exact solver against brute force over
// permutations, the entropic one against closed forms and the bounds it must satisfy, the
// losses' adjoint gradients against central finite differences of an independent dense-matrix
// loss, and bitwise identical results whatever the thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "model/backward_step.hpp"
#include "model/ensembles.hpp"
#include "model/metrics.hpp"
#include "model/transport.hpp"
#include "support/dense_circuit.hpp"

namespace {

using namespace quddpm;

// C_ij = 1 - |<a_i|b_j>|^2, computed here from the amplitudes.
RealMatrix infidelity(const StateMatrix& a, const StateMatrix& b) {
  RealMatrix c(a.rows(), b.rows());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < b.rows(); ++j)
      c(i, j) = 1.0 - std::norm(b.row(j).dot(a.row(i)));  // dot conjugates its first
  return c;
}

// The two smallest values of sum_i c(r_i, s_{perm(i)}) / L over permutations of the expanded
// problem: row i of c repeated L/N times, column j L/M times, L = lcm(N, M) (a plan of uniform
// weights is an average of such assignments, and the transportation problem's integral optimum
// is one of them). Brute force: L! permutations, L <= 8.
std::pair<double, double> brute_force_two_best(const RealMatrix& c) {
  const Eigen::Index n = c.rows(), m = c.cols(), l = std::lcm(n, m);
  std::vector<int> perm(l);
  std::iota(perm.begin(), perm.end(), 0);
  double best = std::numeric_limits<double>::infinity(), second = best;
  do {
    double s = 0;
    for (Eigen::Index k = 0; k < l; ++k)
      s += c(k / (l / n), perm[k] / (l / m));
    s /= static_cast<double>(l);
    if (s < best) {
      second = best;
      best = s;
    } else if (s < second && s > best) {
      second = s;
    }
  } while (std::next_permutation(perm.begin(), perm.end()));
  return {best, second};
}

void expect_marginals(const RealMatrix& p, double tol) {
  const double a = 1.0 / static_cast<double>(p.rows()), b = 1.0 / static_cast<double>(p.cols());
  EXPECT_GE(p.minCoeff(), 0.0);
  for (Eigen::Index i = 0; i < p.rows(); ++i)
    EXPECT_NEAR(p.row(i).sum(), a, tol) << "row " << i;
  for (Eigen::Index j = 0; j < p.cols(); ++j)
    EXPECT_NEAR(p.col(j).sum(), b, tol) << "column " << j;
}

TEST(ExactTransport, EqualsTheMinimumOverPermutationsUpToSeven) {
  for (int n = 1; n <= 7; ++n) {
    for (int qubits : {1, 2}) {
      SCOPED_TRACE("N = " + std::to_string(n) + ", qubits " + std::to_string(qubits));
      const StateMatrix a = make_haar(qubits, n, 100 + n);
      const StateMatrix b = make_haar(qubits, n, 200 + n);
      const RealMatrix c = infidelity(a, b);
      const Transport t = exact_transport(c);
      EXPECT_NEAR(t.value, brute_force_two_best(c).first, 1e-12);
      expect_marginals(t.plan, 1e-15);
      // A vertex of the assignment polytope: every entry 0 or 1/N.
      for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j)
          EXPECT_TRUE(t.plan(i, j) == 0 || t.plan(i, j) == 1.0 / n) << t.plan(i, j);
      EXPECT_NEAR(wasserstein(a, b), t.value, 1e-15);
    }
  }
}

// Costs with ties, negative and beyond 1 (the solver takes any finite matrix).
TEST(ExactTransport, EqualsTheMinimumOverPermutationsForArbitraryCosts) {
  Rng rng(5);
  for (int n = 2; n <= 7; ++n) {
    RealMatrix c(n, n);
    for (Eigen::Index k = 0; k < c.size(); ++k)
      c.data()[k] = k % 3 == 0 ? 1.0 : rng.uniform(-3.0, 5.0);
    EXPECT_NEAR(exact_transport(c).value, brute_force_two_best(c).first, 1e-11) << "N = " << n;
  }
}

// N != M: each source sends 1/N, each sink takes 1/M, the plan no longer a permutation.
TEST(ExactTransport, UnequalSizesEqualTheExpandedAssignmentMinimum) {
  struct Size {
    int n, m;
  };
  for (const Size s : {Size{1, 5}, Size{2, 3}, Size{3, 2}, Size{2, 4}, Size{4, 8}, Size{6, 3}}) {
    SCOPED_TRACE(std::to_string(s.n) + " x " + std::to_string(s.m));
    const StateMatrix a = make_haar(2, s.n, 300 + s.n);
    const StateMatrix b = make_haar(2, s.m, 400 + s.m);
    const RealMatrix c = infidelity(a, b);
    const Transport t = exact_transport(c);
    EXPECT_NEAR(t.value, brute_force_two_best(c).first, 1e-12);
    expect_marginals(t.plan, 1e-15);
    EXPECT_NEAR(wasserstein(a, b), t.value, 1e-15);
  }
}

// One state against itself: C_ii = 0, so W(A, A) = 0; identical ensembles in another order too.
TEST(ExactTransport, IsZeroBetweenAnEnsembleAndItsPermutation) {
  const StateMatrix a = make_haar(3, 40, 9);
  StateMatrix b(a.rows(), a.cols());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    b.row(i) = a.row((7 * i + 3) % a.rows());  // 7 is prime to 40: a permutation
  EXPECT_LT(std::abs(wasserstein(a, b)), 1e-15);
}

// The certificate by hand on 2 x 2 costs [[0, 5], [5, 0]] (potentials: sources, then sinks).
TEST(ExactTransport, CertificateAcceptsTheOptimumAndRejectsOtherPlans) {
  const std::vector<std::int64_t> k = {0, 5, 5, 0};
  RealMatrix diagonal = RealMatrix::Zero(2, 2), crossed = RealMatrix::Zero(2, 2);
  diagonal(0, 0) = diagonal(1, 1) = 0.5;
  crossed(0, 1) = crossed(1, 0) = 0.5;
  EXPECT_TRUE(proves_optimal(k, diagonal, {0, 0, 0, 0}));
  EXPECT_TRUE(proves_optimal(k, diagonal, {1, 0, 1, 0}));  // another dual optimum
  EXPECT_FALSE(proves_optimal(k, crossed, {0, 0, 0, 0}));  // positive reduced cost on the plan
  // Potentials that price the crossed plan tight make a diagonal arc's reduced cost negative.
  EXPECT_FALSE(proves_optimal(k, crossed, {0, 0, 5, 5}));
  const std::int64_t huge = std::numeric_limits<std::int64_t>::max();
  EXPECT_FALSE(proves_optimal(k, diagonal, {huge, 0, huge, 0}));  // too large to sum: no proof
  EXPECT_FALSE(proves_optimal(k, diagonal, {0, 0, 0}));           // wrong length
}

TEST(ExactTransport, RefusesEmptyAndNonFiniteCosts) {
  EXPECT_THROW(exact_transport(RealMatrix(0, 3)), std::invalid_argument);
  RealMatrix c = RealMatrix::Zero(2, 2);
  c(1, 0) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(exact_transport(c), std::invalid_argument);
  EXPECT_THROW(entropic_transport(c, 0.1), std::invalid_argument);
  EXPECT_THROW(entropic_transport(RealMatrix::Zero(2, 2), 0.0), std::invalid_argument);
}

// C = [[0, 1], [1, 0]]: the plan is [[p, 1/2 - p], [1/2 - p, p]], and minimizing
// (1 - 2p) + eps (2p log 4p + (1 - 2p) log(2 - 4p)) gives p = 1 / (2 (1 + e^{-1/eps})).
TEST(EntropicTransport, TwoByTwoClosedForm) {
  RealMatrix c(2, 2);
  c << 0, 1, 1, 0;
  for (double eps : {0.2, 0.5, 2.0}) {
    const double p = 0.5 / (1.0 + std::exp(-1.0 / eps)), q = 0.5 - p;
    const double value = 2 * q + eps * (2 * p * std::log(4 * p) + 2 * q * std::log(4 * q));
    const Transport t = entropic_transport(c, eps);
    EXPECT_TRUE(t.converged);
    EXPECT_NEAR(t.value, value, 1e-13) << eps;
    EXPECT_NEAR(t.plan(0, 0), p, 1e-13);
    EXPECT_NEAR(t.plan(0, 1), q, 1e-13);
  }
  // A constant cost: the plan is a b^T, KL = 0, the value the constant.
  const Transport flat = entropic_transport(RealMatrix::Constant(3, 5, 0.7), 0.1);
  EXPECT_NEAR(flat.value, 0.7, 1e-14);
  EXPECT_NEAR(flat.plan(2, 4), 1.0 / 15, 1e-15);
}

// W <= OT_eps <= W + eps log N (the optimal permutation's KL to a b^T is log N); the value is
// the primal <P, C> + eps KL(P || a b^T) of its own plan, whose marginals are a and b (to the
// tolerance).
TEST(EntropicTransport, BoundedByTheExactCostAndItsPrimalValue) {
  const StateMatrix a = make_haar(1, 60, 31), b = make_haar(1, 60, 32);
  const RealMatrix c = infidelity(a, b);
  const double w = exact_transport(c).value;
  for (double eps : {0.5, 0.05, 0.01}) {
    SCOPED_TRACE(eps);
    const Transport t = entropic_transport(c, eps);
    ASSERT_TRUE(t.converged) << t.iterations;
    EXPECT_GE(t.value, w - 1e-12);
    EXPECT_LE(t.value, w + eps * std::log(60.0) + 1e-12);
    expect_marginals(t.plan, kSinkhornTolerance);
    double primal = 0;
    const double ab = 1.0 / (60.0 * 60.0);
    for (Eigen::Index i = 0; i < 60; ++i)
      for (Eigen::Index j = 0; j < 60; ++j) {
        const double p = t.plan(i, j);
        primal += p * c(i, j) + (p > 0 ? eps * p * std::log(p / ab) : 0.0);
      }
    // Equal at exact marginals; the rows' L1 error of at most 1e-10 leaves about that much.
    EXPECT_NEAR(t.value, primal, 1e-9);
  }
}

TEST(EntropicTransport, IdenticalWithOneAndTwoThreads) {
  // 300 x 200: the sweeps split into blocks of rows (2^14 costs each) over the threads.
  const RealMatrix c = infidelity(make_haar(2, 300, 41), make_haar(2, 200, 42));
  par::set_max_threads(1);
  const Transport one = entropic_transport(c, 0.03);
  par::set_max_threads(2);
  const Transport two = entropic_transport(c, 0.03);
  par::set_max_threads(1);
  EXPECT_EQ(one.value, two.value);
  EXPECT_EQ(one.iterations, two.iterations);
  EXPECT_TRUE((one.plan.array() == two.plan.array()).all());
}

// ---------------------------------------------------------------------------------------------
// The step's transport losses: loss and adjoint gradient against the dense-matrix outputs.

struct GradCase {
  LossKind kind;
  int n, na, layers, samples;
  std::uint64_t seed;
};

struct Problem {
  HeaCircuit circuit;
  StateMatrix x, y;
  std::vector<double> theta;
  std::vector<std::int64_t> outcomes;
};

Problem make_problem(const GradCase& c) {
  Problem p{HeaCircuit(c.n, c.na, c.layers),
            make_haar(c.n, c.samples, c.seed),
            make_ghz(c.n, c.samples, GhzParams{}, c.seed + 1),
            {},
            {}};
  Rng rng(c.seed + 2);
  p.theta.resize(p.circuit.num_params());
  for (double& t : p.theta)
    t = rng.uniform(-M_PI, M_PI);
  p.outcomes = run_step(p.circuit, p.theta.data(), p.x, sampled_outcomes(c.seed + 3)).outcomes;
  return p;
}

// The dense outputs' cost matrix C_ij = 1 - |<psi_i|b_j>|^2.
RealMatrix dense_cost(const std::vector<double>& theta, const GradCase& c, const Problem& p) {
  const std::vector<long> outcomes(p.outcomes.begin(), p.outcomes.end());
  const dense::Mat u = dense::pqc(theta, c.n + c.na, c.layers);
  const dense::Mat out = dense::outputs(u, p.x.transpose(), outcomes, c.n, c.na);
  const StateMatrix psi = out.transpose();
  return infidelity(psi, p.y);
}

class TransportGradient : public ::testing::TestWithParam<GradCase> {};

TEST_P(TransportGradient, AdjointEqualsCentralDifferenceWhereThePlanIsUnique) {
  const GradCase c = GetParam();
  const double eps = 0.1;
  const Problem p = make_problem(c);
  // The independent loss: brute force over permutations (wasserstein), or the entropic value
  // of the dense outputs' costs (sinkhorn).
  auto loss_at = [&](const std::vector<double>& theta) {
    const RealMatrix cost = dense_cost(theta, c, p);
    return c.kind == LossKind::Wasserstein ? brute_force_two_best(cost).first
                                           : entropic_transport(cost, eps).value;
  };
  if (c.kind == LossKind::Wasserstein) {
    // The optimal permutation is unique with room to spare for steps of h.
    const auto [best, second] = brute_force_two_best(dense_cost(p.theta, c, p));
    ASSERT_GT(second - best, 1e-4) << "the plan is (nearly) tied: pick another seed";
  }
  StepGradient step(p.circuit, Precision::Double, StepGradient::kDefaultCacheLimit,
                    LossSettings{c.kind, eps});
  const LossAndGradient r = step.evaluate(p.theta.data(), p.x, p.y, fixed_outcomes(p.outcomes));
  EXPECT_NEAR(r.loss, loss_at(p.theta), 1e-12);

  const double h = 1e-6;
  Eigen::VectorXd fd(p.theta.size());
  for (std::size_t k = 0; k < p.theta.size(); ++k) {
    std::vector<double> tp = p.theta, tm = p.theta;
    tp[k] += h;
    tm[k] -= h;
    fd[k] = (loss_at(tp) - loss_at(tm)) / (2 * h);
  }
  const double rel = (r.grad - fd).norm() / fd.norm();
  EXPECT_LT(rel, 1e-6) << "adjoint " << r.grad.transpose() << "\nfd " << fd.transpose();
}

INSTANTIATE_TEST_SUITE_P(BothLosses, TransportGradient,
                         ::testing::Values(GradCase{LossKind::Wasserstein, 1, 1, 2, 5, 11},
                                           GradCase{LossKind::Wasserstein, 1, 2, 3, 6, 12},
                                           GradCase{LossKind::Wasserstein, 2, 1, 2, 6, 13},
                                           GradCase{LossKind::Wasserstein, 3, 1, 2, 4, 14},
                                           GradCase{LossKind::Sinkhorn, 1, 1, 2, 5, 15},
                                           GradCase{LossKind::Sinkhorn, 1, 2, 3, 7, 16},
                                           GradCase{LossKind::Sinkhorn, 2, 1, 2, 9, 17},
                                           GradCase{LossKind::Sinkhorn, 3, 2, 2, 6, 18}));

// The Wasserstein loss is metrics' wasserstein() of the outputs, to the last bit.
TEST(TransportLoss, WassersteinLossIsTheMetricOfTheOutputs) {
  const GradCase c{LossKind::Wasserstein, 2, 1, 3, 30, 21};
  const Problem p = make_problem(c);
  StepGradient step(p.circuit, Precision::Double, StepGradient::kDefaultCacheLimit,
                    LossSettings{LossKind::Wasserstein});
  const LossAndGradient r = step.evaluate(p.theta.data(), p.x, p.y, fixed_outcomes(p.outcomes));
  EXPECT_EQ(r.loss, wasserstein(r.outputs.states, p.y));
}

TEST(TransportLoss, IdenticalWithOneAndTwoThreads) {
  for (LossKind kind : {LossKind::Wasserstein, LossKind::Sinkhorn}) {
    const GradCase c{kind, 3, 2, 4, 40, 31};
    const Problem p = make_problem(c);
    auto run = [&](int threads) {
      par::set_max_threads(threads);
      StepGradient step(p.circuit, Precision::Double, StepGradient::kDefaultCacheLimit,
                        LossSettings{kind, 0.05});
      return step.evaluate(p.theta.data(), p.x, p.y, sampled_outcomes(32));
    };
    const LossAndGradient one = run(1), two = run(2);
    par::set_max_threads(1);
    EXPECT_EQ(one.loss, two.loss);
    for (Eigen::Index k = 0; k < one.grad.size(); ++k)
      EXPECT_EQ(one.grad[k], two.grad[k]) << k;
  }
}

}  // namespace
