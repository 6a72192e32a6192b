// The config schema and the trainer agree on every range: the smallest run the schema accepts
// trains, and one step below any of the trainer's limits is refused by check_run, naming the key,
// before anything could be written (model/trainer.cpp's validate() names no key).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "app/config/experiment.hpp"
#include "core/rng.hpp"
#include "model/diffusion.hpp"
#include "model/metrics.hpp"
#include "model/trainer.hpp"

namespace quddpm::app {
namespace {

namespace fs = std::filesystem;

// The smallest run: one data qubit, no ancilla, one layer, one step, one epoch, two states.
const char* kSmallest = R"({"model": "original", "qubits": {"data": 1, "ancilla": 0},
  "circuit": {"layers": 1}, "diffusion": {"steps": 1},
  "training": {"samples": 2, "diffusion_size": 2, "epochs": 1}})";

std::string write_config(const std::string& name, const std::string& text = kSmallest) {
  const fs::path p = fs::temp_directory_path() /
                     ("quddpm_experiment_" + std::to_string(::getpid()) + "_" + name + ".json");
  std::ofstream(p) << text;
  return p.string();
}

TEST(CheckRun, TheSmallestRunTheSchemaAcceptsTrains) {
  const std::string cfg = write_config("smallest");
  CheckedRun run = check_run(cfg, {});
  EXPECT_FALSE(calibrate_schedule(run).has_value());  // a fixed end: nothing to calibrate
  TrainingObserver quiet;
  const TrainingResult r = train(make_settings(run), quiet);
  EXPECT_EQ(r.params.rows(), 1);
  EXPECT_EQ(r.generated.rows(), 2);
  fs::remove(cfg);
}

TEST(CheckRun, OneBelowEachOfTheTrainersLimitsIsRefusedNamingTheKey) {
  const std::string cfg = write_config("below");
  const std::vector<std::pair<std::string, int>> below = {{"training.samples", 1},
                                                          {"training.diffusion_size", 1},
                                                          {"training.epochs", 0},
                                                          {"diffusion.steps", 0}};
  for (const auto& [key, value] : below) {
    try {
      check_run(cfg, {key + "=" + std::to_string(value)});
      ADD_FAILURE() << key << " = " << value << " passed";
    } catch (const config::Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind(cfg + ": '" + key + "' must be an integer >= ", 0), 0u)
          << e.what();
    }
  }
  fs::remove(cfg);
}

// Records the forward chain's rows.
class DiffusionRecorder : public TrainingObserver {
 public:
  void on_diffusion(const DiffusionRecord& r) override { rows.push_back(r); }
  std::vector<DiffusionRecord> rows;
};

// The forward chain of a run follows the config's schedule exactly: the settings hold h_t as
// computed here from the schedule's definition, every record of diffusion.csv holds it, and
// each S_t is the chain run with those strengths (its MMD to S_0 recomputed independently).
void expect_chain_follows(const std::string& config_text, const std::vector<double>& expected) {
  const std::string cfg = write_config("schedule", config_text);
  const CheckedRun run = check_run(cfg, {});
  fs::remove(cfg);
  const TrainingSettings s = make_settings(run);
  ASSERT_EQ(s.schedule, expected);
  DiffusionRecorder rec;
  train(s, rec);
  ASSERT_EQ(rec.rows.size(), expected.size() + 1);
  const StateMatrix s0 = s.sample_target(s.diffusion_size, stream_key(s.seed, {kTagTarget}));
  const std::vector<StateMatrix> chain =
      diffuse_chain(s0, expected, stream_key(s.seed, {kTagDiffusion}));
  for (std::size_t t = 1; t < rec.rows.size(); ++t) {
    EXPECT_EQ(rec.rows[t].h, expected[t - 1]) << t;
    EXPECT_EQ(rec.rows[t].mmd_to_data, mmd(chain[t], s0)) << t;
  }
}

TEST(ConfigSchedules, ListedStrengthsAreTheChainsStrengths) {
  expect_chain_follows(R"({"model": "original", "qubits": {"data": 2, "ancilla": 1},
      "circuit": {"layers": 1}, "diffusion": {"steps": 4,
      "schedule": {"kind": "list", "values": [0.05, 1.2, 0.3, 4]}},
      "training": {"samples": 4, "diffusion_size": 6, "epochs": 1}})",
                       {0.05, 1.2, 0.3, 4.0});
}

TEST(ConfigSchedules, QuadraticStrengthsAreEndTimesTSquaredOverTSquared) {
  std::vector<double> expected;
  for (int t = 1; t <= 5; ++t)
    expected.push_back(2.5 * (t * t / 25.0));
  expect_chain_follows(R"({"model": "improved", "qubits": {"data": 2, "ancilla": 1},
      "circuit": {"layers": 1}, "diffusion": {"steps": 5,
      "schedule": {"kind": "quadratic", "end": 2.5}},
      "training": {"samples": 4, "diffusion_size": 6, "epochs": 1}})",
                       expected);
}

// The new targets reach the run: S_0 is the model's ensemble of the config's parameters.
TEST(ConfigTargets, TfimAndCircleSamplersAreTheModels) {
  const std::string tfim = write_config("tfim", R"({"model": "original",
      "qubits": {"data": 3, "ancilla": 1}, "diffusion": {"steps": 1},
      "target": {"kind": "tfim", "boundary": "periodic", "g_min": 0.5, "g_max": 0.9},
      "training": {"samples": 2, "diffusion_size": 5, "epochs": 1}})");
  const TrainingSettings t = make_settings(check_run(tfim, {}));
  fs::remove(tfim);
  EXPECT_EQ(t.sample_target(5, 17), make_tfim(3, 5, {TfimBoundary::Periodic, 0.5, 0.9}, 17));
  const std::string circle = write_config("circle", R"({"model": "original",
      "qubits": {"data": 1, "ancilla": 1}, "target": {"kind": "circle"}})");
  const TrainingSettings c = make_settings(check_run(circle, {}));
  fs::remove(circle);
  EXPECT_EQ(c.sample_target(7, 3), make_circle(7, 3));
}

TEST(ConfigOptimizer, SgdKeysReachTheTrainer) {
  const std::string cfg = write_config("sgd", R"({"model": "original", "qubits": {"data": 1},
      "training": {"optimizer": "sgd", "momentum": 0.8, "learning_rate": 0.01,
                   "decay_every": 400, "decay_factor": 0.5}})");
  const TrainingSettings s = make_settings(check_run(cfg, {}));
  fs::remove(cfg);
  EXPECT_EQ(s.optimizer, OptimizerKind::Sgd);
  EXPECT_EQ(s.momentum, 0.8);
  EXPECT_EQ(s.learning_rate, 0.01);
  EXPECT_EQ(s.decay_every, 400);
  EXPECT_EQ(s.decay_factor, 0.5);
}

}  // namespace
}  // namespace quddpm::app
