// `quddpm generate`: fresh samples of a trained model behave like the ensemble its training
// ended with, the training seed reproduces that ensemble exactly, and bad requests are refused
// without output.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "app/formats/npy.hpp"
#include "model/metrics.hpp"
#include "support/csv_rows.hpp"
#include "support/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using testing_cli::read_csv;
using testing_cli::run_quddpm;
using testing_cli::slurp;

constexpr int kSamples = 40;

// A tiny original-preset model, trained once per test (with the measurement's outcome rule).
fs::path train_model(const fs::path& dir, const std::string& outcomes = "sampled") {
  const nlohmann::json j = {{"model", "original"},
                            {"seed", 7},
                            {"qubits", {{"data", 1}, {"ancilla", 1}}},
                            {"diffusion", {{"steps", 4}}},
                            {"training",
                             {{"samples", kSamples},
                              {"diffusion_size", 80},
                              {"epochs", 80},
                              {"learning_rate", 0.05},
                              {"outcomes", outcomes}}}};
  std::ofstream(dir / "tiny.json") << j.dump();
  const fs::path model = dir / "model";
  const auto r =
      run_quddpm("train " + (dir / "tiny.json").string() + " --threads 1 --out " + model.string());
  EXPECT_EQ(r.status, 0) << r.err;
  return model;
}

nlohmann::json generate(const fs::path& model, int samples, int seed, const fs::path& out) {
  const auto r =
      run_quddpm("generate --model " + model.string() + " --samples " + std::to_string(samples) +
                 " --seed " + std::to_string(seed) + " --out " + out.string() + " --force");
  EXPECT_EQ(r.status, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

TEST(Generate, TrainingSeedAndSampleCountReproduceTheGeneratedEnsemble) {
  const auto dir = testing_cli::scratch_dir("generate_same");
  const fs::path model = train_model(dir);
  const fs::path out = dir / "again.npy";
  const auto j = generate(model, kSamples, 7, out);
  EXPECT_EQ(slurp(out.string()), slurp((model / "generated.npy").string()));
  EXPECT_EQ(j["samples"], kSamples);
  // The printed metrics are those of the written file against the run's data.
  const auto gen = quddpm::npy::read_states(out.string());
  const auto data = quddpm::npy::read_states((model / "data.npy").string());
  EXPECT_EQ(j["mmd"].get<double>(), quddpm::mmd(gen, data));
  EXPECT_EQ(j["kl"].get<double>(), quddpm::kl_divergence(data, gen));
  EXPECT_EQ(j["mmd_to_haar_model"].get<double>(), quddpm::mmd_to_haar(gen));
  EXPECT_EQ(j["mmd_to_haar_target"].get<double>(), quddpm::mmd_to_haar(data));
  // The same key names as `quddpm metrics` on the same two files.
  const auto m = testing_cli::run_quddpm("metrics --model " + out.string() + " --target " +
                                         (model / "data.npy").string());
  ASSERT_EQ(m.status, 0) << m.err;
  const auto mj = nlohmann::json::parse(m.out);
  for (const char* key : {"mmd", "kl", "mmd_to_haar_model", "mmd_to_haar_target"})
    EXPECT_EQ(mj[key], j[key]) << key;
  fs::remove_all(dir);
}

// A run folder without its data.npy (as git keeps it): `config --target-out` draws the same
// file again from the run's config, and `generate` draws it itself, prints the same metrics and
// says so on stderr.
TEST(Generate, RunFolderWithoutItsDataDrawsTheSameDataAgain) {
  const auto dir = testing_cli::scratch_dir("generate_no_data");
  const fs::path model = train_model(dir);
  const fs::path target = dir / "target.npy";
  const auto t = testing_cli::run_quddpm("config " + (model / "config.json").string() +
                                         " --target-out " + target.string());
  ASSERT_EQ(t.status, 0) << t.err;
  EXPECT_EQ(slurp(target.string()), slurp((model / "data.npy").string()));
  // An existing file is not replaced.
  const auto again = testing_cli::run_quddpm("config " + (model / "config.json").string() +
                                             " --target-out " + target.string());
  EXPECT_NE(again.status, 0);
  EXPECT_NE(again.err.find("--target-out"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  // Nor is a file written into a folder that is not there (refused before the draw).
  const fs::path nowhere = dir / "missing" / "target.npy";
  const auto lost = testing_cli::run_quddpm("config " + (model / "config.json").string() +
                                            " --target-out " + nowhere.string());
  EXPECT_NE(lost.status, 0);
  EXPECT_NE(lost.err.find("--target-out: " + nowhere.string() + ": cannot write: directory"),
            std::string::npos)
      << lost.err;
  EXPECT_EQ(lost.out, "");  // no JSON either: the checks come before any output

  const auto with_data = generate(model, 25, 9, dir / "a.npy");
  fs::remove(model / "data.npy");
  const auto r =
      testing_cli::run_quddpm("generate --model " + model.string() +
                              " --samples 25 --seed 9 --out " + (dir / "b.npy").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), with_data);
  EXPECT_NE(r.err.find("drawn again"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(model / "data.npy"));  // generate never writes into the run folder
  fs::remove_all(dir);
}

// Quenched outcomes: the training seed still reproduces the training chain bit for bit; a
// --outcomes override measures the same model by the Born rule instead, and says so.
TEST(Generate, QuenchedRunsReproduceAndOutcomesOverrideTheRule) {
  const auto dir = testing_cli::scratch_dir("generate_quenched");
  const fs::path model = train_model(dir, "quenched");
  const auto same = generate(model, kSamples, 7, dir / "same.npy");
  EXPECT_EQ(slurp((dir / "same.npy").string()), slurp((model / "generated.npy").string()));
  EXPECT_EQ(same["outcomes"], "quenched");
  const auto r =
      run_quddpm("generate --model " + model.string() + " --samples " + std::to_string(kSamples) +
                 " --seed 7 --outcomes sampled --out " + (dir / "born.npy").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["outcomes"], "sampled");
  EXPECT_NE(slurp((dir / "born.npy").string()), slurp((model / "generated.npy").string()));
  // The sampled run of the same config is another experiment: another run id.
  const auto other = testing_cli::scratch_dir("generate_quenched_sampled");
  const fs::path sampled = train_model(other);
  const auto ids = [](const fs::path& m) {
    return nlohmann::json::parse(slurp((m / "manifest.json").string()))["run_id"];
  };
  EXPECT_NE(ids(model), ids(sampled));
  fs::remove_all(dir);
  fs::remove_all(other);
}

TEST(Generate, FreshSamplesAgreeWithTheEndOfTrainingWithinTheirSpread) {
  const auto dir = testing_cli::scratch_dir("generate_fresh");
  const fs::path model = train_model(dir);
  const auto last = read_csv(model / "cycles.csv").back();
  ASSERT_EQ(last.at("t"), "0");
  const auto prior = read_csv(model / "cycles.csv").front();

  // The spread of the metrics over fresh seeds (same sample count as training) says how far
  // one more draw, the training's own S~_0, may lie from their mean.
  constexpr int kSeeds = 12;
  for (const char* metric : {"mmd", "mmd_to_haar_model"}) {
    const std::string column = std::string(metric) == "mmd" ? "mmd_to_data" : "mmd_to_haar";
    double sum = 0, sum2 = 0;
    for (int seed = 100; seed < 100 + kSeeds; ++seed) {
      const double v = generate(model, kSamples, seed, dir / "fresh.npy")[metric];
      sum += v;
      sum2 += v * v;
    }
    const double mean = sum / kSeeds;
    const double sd = std::sqrt((sum2 - kSeeds * mean * mean) / (kSeeds - 1));
    const double recorded = std::stod(last.at(column));
    EXPECT_LE(std::abs(recorded - mean), 4 * sd * std::sqrt(1.0 + 1.0 / kSeeds))
        << metric << ": recorded " << recorded << ", fresh " << mean << " +- " << sd;
    if (column == "mmd_to_data") {
      // And they are the trained model's: far closer to the data than the prior was.
      EXPECT_LT(mean + 4 * sd, 0.2 * std::stod(prior.at(column)));
    }
  }
  fs::remove_all(dir);
}

TEST(Generate, RefusesBadRequestsWithOneLineAndNoOutput) {
  const auto dir = testing_cli::scratch_dir("generate_bad");
  const fs::path model = train_model(dir);
  fs::create_directories(dir / "broken");
  fs::copy(model / "config.json", dir / "broken" / "config.json");
  fs::copy(model / "manifest.json", dir / "broken" / "manifest.json");
  fs::copy(model / "data.npy", dir / "broken" / "data.npy");
  fs::copy(model / "generated.npy", dir / "broken" / "params.npy");  // wrong dtype
  const std::string m = " --model " + model.string();
  const std::string out = (dir / "out.npy").string();
  struct Bad {
    std::string args, needle;
  };
  const std::vector<Bad> cases = {
      {"--model " + (dir / "nope").string() + " --samples 10 --seed 1 --out " + out, "--model"},
      {m + " --samples 1 --seed 1 --out " + out, "--samples"},
      {m + " --samples many --seed 1 --out " + out, "--samples"},
      {m + " --samples 10 --seed -1 --out " + out, "--seed"},
      {m + " --samples 10 --seed 1", "--out"},
      {m + " --samples 10 --seed 1 --out " + (dir / "no_dir" / "x.npy").string(), "no_dir"},
      {m + " --samples 10 --seed 1 --out " + dir.string(), "is a directory"},
      {m + " --samples 2000000000 --seed 1 --out " + out, "--samples"},
      {"--model " + (dir / "broken").string() + " --samples 10 --seed 1 --out " + out,
       "params.npy: expected dtype '<f8'"},
  };
  for (const Bad& c : cases) {
    const auto r = run_quddpm("generate " + c.args);
    EXPECT_NE(r.status, 0) << c.args;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args;
    EXPECT_FALSE(fs::exists(out)) << c.args;
  }
  fs::remove_all(dir);
}

}  // namespace
