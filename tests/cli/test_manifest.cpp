// A run's manifest.json: the build, the session (command line, times, exit status) and the
// SHA-256 of its inputs.
#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include <fstream>

#include "app/formats/sha256.hpp"
#include "support/csv_rows.hpp"
#include "support/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using quddpm::app::sha256_hex;
using testing_cli::run_quddpm;
using testing_cli::slurp;

TEST(RunManifest, RecordsBuildSessionAndInputHashes) {
  const auto dir = testing_cli::scratch_dir("manifest");
  const nlohmann::json cfg = {{"model", "original"},
                              {"seed", 2},
                              {"qubits", {{"data", 1}, {"ancilla", 1}}},
                              {"diffusion", {{"steps", 2}}},
                              {"training", {{"samples", 8}, {"diffusion_size", 8}, {"epochs", 3}}}};
  const std::string path = (dir / "m.json").string();
  std::ofstream(path) << cfg.dump(2);
  const fs::path out = dir / "run";
  const auto r = run_quddpm("train " + path + " --threads 1 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const auto m = nlohmann::json::parse(slurp((out / "manifest.json").string()));
  for (const char* key : {"version", "commit", "compiler", "build_type", "flags", "kernels"})
    EXPECT_TRUE(m["build"].contains(key)) << key << " in " << m.dump(2);
  ASSERT_EQ(m["inputs"].size(), 1u) << m.dump(2);
  EXPECT_EQ(m["inputs"][path]["sha256"], sha256_hex(slurp(path)));
  ASSERT_EQ(m["sessions"].size(), 1u);
  const auto& s = m["sessions"][0];
  EXPECT_EQ(s["exit_status"], 0);
  EXPECT_EQ(s["threads"], 1);
  EXPECT_EQ(s["processes"], 1);  // MPI ranks
  EXPECT_GE(s["wall_seconds"].get<double>(), 0.0);
  EXPECT_FALSE(s["host"].get<std::string>().empty());
  EXPECT_EQ(s["command"][1], "train");
  EXPECT_EQ(s["command"][2], path);
  EXPECT_LE(s["start"].get<std::string>(), s["end"].get<std::string>());
  fs::remove_all(dir);
}

// Every trace row says which run it is: the run id (12 hex digits of the SHA-256 of the run's
// config.json without "output", "checkpoint", the calibrated schedule end and the newer keys
// circuit.init.warm_start and training.input at their defaults, as the manifest
// records it) and the seed; `quddpm config` gives the same id before the run. The same config and
// seed give the same id in another folder; another seed gives another id.
TEST(RunManifest, TracesCarryTheRunIdAndSeed) {
  const auto dir = testing_cli::scratch_dir("run_id");
  const nlohmann::json cfg = {{"model", "improved"},
                              {"seed", 5},
                              {"qubits", {{"data", 1}, {"ancilla", 1}}},
                              {"diffusion", {{"steps", 2}}},
                              {"training", {{"samples", 8}, {"diffusion_size", 8}, {"epochs", 3}}}};
  const std::string path = (dir / "m.json").string();
  std::ofstream(path) << cfg.dump(2);
  auto id_of = [&](const fs::path& out) {
    nlohmann::json c = nlohmann::json::parse(slurp((out / "config.json").string()));
    c.erase("output");
    c.erase("checkpoint");
    c["diffusion"]["schedule"].erase("calibrated_end");
    // Keys newer than published runs, at their defaults.
    if (c["circuit"]["init"]["warm_start"] == false) c["circuit"]["init"].erase("warm_start");
    if (c["training"]["input"] == "chain") c["training"].erase("input");
    if (c["training"]["outcomes"] == "sampled") c["training"].erase("outcomes");
    if (c["training"]["optimizer"] == "adam") c["training"].erase("optimizer");
    for (const char* key : {"decay_every", "decay_factor"})
      if (c["training"][key] == 1) c["training"].erase(key);
    if (c["loss"]["kind"] == "mmd") c.erase("loss");
    if (c["observables"].empty()) c.erase("observables");
    if (c["save_ensembles"] == false) c.erase("save_ensembles");
    return sha256_hex(c.dump()).substr(0, 12);
  };
  std::map<std::string, std::string> ids;
  for (const char* run : {"a", "b", "c"}) {
    const fs::path out = dir / run;
    const std::string seed = std::string(run) == "c" ? " --seed 6" : "";
    const auto r = run_quddpm("train " + path + seed + " --threads 1 --out " + out.string());
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string id = id_of(out);
    ids[run] = id;
    EXPECT_EQ(nlohmann::json::parse(slurp((out / "manifest.json").string()))["run_id"], id);
    const auto before = run_quddpm("config " + path + seed);
    ASSERT_EQ(before.status, 0) << before.err;
    EXPECT_EQ(nlohmann::json::parse(before.out)["run_id"], id) << "quddpm config";
    for (const char* csv : {"diffusion.csv", "epochs.csv", "layers.csv", "cycles.csv"}) {
      const auto rows = testing_cli::read_csv(out / csv);
      ASSERT_FALSE(rows.empty()) << csv;
      for (const auto& row : rows) {
        EXPECT_EQ(row.at("run_id"), id) << csv;
        EXPECT_EQ(row.at("seed"), std::string(run) == "c" ? "6" : "5") << csv;
      }
    }
  }
  EXPECT_EQ(ids["a"], ids["b"]) << "same config and seed, another folder";
  EXPECT_NE(ids["a"], ids["c"]) << "another seed";
  fs::remove_all(dir);
}

}  // namespace
