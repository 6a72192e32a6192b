// The optimizers (model/optimizer.hpp, docs/model.md section 5): SGD with momentum against a
// hand computation in PyTorch's convention, the staircase decay, Adam unchanged without decay,
// and a training run with SGD stopped part-way and resumed ending bitwise where an uninterrupted
// run ends.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <vector>

#include "model/adam.hpp"
#include "model/ensembles.hpp"
#include "model/optimizer.hpp"
#include "model/trainer.hpp"
#include "support/dense_reference.hpp"
#include "support/small_training.hpp"

namespace {

using quddpm::OptimizerKind;
using quddpm::OptimizerSettings;
using quddpm::RealVector;

// Binary fractions throughout, so that every value below is exact.
TEST(SgdMomentum, StepsMatchAHandComputation) {
  OptimizerSettings o;
  o.kind = OptimizerKind::Sgd;
  o.learning_rate = 0.25;
  o.momentum = 0.5;
  o.decay_every = 2;
  o.decay_factor = 0.5;
  quddpm::Optimizer opt(o, 2);
  double theta[2] = {1.0, -2.0};
  RealVector g(2);
  // Step 1 (k = 0, lr 0.25): v = g = (1, 2); theta = (1 - 0.25, -2 - 0.5) = (0.75, -2.5).
  g << 1.0, 2.0;
  opt.step(theta, g);
  EXPECT_EQ(theta[0], 0.75);
  EXPECT_EQ(theta[1], -2.5);
  // Step 2 (k = 1, lr 0.25): v = 0.5 (1, 2) + (1, -4) = (1.5, -3); theta = (0.375, -1.75).
  g << 1.0, -4.0;
  opt.step(theta, g);
  EXPECT_EQ(theta[0], 0.375);
  EXPECT_EQ(theta[1], -1.75);
  // Step 3 (k = 2, lr 0.125): v = 0.5 (1.5, -3) + (1, 0) = (1.75, -1.5);
  // theta = (0.375 - 0.21875, -1.75 + 0.1875) = (0.15625, -1.5625).
  g << 1.0, 0.0;
  opt.step(theta, g);
  EXPECT_EQ(theta[0], 0.15625);
  EXPECT_EQ(theta[1], -1.5625);
  // The state checkpoints carry: the step count, the momentum buffer in m, v zero.
  const quddpm::AdamState st = opt.state();
  EXPECT_EQ(st.step, 3);
  EXPECT_EQ(st.m[0], 1.75);
  EXPECT_EQ(st.m[1], -1.5);
  EXPECT_TRUE(st.v.isZero(0));
}

TEST(StaircaseDecay, StepSizeOfEachEpoch) {
  OptimizerSettings o;
  o.learning_rate = 0.01;
  o.decay_every = 400;
  o.decay_factor = 0.5;
  EXPECT_EQ(quddpm::decayed_learning_rate(o, 0), 0.01);
  EXPECT_EQ(quddpm::decayed_learning_rate(o, 399), 0.01);
  EXPECT_EQ(quddpm::decayed_learning_rate(o, 400), 0.005);
  EXPECT_EQ(quddpm::decayed_learning_rate(o, 799), 0.005);
  EXPECT_EQ(quddpm::decayed_learning_rate(o, 800), 0.0025);
  EXPECT_EQ(quddpm::decayed_learning_rate(o, 1200), 0.00125);
  o.decay_factor = 1;
  EXPECT_EQ(quddpm::decayed_learning_rate(o, 123456), 0.01);
}

// Without decay the optimizer's Adam is Adam, bit for bit; with it each step is Adam's with
// that step's size.
TEST(AdamThroughTheOptimizer, UnchangedWithoutDecayAndDecayedStepByStep) {
  dref::Source src(5);
  std::vector<RealVector> grads;
  for (int k = 0; k < 12; ++k) {
    RealVector g(4);
    for (int i = 0; i < 4; ++i)
      g[i] = src.uniform(-1, 1);
    grads.push_back(g);
  }
  OptimizerSettings o;
  o.learning_rate = 0.03;
  quddpm::Optimizer plain(o, 4);
  quddpm::Adam reference(4, 0.03);
  o.decay_every = 5;
  o.decay_factor = 0.3;
  quddpm::Optimizer decayed(o, 4);
  RealVector a = RealVector::Ones(4), b = a, c = a, d = a;
  quddpm::AdamState hand_state;
  for (int k = 0; k < 12; ++k) {
    plain.step(a.data(), grads[k]);
    reference.step(b.data(), grads[k]);
    decayed.step(c.data(), grads[k]);
    // Adam with the step size set by hand (the moments do not depend on it).
    quddpm::Adam by_hand(4, 0.03 * std::pow(0.3, k / 5));
    if (k > 0) by_hand.restore(hand_state);
    by_hand.step(d.data(), grads[k]);
    hand_state = by_hand.state();
  }
  EXPECT_EQ(a, b);
  EXPECT_EQ(c, d);
}

quddpm::TrainingSettings sgd_settings() {
  quddpm::TrainingSettings s = testing_model::small_ghz_run(2, 10, 16, 0.05, 21);
  s.optimizer = OptimizerKind::Sgd;
  s.momentum = 0.9;
  s.decay_every = 2;
  s.decay_factor = 0.5;
  return s;
}

// Stops once `stop_after` epochs have run, keeping the state it was handed.
class StopAfter : public quddpm::TrainingObserver {
 public:
  explicit StopAfter(int stop_after) : stop_after_(stop_after) {}
  void on_epoch(const quddpm::EpochRecord&) override { ++epochs_; }
  void on_state(const quddpm::TrainingState& s) override { last_state = s; }
  bool stop_requested() override { return stop_after_ >= 0 && epochs_ >= stop_after_; }
  std::optional<quddpm::TrainingState> last_state;

 private:
  int stop_after_;
  int epochs_ = 0;
};

TEST(SgdTraining, StoppedAndResumedEndsBitwiseEqual) {
  const auto s = sgd_settings();
  StopAfter whole(-1);
  const auto uninterrupted = quddpm::train(s, whole);
  // Adam would end elsewhere: the optimizer setting reaches the trainer.
  auto adam = s;
  adam.optimizer = OptimizerKind::Adam;
  StopAfter other(-1);
  EXPECT_NE(quddpm::train(adam, other).params, uninterrupted.params);
  for (int stop_after : {1, 3, 5, 8, 15}) {
    StopAfter first(stop_after);
    const auto stopped = quddpm::train(s, first);
    ASSERT_TRUE(stopped.stopped);
    ASSERT_TRUE(first.last_state.has_value());
    if (first.last_state->progress) {  // inside a cycle: the momentum buffer is carried
      EXPECT_FALSE(first.last_state->progress->adam.m.isZero(0)) << stop_after;
      EXPECT_TRUE(first.last_state->progress->adam.v.isZero(0)) << stop_after;
    }
    StopAfter rest(-1);
    const auto resumed = quddpm::train(s, rest, &*first.last_state);
    EXPECT_EQ(resumed.params, uninterrupted.params) << "stopped after " << stop_after;
    EXPECT_EQ(resumed.generated, uninterrupted.generated) << "stopped after " << stop_after;
  }
}

}  // namespace
