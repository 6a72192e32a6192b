// The QGAN baseline (docs/model.md, section 10): both players' losses against an independent
// dense-matrix model, their exact gradients against central finite differences of it, and a
// short game that is bitwise the same for any thread count and moves each player its way.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "model/ensembles.hpp"
#include "model/qgan.hpp"
#include "support/dense_circuit.hpp"
#include "support/finite_difference.hpp"

namespace {

using namespace quddpm;

std::vector<double> normal_angles(int count, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<double> v(count);
  for (double& x : v)
    x = rng.normal();
  return v;
}

// P_real of each column through the dense discriminator: (1 + <v|Z x I...|v>) / 2.
Eigen::VectorXd dense_real_probabilities(const std::vector<double>& phi, int n, int layers,
                                         const dense::Mat& cols) {
  const dense::Mat u = dense::pqc(phi, n, layers);
  const dense::Mat z0 = dense::on_qubit(dense::pauli('Z'), 0, n);
  Eigen::VectorXd p(cols.cols());
  for (int i = 0; i < cols.cols(); ++i) {
    const dense::Vec v = u * cols.col(i);
    p[i] = 0.5 * (1.0 + (v.adjoint() * z0 * v)(0, 0).real());
  }
  return p;
}

double dense_discriminator_loss(const std::vector<double>& phi, int n, int layers,
                                const StateMatrix& fake, const StateMatrix& real) {
  return dense_real_probabilities(phi, n, layers, fake.transpose()).mean() -
         dense_real_probabilities(phi, n, layers, real.transpose()).mean();
}

double dense_generator_loss(const std::vector<double>& theta, const std::vector<double>& phi, int n,
                            int na, int lg, int lc, const StateMatrix& inputs,
                            const std::vector<long>& outcomes) {
  const dense::Mat u = dense::pqc(theta, n + na, lg);
  const dense::Mat out = dense::outputs(u, inputs.transpose(), outcomes, n, na);
  return -dense_real_probabilities(phi, n, lc, out).mean();
}

struct Shape {
  int n, na, lg, lc, count;
  std::uint64_t seed;
};

class QganGradients : public ::testing::TestWithParam<Shape> {};

TEST_P(QganGradients, DiscriminatorLossAndGradientMatchDenseFiniteDifferences) {
  const Shape c = GetParam();
  const HeaCircuit disc(c.n, 0, c.lc);
  const StateMatrix fake = make_haar(c.n, c.count, c.seed);
  const StateMatrix real = make_ghz(c.n, c.count + 1, GhzParams{}, c.seed + 1);
  const std::vector<double> phi = normal_angles(disc.num_params(), c.seed + 2);

  const RealVector p = real_probabilities(disc, phi.data(), fake);
  const Eigen::VectorXd p_dense = dense_real_probabilities(phi, c.n, c.lc, fake.transpose());
  EXPECT_LT((p - p_dense).cwiseAbs().maxCoeff(), 1e-12);

  const PlayerLoss r = discriminator_loss(disc, phi.data(), fake, real);
  EXPECT_NEAR(r.loss, dense_discriminator_loss(phi, c.n, c.lc, fake, real), 1e-12);
  const Eigen::VectorXd fd = testing_fd::central_difference(
      [&](const std::vector<double>& x) {
        return dense_discriminator_loss(x, c.n, c.lc, fake, real);
      },
      phi);
  EXPECT_LT((r.grad - fd).norm(), 1e-6 * fd.norm())
      << "adjoint " << r.grad.transpose() << "\nfd " << fd.transpose();
}

TEST_P(QganGradients, GeneratorLossAndGradientMatchDenseFiniteDifferences) {
  const Shape c = GetParam();
  const HeaCircuit gen(c.n, c.na, c.lg), disc(c.n, 0, c.lc);
  const StateMatrix inputs = make_haar(c.n, c.count, c.seed + 3);
  const std::vector<double> theta = normal_angles(gen.num_params(), c.seed + 4);
  const std::vector<double> phi = normal_angles(disc.num_params(), c.seed + 5);
  // Outcomes drawn once and held fixed: the gradient is that of the loss at those outcomes.
  const StepOutputs drawn = run_step(gen, theta.data(), inputs, sampled_outcomes(c.seed + 6));
  const std::vector<long> outcomes(drawn.outcomes.begin(), drawn.outcomes.end());

  StepGradient step(gen);
  const LossAndGradient r = step.evaluate(
      theta.data(), inputs, generator_objective(disc, phi.data()), fixed_outcomes(drawn.outcomes));
  EXPECT_NEAR(r.loss, dense_generator_loss(theta, phi, c.n, c.na, c.lg, c.lc, inputs, outcomes),
              1e-12);
  const Eigen::VectorXd fd = testing_fd::central_difference(
      [&](const std::vector<double>& x) {
        return dense_generator_loss(x, phi, c.n, c.na, c.lg, c.lc, inputs, outcomes);
      },
      theta);
  EXPECT_LT((r.grad - fd).norm(), 1e-6 * fd.norm())
      << "adjoint " << r.grad.transpose() << "\nfd " << fd.transpose();
}

INSTANTIATE_TEST_SUITE_P(SeveralShapes, QganGradients,
                         ::testing::Values(Shape{1, 1, 2, 2, 3, 11}, Shape{2, 1, 3, 2, 4, 12},
                                           Shape{2, 2, 2, 3, 5, 13}, Shape{3, 1, 2, 2, 4, 14},
                                           Shape{1, 0, 2, 1, 3, 15}));

TEST(HeaCircuitInverse, InverseUndoesApply) {
  for (int nq : {1, 2, 3, 5}) {
    const HeaCircuit c(nq, 0, 3);
    const std::vector<double> theta = normal_angles(c.num_params(), 40 + nq);
    const std::vector<Gate2x2> gates = c.fused_gates(theta.data());
    std::vector<Gate2x2> undo;
    for (const Gate2x2& g : gates)
      undo.push_back(g.adjoint());
    const StateMatrix in = make_haar(nq, 1, 50 + nq);
    std::vector<cplx> psi(in.row(0).data(), in.row(0).data() + c.dim());
    c.apply(psi.data(), gates);
    double moved = 0;
    for (std::size_t x = 0; x < c.dim(); ++x)
      moved = std::max(moved, std::abs(psi[x] - in(0, x)));
    EXPECT_GT(moved, 1e-3) << nq;  // the circuit did something to undo
    c.apply_inverse(psi.data(), undo);
    for (std::size_t x = 0; x < c.dim(); ++x)
      EXPECT_NEAR(std::abs(psi[x] - in(0, x)), 0.0, 1e-13) << nq << " " << x;
  }
}

QganSettings small_game() {
  QganSettings s;
  s.n_data = 2;
  s.n_ancilla = 1;
  s.generator_layers = 4;
  s.discriminator_layers = 2;
  s.samples = 12;
  s.data_size = 30;
  s.cycles = 2;
  s.discriminator_epochs = 40;
  s.generator_epochs = 40;
  s.optimizer.learning_rate = 0.05;
  s.seed = 7;
  s.sample_target = [](int count, std::uint64_t seed) {
    return make_cluster(2, count, ClusterParams{}, seed);
  };
  return s;
}

struct Recorder : QganObserver {
  std::vector<QganEpochRecord> epochs;
  std::vector<QganPhaseRecord> phases;
  void on_epoch(const QganEpochRecord& r) override { epochs.push_back(r); }
  void on_phase(const QganPhaseRecord& r) override { phases.push_back(r); }
};

TEST(QganTraining, BitwiseTheSameForAnyThreadCount) {
  const QganSettings s = small_game();
  auto play = [&](int threads) {
    par::set_max_threads(threads);
    Recorder rec;
    QganResult r = train_qgan(s, rec);
    return std::make_pair(r, rec);
  };
  const auto [one, rec1] = play(1);
  const auto [three, rec3] = play(3);
  par::set_max_threads(1);
  ASSERT_EQ(one.generator.size(), three.generator.size());
  for (Eigen::Index k = 0; k < one.generator.size(); ++k)
    EXPECT_EQ(one.generator[k], three.generator[k]) << k;
  for (Eigen::Index k = 0; k < one.discriminator.size(); ++k)
    EXPECT_EQ(one.discriminator[k], three.discriminator[k]) << k;
  EXPECT_TRUE(one.generated == three.generated);
  EXPECT_TRUE(one.test_generated == three.test_generated);
  ASSERT_EQ(rec1.epochs.size(), rec3.epochs.size());
  for (std::size_t k = 0; k < rec1.epochs.size(); ++k)
    EXPECT_EQ(rec1.epochs[k].loss, rec3.epochs[k].loss) << k;
}

TEST(QganTraining, EachPhaseMovesItsPlayerItsWay) {
  const QganSettings s = small_game();
  Recorder rec;
  const QganResult r = train_qgan(s, rec);
  // Start, then (discriminator, generator) per cycle.
  ASSERT_EQ(rec.phases.size(), 1u + 2u * s.cycles);
  ASSERT_EQ(rec.epochs.size(),
            static_cast<std::size_t>(s.cycles * (s.discriminator_epochs + s.generator_epochs)));
  for (int c = 0; c < s.cycles; ++c) {
    const QganPhaseRecord& before = rec.phases[2 * c];
    const QganPhaseRecord& judged = rec.phases[2 * c + 1];
    const QganPhaseRecord& fooled = rec.phases[2 * c + 2];
    // The discriminator phase widens the gap P_real(data) - P_real(generated) ...
    EXPECT_GT(judged.p_real_on_data - judged.p_real_on_generated,
              before.p_real_on_data - before.p_real_on_generated)
        << "cycle " << c + 1;
    // ... and the generator phase raises P_real(generated) under that discriminator.
    EXPECT_GT(fooled.p_real_on_generated, judged.p_real_on_generated) << "cycle " << c + 1;
    EXPECT_EQ(fooled.p_real_on_data, judged.p_real_on_data);  // the discriminator is fixed
  }
  // The generated ensemble is the trained generator's on the training inputs, recomputable.
  EXPECT_TRUE(r.generated == qgan_generate(s, r.generator, false));
  EXPECT_EQ(r.generated.rows(), s.samples);
  EXPECT_FALSE(r.test_generated == r.generated);
}

TEST(QganTraining, AStopRequestEndsTheGameAfterTheEpoch) {
  struct StopAfter : Recorder {
    bool stop_requested() override { return epochs.size() >= 5; }
  } rec;
  const QganResult r = train_qgan(small_game(), rec);
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(rec.epochs.size(), 5u);
}

TEST(QganTraining, SettingsOutsideTheirRangeAreRefusedByName) {
  QganSettings s = small_game();
  s.data_size = s.samples - 1;
  Recorder rec;
  try {
    train_qgan(s, rec);
    FAIL() << "accepted data_size < samples";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("data_size"), std::string::npos) << e.what();
  }
}

}  // namespace
