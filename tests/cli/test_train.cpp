// `quddpm train` end to end: learning happens, runs are reproducible whatever the thread
// count, and bad configs are refused before anything is written.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>

#include "app/formats/npy.hpp"
#include "model/metrics.hpp"
#include "support/csv_rows.hpp"
#include "support/run_command.hpp"

namespace {

using testing_cli::read_csv;
using testing_cli::run_quddpm;
using testing_cli::slurp;
namespace fs = std::filesystem;

std::string write_config(const fs::path& dir, const nlohmann::json& j, const std::string& name) {
  const std::string path = (dir / name).string();
  std::ofstream(path) << j.dump(2);
  return path;
}

// Small original-preset run on 1 data + 1 ancilla qubit.
nlohmann::json tiny_original() {
  return {{"model", "original"},
          {"seed", 7},
          {"qubits", {{"data", 1}, {"ancilla", 1}}},
          {"diffusion", {{"steps", 4}}},
          {"training",
           {{"samples", 40}, {"diffusion_size", 80}, {"epochs", 80}, {"learning_rate", 0.05}}}};
}

TEST(TrainOriginalTiny, LowersTheLossAndEndsNearTheTarget) {
  const auto dir = testing_cli::scratch_dir("train_tiny");
  const std::string cfg = write_config(dir, tiny_original(), "tiny.json");
  auto r = run_quddpm("train " + cfg + " --out " + (dir / "run").string());
  ASSERT_EQ(r.status, 0) << r.err;
  const fs::path run = dir / "run";
  for (const char* f : {"config.json", "epochs.csv", "layers.csv", "cycles.csv", "diffusion.csv",
                        "params.npy", "generated.npy", "data.npy", "prior.npy"})
    EXPECT_TRUE(fs::exists(run / f)) << f;

  // Within each cycle: the mean loss of the last 10 epochs is below that of the first 10.
  const auto epochs = read_csv(run / "epochs.csv");
  ASSERT_EQ(epochs.size(), 4u * 80u);
  int lowered = 0;
  for (int t = 0; t < 4; ++t) {
    double first = 0, last = 0;
    for (const auto& row : epochs) {
      if (std::stoi(row.at("t")) != t) continue;
      const int e = std::stoi(row.at("epoch"));
      if (e < 10) first += std::stod(row.at("loss")) / 10;
      if (e >= 70) last += std::stod(row.at("loss")) / 10;
    }
    lowered += last < 0.8 * first;
  }
  EXPECT_GE(lowered, 3);

  // The generated ensemble is much closer to the data than the Haar prior it started from.
  const auto cycles = read_csv(run / "cycles.csv");
  ASSERT_EQ(cycles.size(), 5u);
  EXPECT_EQ(cycles.front().at("t"), "4");
  EXPECT_EQ(cycles.back().at("t"), "0");
  const double prior = std::stod(cycles.front().at("mmd_to_data"));
  const double generated = std::stod(cycles.back().at("mmd_to_data"));
  EXPECT_LT(generated, 0.5 * prior) << "prior " << prior << " generated " << generated;

  // The recorded metric is the metric of the written files.
  const auto gen = quddpm::npy::read_states((run / "generated.npy").string());
  const auto data = quddpm::npy::read_states((run / "data.npy").string());
  EXPECT_NEAR(quddpm::mmd(gen, data), generated, 1e-12);
  // W against the first N states of the data (N = the generated ensemble's size).
  EXPECT_NEAR(quddpm::wasserstein(gen, data.topRows(gen.rows())),
              std::stod(cycles.back().at("wasserstein_to_data")), 1e-12);
  const auto params = quddpm::npy::read_reals((run / "params.npy").string());
  EXPECT_EQ(params.rows(), 4);
  EXPECT_EQ(params.cols(), 2 * 2 * 4);  // L = 2 ntot by default
  fs::remove_all(dir);
}

TEST(TrainDeterminism, SameSeedSameBitsWithOneAndTwoThreads) {
  const auto dir = testing_cli::scratch_dir("train_threads");
  nlohmann::json j = tiny_original();
  j["model"] = "improved";
  j["qubits"] = {{"data", 2}, {"ancilla", 1}};
  j["diffusion"]["steps"] = 3;
  j["training"]["epochs"] = 10;
  const std::string cfg = write_config(dir, j, "det.json");
  for (int threads : {1, 2}) {
    auto r = run_quddpm("train " + cfg + " --threads " + std::to_string(threads) + " --out " +
                        (dir / ("t" + std::to_string(threads))).string());
    ASSERT_EQ(r.status, 0) << r.err;
  }
  for (const char* f : {"epochs.csv", "layers.csv", "cycles.csv", "diffusion.csv", "params.npy",
                        "generated.npy", "data.npy", "prior.npy"}) {
    const std::string a = slurp((dir / "t1" / f).string()), b = slurp((dir / "t2" / f).string());
    EXPECT_FALSE(a.empty()) << f;
    if (std::string(f) == "cycles.csv") {
      // The wall-time column differs; every other cell must agree bit for bit.
      auto ra = read_csv(dir / "t1" / f), rb = read_csv(dir / "t2" / f);
      ASSERT_EQ(ra.size(), rb.size());
      for (std::size_t k = 0; k < ra.size(); ++k) {
        ra[k].erase("seconds");
        rb[k].erase("seconds");
        EXPECT_EQ(ra[k], rb[k]) << "row " << k;
      }
    } else {
      EXPECT_EQ(a, b) << f;
    }
  }
  // The resolved configs differ only in the output directory.
  auto ca = nlohmann::json::parse(slurp((dir / "t1" / "config.json").string()));
  auto cb = nlohmann::json::parse(slurp((dir / "t2" / "config.json").string()));
  EXPECT_NE(ca["output"], cb["output"]);
  ca.erase("output");
  cb.erase("output");
  EXPECT_EQ(ca, cb);
  fs::remove_all(dir);
}

// The transport losses train too, bit for bit the same with one and two threads; the epoch's
// loss is the loss's own (W of the outputs is at least 0, OT_eps too), and the last epoch's is
// the cycle's final_loss.
TEST(TrainDeterminism, TransportLossesSameBitsWithOneAndTwoThreads) {
  const auto dir = testing_cli::scratch_dir("train_transport");
  for (const char* loss : {"wasserstein", "sinkhorn"}) {
    SCOPED_TRACE(loss);
    nlohmann::json j = tiny_original();
    j["qubits"] = {{"data", 2}, {"ancilla", 1}};
    j["diffusion"]["steps"] = 2;
    j["training"]["epochs"] = 6;
    j["loss"] = {{"kind", loss}};
    const std::string cfg = write_config(dir, j, std::string(loss) + ".json");
    for (int threads : {1, 2}) {
      auto r = run_quddpm("train " + cfg + " --threads " + std::to_string(threads) + " --out " +
                          (dir / (std::string(loss) + std::to_string(threads))).string());
      ASSERT_EQ(r.status, 0) << r.err;
    }
    const fs::path a = dir / (std::string(loss) + "1"), b = dir / (std::string(loss) + "2");
    for (const char* f : {"epochs.csv", "layers.csv", "params.npy", "generated.npy"})
      EXPECT_EQ(slurp((a / f).string()), slurp((b / f).string())) << f;
    auto ca = read_csv(a / "cycles.csv"), cb = read_csv(b / "cycles.csv");
    ASSERT_EQ(ca.size(), 3u);
    ASSERT_EQ(ca.size(), cb.size());
    for (std::size_t k = 0; k < ca.size(); ++k) {
      ca[k].erase("seconds");
      cb[k].erase("seconds");
      EXPECT_EQ(ca[k], cb[k]) << "row " << k;
    }
    const auto epochs = read_csv(a / "epochs.csv");
    for (const auto& row : epochs)
      EXPECT_GE(std::stod(row.at("loss")), 0.0);
    EXPECT_EQ(epochs.back().at("loss"), ca.back().at("final_loss"));
  }
  fs::remove_all(dir);
}

// The improved preset's schedule end "auto": the search's result is recorded in config.json and
// as the last step's h in diffusion.csv, the chain's terminal ensemble sits at the target
// distance from Haar, prior.npy is the S~_T that cycles.csv describes, and rerunning the
// written config.json (which holds the result) gives the same files.
TEST(TrainAutoSchedule, RecordsTheCalibratedEndAndHitsTheTarget) {
  const auto dir = testing_cli::scratch_dir("train_auto");
  nlohmann::json j = tiny_original();
  j["model"] = "improved";
  j["qubits"] = {{"data", 3}, {"ancilla", 1}};
  j["diffusion"] = {{"steps", 3}, {"schedule", {{"target_mmd_to_haar", 0.3}}}};
  j["training"]["epochs"] = 5;
  const std::string cfg = write_config(dir, j, "auto.json");
  auto r = run_quddpm("train " + cfg + " --out " + (dir / "a").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("schedule end calibrated"), std::string::npos) << r.err;
  const auto resolved = nlohmann::json::parse(slurp((dir / "a" / "config.json").string()));
  const auto& sched = resolved["diffusion"]["schedule"];
  EXPECT_EQ(sched["end"], "auto");
  EXPECT_EQ(sched["target_mmd_to_haar"], 0.3);
  const double end = sched["calibrated_end"].get<double>();
  const auto diffusion = read_csv(dir / "a" / "diffusion.csv");
  ASSERT_EQ(diffusion.size(), 4u);
  EXPECT_EQ(diffusion[0].at("h"), "nan");
  EXPECT_EQ(std::stod(diffusion[1].at("h")), 0.1);
  EXPECT_EQ(std::stod(diffusion[3].at("h")), end);
  EXPECT_NEAR(std::stod(diffusion[3].at("mmd_to_haar")), 0.3, 1e-4);

  const auto prior = quddpm::npy::read_states((dir / "a" / "prior.npy").string());
  const auto data = quddpm::npy::read_states((dir / "a" / "data.npy").string());
  const auto cycles = read_csv(dir / "a" / "cycles.csv");
  ASSERT_EQ(prior.rows(), 40);
  EXPECT_EQ(cycles.front().at("t"), "3");
  EXPECT_NEAR(quddpm::mmd(prior, data), std::stod(cycles.front().at("mmd_to_data")), 1e-12);
  EXPECT_NEAR(quddpm::kl_divergence(data, prior), std::stod(cycles.front().at("kl_to_data")),
              1e-12);
  EXPECT_NEAR(quddpm::wasserstein(prior, data.topRows(prior.rows())),
              std::stod(cycles.front().at("wasserstein_to_data")), 1e-12);

  r = run_quddpm("train " + (dir / "a" / "config.json").string() + " --out " +
                 (dir / "b").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find("schedule end calibrated"), std::string::npos) << r.err;
  for (const char* f : {"params.npy", "generated.npy", "prior.npy", "diffusion.csv"})
    EXPECT_EQ(slurp((dir / "a" / f).string()), slurp((dir / "b" / f).string())) << f;
  fs::remove_all(dir);
}

// A target the forward chain cannot reach is refused before anything is written.
TEST(TrainAutoSchedule, UnreachableTargetWritesNothing) {
  const auto dir = testing_cli::scratch_dir("train_auto_bad");
  nlohmann::json j = tiny_original();
  j["model"] = "improved";
  j["diffusion"] = {{"steps", 3}, {"schedule", {{"start", 3.0}, {"target_mmd_to_haar", 0.9}}}};
  const std::string cfg = write_config(dir, j, "bad.json");
  auto r = run_quddpm("train " + cfg + " --out " + (dir / "run").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("bad.json: diffusion.schedule.end \"auto\" cannot reach"), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir / "run"));
  EXPECT_FALSE(fs::exists(dir / "run.partial"));
  fs::remove_all(dir);
}

// layers.csv holds L rows per epoch whose root-sum-square is that epoch's grad_norm.
TEST(TrainLayerGradientNorms, RootSumSquareIsTheGradientNorm) {
  const auto dir = testing_cli::scratch_dir("train_layers");
  nlohmann::json j = tiny_original();
  j["qubits"] = {{"data", 2}, {"ancilla", 1}};
  j["diffusion"]["steps"] = 2;
  j["training"]["epochs"] = 5;
  j["circuit"] = {{"layers", 3}};
  const std::string cfg = write_config(dir, j, "layers.json");
  auto r = run_quddpm("train " + cfg + " --quiet --out " + (dir / "run").string());
  ASSERT_EQ(r.status, 0) << r.err;
  const auto epochs = read_csv(dir / "run" / "epochs.csv");
  const auto layers = read_csv(dir / "run" / "layers.csv");
  ASSERT_EQ(epochs.size(), 2u * 5u);
  ASSERT_EQ(layers.size(), 3 * epochs.size());
  for (std::size_t k = 0; k < epochs.size(); ++k) {
    double sum = 0;
    for (int l = 0; l < 3; ++l) {
      const auto& row = layers[3 * k + l];
      EXPECT_EQ(row.at("t"), epochs[k].at("t"));
      EXPECT_EQ(row.at("epoch"), epochs[k].at("epoch"));
      EXPECT_EQ(row.at("layer"), std::to_string(l));
      EXPECT_EQ(row.at("model"), "original");
      const double g = std::stod(row.at("grad_norm"));
      EXPECT_GT(g, 0);
      sum += g * g;
    }
    const double total = std::stod(epochs[k].at("grad_norm"));
    EXPECT_NEAR(std::sqrt(sum), total, 1e-12 * total) << "epoch row " << k;
  }
  fs::remove_all(dir);
}

TEST(TrainRefusesBadInput, NothingIsWritten) {
  const auto dir = testing_cli::scratch_dir("train_bad");
  struct Bad {
    std::string name;
    nlohmann::json patch;  // merged into tiny_original()
    std::string extra, needle;
  };
  const std::vector<Bad> cases = {
      {"unknown_key", {{"trainig", {{"epochs", 3}}}}, "", "training"},
      {"samples_gt_pool", {{"training", {{"samples", 90}}}}, "", "training.samples"},
      {"zero_layers", {{"circuit", {{"layers", 0}}}}, "", "circuit.layers"},
      {"huge", {{"qubits", {{"data", 29}}}}, "", "qubits"},
      {"wrong_type", {{"qubits", {{"data", "two"}}}}, "", "qubits.data"},
      {"bad_set", {}, "--set training.epochs", "--set"},
      {"bad_threads", {}, "--threads -3", "--threads"},
  };
  for (const Bad& c : cases) {
    nlohmann::json j = tiny_original();
    if (c.patch.is_object()) j.merge_patch(c.patch);
    const std::string cfg = write_config(dir, j, c.name + ".json");
    const fs::path out = dir / ("out_" + c.name);
    auto r = run_quddpm("train " + cfg + " --out " + out.string() + " " + c.extra);
    EXPECT_NE(r.status, 0) << c.name;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.name << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.name << ": " << r.err;
    EXPECT_FALSE(fs::exists(out)) << c.name;
    EXPECT_FALSE(fs::exists(out.string() + ".partial")) << c.name;
  }
  // A missing config file, and an existing results directory without --force.
  auto r = run_quddpm("train " + (dir / "nope.json").string());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("nope.json"), std::string::npos) << r.err;
  fs::create_directories(dir / "taken");
  std::ofstream(dir / "taken" / "keep.txt") << "precious";
  const std::string cfg = write_config(dir, tiny_original(), "ok.json");
  r = run_quddpm("train " + cfg + " --out " + (dir / "taken").string());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_EQ(slurp((dir / "taken" / "keep.txt").string()), "precious");
  fs::remove_all(dir);
}

}  // namespace
