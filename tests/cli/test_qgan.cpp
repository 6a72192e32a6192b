// `quddpm train` with `model: qgan` (docs/model.md, section 10): the run folder holds the game's
// traces and results (which `generate` reproduces), the last phase's row agrees with a dense
// recomputation from the saved players and ensembles, the numbers do not depend on the thread
// count, and the keys of the other model are refused by name either way.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "app/formats/npy.hpp"
#include "support/background_process.hpp"
#include "support/csv_rows.hpp"
#include "support/dense_circuit.hpp"
#include "support/refusal.hpp"
#include "support/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using testing_cli::read_csv;
using testing_cli::run_quddpm;
using testing_cli::slurp;

constexpr int kData = 2, kAncilla = 1, kLg = 3, kLc = 2, kSamples = 10, kCycles = 2;

nlohmann::json game_config() {
  return {{"model", "qgan"},
          {"seed", 3},
          {"qubits", {{"data", kData}, {"ancilla", kAncilla}}},
          {"target", {{"kind", "cluster"}, {"scale", 0.1}}},
          {"circuit", {{"layers", kLg}}},
          {"training", {{"samples", kSamples}, {"diffusion_size", 25}, {"learning_rate", 0.05}}},
          {"qgan",
           {{"discriminator_layers", kLc},
            {"cycles", kCycles},
            {"discriminator_epochs", 15},
            {"generator_epochs", 20}}}};
}

std::string write(const fs::path& dir, const std::string& name, const nlohmann::json& j) {
  const fs::path path = dir / name;
  std::ofstream(path) << j.dump();
  return path.string();
}

std::vector<double> row_of(const quddpm::RealMatrix& m) {
  return std::vector<double>(m.data(), m.data() + m.size());
}

TEST(QganRun, TrainWritesTheGameWhoseLastRowTheSavedFilesReproduce) {
  const auto dir = testing_cli::scratch_dir("qgan_run");
  const std::string cfg = write(dir, "game.json", game_config());
  const fs::path out = dir / "run";
  const auto r = run_quddpm("train " + cfg + " --quiet --threads 1 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* f : {"config.json", "manifest.json", "qgan_epochs.csv", "qgan_phases.csv",
                        "generator.npy", "discriminator.npy", "generated.npy", "test_generated.npy",
                        "inputs.npy", "test_inputs.npy", "data.npy"})
    EXPECT_TRUE(fs::is_regular_file(out / f)) << f;
  EXPECT_FALSE(fs::exists(dir / "run.partial"));

  const auto epochs = read_csv(out / "qgan_epochs.csv");
  EXPECT_EQ(epochs.size(), static_cast<std::size_t>(kCycles * (15 + 20)));
  const auto phases = read_csv(out / "qgan_phases.csv");
  ASSERT_EQ(phases.size(), 1u + 2u * kCycles);
  EXPECT_EQ(phases.front().at("phase"), "start");
  EXPECT_EQ(phases.back().at("phase"), "generator");
  EXPECT_EQ(phases.back().at("model"), "qgan");

  // P_real of the generated states through the saved discriminator, and their MMD to the
  // data, from dense matrices: the last row's numbers.
  const std::vector<double> phi =
      row_of(quddpm::npy::read_reals((out / "discriminator.npy").string()));
  ASSERT_EQ(phi.size(), static_cast<std::size_t>(2 * kData * kLc));
  const dense::Mat gen = quddpm::npy::read_states((out / "generated.npy").string()).transpose();
  const dense::Mat data = quddpm::npy::read_states((out / "data.npy").string()).transpose();
  ASSERT_EQ(gen.cols(), kSamples);
  const dense::Mat u = dense::pqc(phi, kData, kLc);
  const dense::Mat z0 = dense::on_qubit(dense::pauli('Z'), 0, kData);
  double p = 0;
  for (int i = 0; i < gen.cols(); ++i) {
    const dense::Vec v = u * gen.col(i);
    p += 0.5 * (1 + (v.adjoint() * z0 * v)(0, 0).real()) / gen.cols();
  }
  EXPECT_NEAR(std::stod(phases.back().at("p_real_on_generated")), p, 1e-12);
  EXPECT_NEAR(std::stod(phases.back().at("mmd_to_data")), dense::mmd_cols(gen, data), 1e-12);

  // `generate` with the training seed and sample count: the run's generated.npy, bit for bit.
  const fs::path again = dir / "again.npy";
  const auto g = run_quddpm("generate --model " + out.string() + " --samples " +
                            std::to_string(kSamples) + " --seed 3 --out " + again.string());
  ASSERT_EQ(g.status, 0) << g.err;
  EXPECT_EQ(slurp(again.string()), slurp((out / "generated.npy").string()));

  // The run's config draws its data.npy again (a run folder from git keeps none).
  const fs::path target = dir / "target.npy";
  const auto t =
      run_quddpm("config " + (out / "config.json").string() + " --target-out " + target.string());
  ASSERT_EQ(t.status, 0) << t.err;
  EXPECT_EQ(slurp(target.string()), slurp((out / "data.npy").string()));

  // The same game on two threads: the same bytes.
  const fs::path out2 = dir / "run2";
  const auto r2 = run_quddpm("train " + cfg + " --quiet --threads 2 --out " + out2.string());
  ASSERT_EQ(r2.status, 0) << r2.err;
  EXPECT_EQ(slurp((out / "generator.npy").string()), slurp((out2 / "generator.npy").string()));
  EXPECT_EQ(slurp((out / "generated.npy").string()), slurp((out2 / "generated.npy").string()));
  EXPECT_EQ(slurp((out / "qgan_epochs.csv").string()), slurp((out2 / "qgan_epochs.csv").string()));
}

TEST(QganRun, KeysOfTheOtherModelAreRefusedByName) {
  const auto dir = testing_cli::scratch_dir("qgan_keys");
  struct Case {
    std::string set, key, label;
  };
  for (const Case& c : {Case{"diffusion.steps=4", "'diffusion.steps'", "a diffusion key"},
                        Case{"diffusion.schedule.start=0.2", "'diffusion.schedule.start'",
                             "a kind-tagged schedule key"},
                        Case{"training.epochs=5", "'training.epochs'", "QuDDPM epochs"},
                        Case{"loss.kind=wasserstein", "'loss.kind'", "a loss"},
                        Case{"circuit.init.kind=uniform", "'circuit.init.kind'", "uniform init"}}) {
    const std::string cfg = write(dir, "game.json", game_config());
    testing_cli::expect_refused(
        dir, "train " + cfg + " --set " + c.set + " --out " + (dir / "run").string(),
        {c.key, "qgan"}, c.label);
  }
  nlohmann::json quddpm = game_config();
  quddpm["model"] = "original";
  const std::string cfg = write(dir, "original.json", quddpm);
  testing_cli::expect_refused(dir, "train " + cfg + " --out " + (dir / "run").string(),
                              {"'qgan.discriminator_layers'", "applies only when"},
                              "a qgan key for the original model");
}

TEST(QganRun, AStopRemovesTheRunAndResumeIsRefusedByName) {
  const auto dir = testing_cli::scratch_dir("qgan_stop");
  nlohmann::json j = game_config();
  j["qgan"]["generator_epochs"] = 1000000;  // far longer than the test waits
  const std::string cfg = write(dir, "long.json", j);
  const fs::path out = dir / "run", partial = dir / "run.partial";
  const pid_t pid =
      testing_cli::start_quddpm({"train", cfg, "--out", out.string(), "--threads", "1", "--quiet"},
                                (dir / "out.txt").string(), (dir / "err.txt").string());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!fs::exists(partial / "qgan_epochs.csv") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(fs::exists(partial / "qgan_epochs.csv")) << "the game did not start";
  ::kill(pid, SIGTERM);
  const int status = testing_cli::wait_for(pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
  const std::string err = slurp((dir / "err.txt").string());
  EXPECT_NE(err.find("interrupted by SIGTERM: a QGAN run keeps no checkpoint"), std::string::npos)
      << err;
  EXPECT_FALSE(fs::exists(partial));
  EXPECT_FALSE(fs::exists(out));

  // A folder of a QGAN run left behind (a SIGKILL) is not resumed: --resume names why.
  fs::create_directories(partial);
  std::ofstream(partial / ".quddpm-run").close();
  std::ofstream(partial / "config.json") << slurp(cfg);
  const auto r = run_quddpm("train --resume " + out.string());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("is a QGAN run, which keeps no checkpoint"), std::string::npos) << r.err;
}

}  // namespace
