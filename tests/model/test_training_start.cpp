// Where each cycle starts (docs/model.md, section 5): its parameters (the init draw, or with
// circuit.init.warm_start the previous cycle's trained theta) and its inputs (the backward
// chain, or with training.input = forward the forward ensemble S_{t+1}). Each epoch-0 record of
// a training run is recomputed independently from the parameters and inputs it should have
// started from: the same loss and gradient norm, bit for bit.
#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "core/rng.hpp"
#include "model/backward_step.hpp"
#include "model/diffusion.hpp"
#include "model/ensembles.hpp"
#include "model/trainer.hpp"

namespace {

using quddpm::EpochRecord;
using quddpm::kTagBatch;
using quddpm::kTagDiffusion;
using quddpm::kTagInputBatch;
using quddpm::kTagOutcome;
using quddpm::kTagTarget;
using quddpm::RealMatrix;
using quddpm::RealVector;
using quddpm::StateMatrix;
using quddpm::stream_key;
using quddpm::TrainingSettings;
using quddpm::TrainingState;

TrainingSettings small_settings(bool warm, quddpm::TrainingInput input) {
  TrainingSettings s;
  s.n_data = 2;
  s.n_ancilla = 1;
  s.layers = 3;
  s.schedule = {0.4, 0.8, 1.2, 1.6};
  s.prior = quddpm::PriorKind::Diffused;
  s.init = quddpm::InitKind::Uniform;
  s.init_c = 2.0;
  s.init_ancilla_c = 2.0;
  s.samples = 12;
  s.diffusion_size = 20;
  s.epochs = 5;
  s.learning_rate = 0.05;
  s.seed = 11;
  s.warm_start = warm;
  s.input = input;
  s.sample_target = [](int count, std::uint64_t seed) {
    return quddpm::make_ghz(2, count, quddpm::GhzParams{}, seed);
  };
  return s;
}

// Keeps every epoch record and the backward chain's input of each cycle; optionally stops once
// `stop_after_epochs` epochs have run (a checkpoint inside a cycle).
class Recorder : public quddpm::TrainingObserver {
 public:
  explicit Recorder(int stop_after_epochs = -1) : stop_after_(stop_after_epochs) {}
  void on_epoch(const EpochRecord& r) override {
    epochs.push_back(r);
    ++seen_;
  }
  void on_state(const TrainingState& st) override {
    if (st.next_t >= 0 && !st.progress) inputs.emplace(st.next_t, st.current);
    last_state = st;
  }
  bool stop_requested() override { return stop_after_ >= 0 && seen_ >= stop_after_; }

  std::vector<EpochRecord> epochs;
  std::map<int, StateMatrix> inputs;  // cycle t -> S~_{t+1}
  std::optional<TrainingState> last_state;

 private:
  int stop_after_;
  int seen_ = 0;
};

const EpochRecord& epoch_zero(const std::vector<EpochRecord>& rs, int t) {
  for (const auto& r : rs)
    if (r.t == t && r.epoch == 0) return r;
  throw std::logic_error("no epoch 0 recorded for this cycle");
}

// The loss and gradient norm of cycle t's epoch 0 from the given parameters and inputs, drawn
// with the run's own streams.
std::pair<double, double> epoch_zero_from(const TrainingSettings& s, const RealVector& theta,
                                          const StateMatrix& inputs, int t) {
  const auto data = s.sample_target(s.diffusion_size, stream_key(s.seed, {kTagTarget}));
  const auto forward = quddpm::diffuse_chain(data, s.schedule, stream_key(s.seed, {kTagDiffusion}));
  const auto ut = static_cast<std::uint64_t>(t);
  const StateMatrix targets = quddpm::draw_without_replacement(
      forward[t], s.samples, stream_key(s.seed, {kTagBatch, ut, 0}));
  const quddpm::HeaCircuit circuit(s.n_data, s.n_ancilla, s.layers);
  quddpm::StepGradient step(circuit);
  const auto r = step.evaluate(theta.data(), inputs, targets,
                               quddpm::sampled_outcomes(stream_key(s.seed, {kTagOutcome, ut, 0})));
  return {r.loss, r.grad.norm()};
}

StateMatrix forward_inputs(const TrainingSettings& s, int t) {
  const auto data = s.sample_target(s.diffusion_size, stream_key(s.seed, {kTagTarget}));
  const auto forward = quddpm::diffuse_chain(data, s.schedule, stream_key(s.seed, {kTagDiffusion}));
  const auto ut = static_cast<std::uint64_t>(t);
  return quddpm::draw_without_replacement(forward[t + 1], s.samples,
                                          stream_key(s.seed, {kTagInputBatch, ut, 0}));
}

TEST(TrainingStart, WarmStartBeginsWhereThePreviousCycleEnded) {
  const auto s = small_settings(true, quddpm::TrainingInput::Chain);
  Recorder rec;
  const auto result = quddpm::train(s, rec);
  const int T = s.steps();
  // The first cycle draws from the init.
  const auto [loss0, norm0] =
      epoch_zero_from(s, quddpm::initial_params(s, T - 1), rec.inputs.at(T - 1), T - 1);
  EXPECT_EQ(epoch_zero(rec.epochs, T - 1).loss, loss0);
  EXPECT_EQ(epoch_zero(rec.epochs, T - 1).grad_norm, norm0);
  for (int t = T - 2; t >= 0; --t) {
    const RealVector previous = result.params.row(t + 1).transpose();
    const auto [loss, norm] = epoch_zero_from(s, previous, rec.inputs.at(t), t);
    EXPECT_EQ(epoch_zero(rec.epochs, t).loss, loss) << "cycle " << t;
    EXPECT_EQ(epoch_zero(rec.epochs, t).grad_norm, norm) << "cycle " << t;
    // And not from its own init draw (which a fresh start would use).
    const auto [fresh_loss, fresh_norm] =
        epoch_zero_from(s, quddpm::initial_params(s, t), rec.inputs.at(t), t);
    EXPECT_NE(epoch_zero(rec.epochs, t).grad_norm, fresh_norm) << "cycle " << t;
  }
}

TEST(TrainingStart, FreshStartBeginsFromEachCyclesOwnDraw) {
  const auto s = small_settings(false, quddpm::TrainingInput::Chain);
  Recorder rec;
  quddpm::train(s, rec);
  for (int t = s.steps() - 1; t >= 0; --t) {
    const auto [loss, norm] = epoch_zero_from(s, quddpm::initial_params(s, t), rec.inputs.at(t), t);
    EXPECT_EQ(epoch_zero(rec.epochs, t).loss, loss) << "cycle " << t;
    EXPECT_EQ(epoch_zero(rec.epochs, t).grad_norm, norm) << "cycle " << t;
  }
}

TEST(TrainingStart, TeacherForcingTrainsOnTheForwardEnsemble) {
  const auto s = small_settings(false, quddpm::TrainingInput::Forward);
  Recorder rec;
  quddpm::train(s, rec);
  for (int t = s.steps() - 1; t >= 0; --t) {
    const auto [loss, norm] =
        epoch_zero_from(s, quddpm::initial_params(s, t), forward_inputs(s, t), t);
    EXPECT_EQ(epoch_zero(rec.epochs, t).loss, loss) << "cycle " << t;
    EXPECT_EQ(epoch_zero(rec.epochs, t).grad_norm, norm) << "cycle " << t;
  }
  // The recorded chain is still the backward chain: the same circuits applied to the prior.
  const auto chain = quddpm::train(s, rec);
  EXPECT_EQ(chain.generated, quddpm::generate_samples(s, chain.params));
}

// A stop inside a cycle after the first, resumed, ends bitwise where an uninterrupted warm
// run ends: the warm start reads the trained rows the state carries.
TEST(TrainingStart, WarmStartResumesBitwise) {
  const auto s = small_settings(true, quddpm::TrainingInput::Chain);
  Recorder whole;
  const auto uninterrupted = quddpm::train(s, whole);
  for (int stop_after : {3, 5, 7, 13}) {
    Recorder first(stop_after);
    const auto stopped = quddpm::train(s, first);
    ASSERT_TRUE(stopped.stopped);
    ASSERT_TRUE(first.last_state.has_value());
    Recorder rest;
    const auto resumed = quddpm::train(s, rest, &*first.last_state);
    EXPECT_EQ(resumed.params, uninterrupted.params) << "stopped after " << stop_after;
    EXPECT_EQ(resumed.generated, uninterrupted.generated) << "stopped after " << stop_after;
  }
}

}  // namespace
