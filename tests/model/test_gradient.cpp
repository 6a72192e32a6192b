// The exact adjoint gradient of one backward step, checked against central finite
// differences of an independent dense-matrix loss.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include <cmath>
#include <vector>

#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "model/backward_step.hpp"
#include "model/ensembles.hpp"
#include "support/dense_circuit.hpp"

namespace {

using namespace quddpm;

struct Case {
  int n, na, layers, inputs, targets;
  std::uint64_t seed;
};

dense::Mat as_columns(const StateMatrix& s) {
  return s.transpose();
}

double dense_loss(const std::vector<double>& theta, const Case& c, const StateMatrix& x,
                  const StateMatrix& y, const std::vector<long>& outcomes) {
  const dense::Mat u = dense::pqc(theta, c.n + c.na, c.layers);
  return dense::mmd_cols(dense::outputs(u, as_columns(x), outcomes, c.n, c.na), as_columns(y));
}

class GradientMatchesFiniteDifferences : public ::testing::TestWithParam<Case> {};

TEST_P(GradientMatchesFiniteDifferences, AdjointEqualsCentralDifferenceOfDenseLoss) {
  const Case c = GetParam();
  const HeaCircuit circuit(c.n, c.na, c.layers);
  const StateMatrix x = make_haar(c.n, c.inputs, c.seed);
  const StateMatrix y = make_ghz(c.n, c.targets, GhzParams{}, c.seed + 1);
  Rng rng(c.seed + 2);
  std::vector<double> theta(circuit.num_params());
  for (double& t : theta)
    t = rng.uniform(-M_PI, M_PI);

  // Sample outcomes once; the gradient holds them fixed.
  const StepOutputs sampled = run_step(circuit, theta.data(), x, sampled_outcomes(c.seed + 3));
  std::vector<long> outcomes(sampled.outcomes.begin(), sampled.outcomes.end());

  StepGradient step(circuit);
  const LossAndGradient r = step.evaluate(theta.data(), x, y, fixed_outcomes(sampled.outcomes));
  EXPECT_NEAR(r.loss, dense_loss(theta, c, x, y, outcomes), 1e-12);

  const double h = 1e-6;
  Eigen::VectorXd fd(theta.size());
  for (std::size_t k = 0; k < theta.size(); ++k) {
    std::vector<double> tp = theta, tm = theta;
    tp[k] += h;
    tm[k] -= h;
    fd[k] = (dense_loss(tp, c, x, y, outcomes) - dense_loss(tm, c, x, y, outcomes)) / (2 * h);
  }
  const double rel = (r.grad - fd).norm() / fd.norm();
  EXPECT_LT(rel, 1e-6) << "adjoint " << r.grad.transpose() << "\nfd " << fd.transpose();
}

INSTANTIATE_TEST_SUITE_P(SeveralShapes, GradientMatchesFiniteDifferences,
                         ::testing::Values(Case{1, 1, 1, 3, 4, 11}, Case{1, 1, 2, 5, 5, 12},
                                           Case{2, 1, 2, 4, 6, 13}, Case{1, 2, 3, 6, 3, 14},
                                           Case{2, 2, 2, 5, 7, 15}, Case{3, 1, 3, 4, 5, 16},
                                           Case{2, 0, 2, 4, 4, 17}, Case{3, 2, 2, 3, 8, 18}));

TEST(GradientUnderThreads, IdenticalWithOneAndTwoThreads) {
  const HeaCircuit circuit(3, 2, 4);
  const StateMatrix x = make_haar(3, 9, 5);
  const StateMatrix y = make_ghz(3, 9, GhzParams{}, 6);
  std::vector<double> theta(circuit.num_params());
  Rng rng(7);
  for (double& t : theta)
    t = rng.normal();
  auto run = [&](int threads) {
    par::set_max_threads(threads);
    StepGradient step(circuit);
    return step.evaluate(theta.data(), x, y, sampled_outcomes(8));
  };
  const LossAndGradient one = run(1), two = run(2);
  par::set_max_threads(1);
  EXPECT_EQ(one.loss, two.loss);
  EXPECT_EQ(one.outputs.outcomes, two.outputs.outcomes);
  for (Eigen::Index k = 0; k < one.grad.size(); ++k)
    EXPECT_EQ(one.grad[k], two.grad[k]);
}

TEST(GradientMemoryModes, RecomputingFinalStatesGivesIdenticalBits) {
  const HeaCircuit circuit(3, 2, 3);
  const StateMatrix x = make_haar(3, 7, 21);
  const StateMatrix y = make_ghz(3, 6, GhzParams{}, 22);
  std::vector<double> theta(circuit.num_params());
  Rng rng(23);
  for (double& t : theta)
    t = rng.normal();
  for (Precision p : {Precision::Double, Precision::Single}) {
    StepGradient cached(circuit, p), recomputed(circuit, p, 0);
    ASSERT_TRUE(cached.caches_final_states(x.rows()));
    ASSERT_FALSE(recomputed.caches_final_states(x.rows()));
    const LossAndGradient a = cached.evaluate(theta.data(), x, y, sampled_outcomes(24));
    const LossAndGradient b = recomputed.evaluate(theta.data(), x, y, sampled_outcomes(24));
    EXPECT_EQ(a.loss, b.loss) << (p == Precision::Single ? "single" : "double");
    for (Eigen::Index k = 0; k < a.grad.size(); ++k)
      EXPECT_EQ(a.grad[k], b.grad[k]) << (p == Precision::Single ? "single" : "double") << " " << k;
  }
}

// Single precision: the circuit's states in float, everything else in double. At small n the
// gradient agrees with double's to 1e-4 of its norm, for Haar inputs (the original model's
// prior) and for inputs near the data (the improved model's), at large and small angles.
TEST(GradientSinglePrecision, AgreesWithDoubleAtSmallN) {
  double largest = 0;  // relative difference: float round-off must show (it is not double)
  for (int n : {1, 2, 3, 4, 5}) {
    const HeaCircuit circuit(n, 2, 2 * (n + 2));
    const StateMatrix y = make_ghz(n, 8, GhzParams{}, 31 + n);
    for (const StateMatrix& x : {make_haar(n, 8, 41 + n), make_ghz(n, 8, GhzParams{}, 51 + n)}) {
      for (double scale : {1.0, 0.05}) {
        std::vector<double> theta(circuit.num_params());
        Rng rng(61 + n);
        for (double& t : theta)
          t = scale * rng.normal();
        StepGradient d(circuit, Precision::Double), f(circuit, Precision::Single);
        const LossAndGradient a = d.evaluate(theta.data(), x, y, sampled_outcomes(71));
        const LossAndGradient b = f.evaluate(theta.data(), x, y, sampled_outcomes(71));
        ASSERT_EQ(a.outputs.outcomes, b.outputs.outcomes) << "n=" << n;
        EXPECT_LT((a.grad - b.grad).norm(), 1e-4 * a.grad.norm())
            << "n=" << n << " scale=" << scale << " |g|=" << a.grad.norm();
        EXPECT_NEAR(a.loss, b.loss, 1e-5) << "n=" << n;
        largest = std::max(largest, (a.grad - b.grad).norm() / a.grad.norm());
      }
    }
  }
  EXPECT_GT(largest, 1e-9);
  std::cout << "largest relative difference, single against double: " << largest << "\n";
}

TEST(GradientOutcomes, ImprobableOutcomeRefused) {
  // With theta = 0 the circuit is diagonal up to CZ signs, so the ancilla stays in |0>:
  // outcome 1 has probability 0.
  const HeaCircuit circuit(1, 1, 1);
  const StateMatrix x = make_haar(1, 2, 1);
  std::vector<double> theta(circuit.num_params(), 0.0);
  StepGradient step(circuit);
  EXPECT_THROW(step.evaluate(theta.data(), x, x, fixed_outcomes({0, 1})), std::invalid_argument);
  EXPECT_NO_THROW(step.evaluate(theta.data(), x, x, fixed_outcomes({0, 0})));
}

}  // namespace
