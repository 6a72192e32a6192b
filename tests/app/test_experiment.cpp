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

#include "app/experiment.hpp"
#include "model/trainer.hpp"

namespace quddpm::app {
namespace {

namespace fs = std::filesystem;

// The smallest run: one data qubit, no ancilla, one layer, one step, one epoch, two states.
const char* kSmallest = R"({"model": "original", "qubits": {"data": 1, "ancilla": 0},
  "circuit": {"layers": 1}, "diffusion": {"steps": 1},
  "training": {"samples": 2, "diffusion_size": 2, "epochs": 1}})";

std::string write_config(const std::string& name) {
  const fs::path p = fs::temp_directory_path() /
                     ("quddpm_experiment_" + std::to_string(::getpid()) + "_" + name + ".json");
  std::ofstream(p) << kSmallest;
  return p.string();
}

TEST(CheckRun, TheSmallestRunTheSchemaAcceptsTrains) {
  const std::string cfg = write_config("smallest");
  CheckedRun run = check_run(cfg, {});
  EXPECT_TRUE(std::isnan(calibrate_schedule(run)));  // a fixed end: nothing to calibrate
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

}  // namespace
}  // namespace quddpm::app
