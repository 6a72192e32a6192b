// A NaN or infinity stops training at once (docs/model.md, section 5): nothing non-finite is
// handed to the observer, the last state handed out is finite, and neither a resume state nor
// generation accepts non-finite parameters.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "model/ensembles.hpp"
#include "model/trainer.hpp"
#include "support/small_training.hpp"

namespace {

using quddpm::TrainingSettings;
using quddpm::TrainingState;

TrainingSettings tiny(double learning_rate) {
  return testing_model::small_ghz_run(1, 8, 10, learning_rate, 5);
}

class Recorder : public quddpm::TrainingObserver {
 public:
  void on_epoch(const quddpm::EpochRecord& r) override {
    all_finite = all_finite && std::isfinite(r.loss) && std::isfinite(r.grad_norm);
    ++epochs;
  }
  void on_cycle(const quddpm::CycleRecord& r) override {
    all_finite = all_finite && std::isfinite(r.mmd_to_data) && std::isfinite(r.kl_to_data);
  }
  void on_state(const TrainingState& s) override { last = s; }
  bool all_finite = true;
  int epochs = 0;
  TrainingState last;
};

// Adam moves every angle by about the learning rate per epoch: at 1.7e308 the second step
// overflows to infinity, and the circuit's states to NaN after it.
TEST(NonFinite, AnOverflowingStepStopsTrainingNamingCycleAndEpoch) {
  const TrainingSettings s = tiny(1.7e308);
  Recorder rec;
  try {
    quddpm::train(s, rec);
    FAIL() << "training went on with non-finite parameters";
  } catch (const quddpm::NonFiniteValue& e) {
    EXPECT_NE(std::string(e.what()).find("cycle t=2, epoch 1: the parameters after Adam's step "
                                         "are not finite"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(rec.all_finite);
  EXPECT_EQ(rec.epochs, 2);       // epochs 0 and 1 were finite before their steps
  EXPECT_EQ(rec.last.next_t, 2);  // the state before the first cycle
  EXPECT_TRUE(rec.last.params.allFinite());
  EXPECT_TRUE(rec.last.current.allFinite());
}

TEST(NonFinite, ResumeStateAndGenerationRefuseNonFiniteParameters) {
  const TrainingSettings s = tiny(0.05);
  Recorder rec;
  const auto result = quddpm::train(s, rec);
  quddpm::RealMatrix bad = result.params;
  bad(1, 0) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(quddpm::generate_samples(s, bad), std::invalid_argument);
  TrainingState st = rec.last;  // done: next_t = -1
  st.params = bad;
  EXPECT_THROW(quddpm::train(s, rec, &st), std::invalid_argument);
  // A cycle still to train with non-zero parameters is not a state training hands out.
  TrainingState early;
  early.next_t = 1;
  early.params = result.params;
  early.current = result.prior;
  EXPECT_THROW(quddpm::train(s, rec, &early), std::invalid_argument);
}

}  // namespace
