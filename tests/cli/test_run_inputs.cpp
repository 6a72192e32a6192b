// A run folder means one experiment for good (issue "runs that cannot lie", items 1 and 4): an
// npy target is pinned by its content (run id) and kept in the folder, so a resumed run and
// `generate` use the data the run started with; an edited config.json or an unreadable
// manifest is refused, not used or rebuilt; --out and DIR.partial are never symbolic links; a
// folder that appears at DIR during a run leaves the results resumable, and says so.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/formats/npy.hpp"
#include "model/ensembles.hpp"
#include "support/background_process.hpp"
#include "support/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using testing_cli::run_quddpm;
using testing_cli::slurp;

// An npy target of GHZ-like states and a config training on it: long enough per cycle (800
// epochs of 100 states) to be stopped inside its second cycle.
std::string npy_config(const fs::path& dir, int epochs = 800) {
  const fs::path states = dir / "target.npy";
  if (!fs::exists(states))
    quddpm::npy::write_states(states.string(), quddpm::make_ghz(2, 150, quddpm::GhzParams{}, 9));
  const nlohmann::json j = {
      {"model", "original"},
      {"seed", 2},
      {"qubits", {{"data", 2}, {"ancilla", 2}}},
      {"target", {{"kind", "npy"}, {"path", states.string()}}},
      {"diffusion", {{"steps", 3}}},
      {"training",
       {{"samples", 100}, {"diffusion_size", 120}, {"epochs", epochs}, {"learning_rate", 0.05}}}};
  const std::string path = (dir / ("npy" + std::to_string(epochs) + ".json")).string();
  std::ofstream(path) << j.dump(2);
  return path;
}

nlohmann::json state_of(const fs::path& partial) {
  const std::string text = slurp((partial / "checkpoint" / "state.json").string());
  return text.empty() ? nlohmann::json() : nlohmann::json::parse(text);
}

// Starts a training run in the background and waits until its first cycle is done.
pid_t start_and_wait(const std::string& cfg, const fs::path& run) {
  const pid_t pid =
      testing_cli::start_quddpm({"train", cfg, "--threads", "1", "--out", run.string()},
                                run.string() + ".out", run.string() + ".err");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto j = state_of(run.string() + ".partial");
    if (j.is_object() && j.value("next_t", 3) <= 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pid;
}

void expect_same_training(const fs::path& a, const fs::path& b) {
  for (const char* f : {"params.npy", "generated.npy", "data.npy", "epochs.csv"})
    EXPECT_TRUE(slurp((a / f).string()) == slurp((b / f).string())) << f << " differs";
}

TEST(RunInputs, NpyTargetChangedWhileStoppedResumesFromTheRunsCopy) {
  const auto dir = testing_cli::scratch_dir("inputs_changed");
  const std::string cfg = npy_config(dir);
  auto r = run_quddpm("train " + cfg + " --threads 1 --out " + (dir / "ref").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(slurp((dir / "ref" / "target.npy").string()) == slurp((dir / "target.npy").string()));

  const fs::path run = dir / "run";
  const pid_t pid = start_and_wait(cfg, run);
  ::kill(pid, SIGTERM);
  testing_cli::wait_for(pid);
  ASSERT_TRUE(fs::exists(run.string() + ".partial"));
  // The data file is replaced while the run is stopped.
  const std::string before = slurp((dir / "target.npy").string());
  quddpm::npy::write_states((dir / "target.npy").string(),
                            quddpm::make_ghz(2, 150, quddpm::GhzParams{}, 10));
  // The run id follows the content: `quddpm config` (a sweep's skip check) sees another run.
  const auto old_id =
      nlohmann::json::parse(slurp((dir / "ref" / "manifest.json").string()))["run_id"];
  r = run_quddpm("config " + cfg);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(nlohmann::json::parse(r.out)["run_id"], old_id);

  r = run_quddpm("train --threads 1 --resume " + run.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("changed since the run started; the run uses its own copy"),
            std::string::npos)
      << r.err;
  expect_same_training(dir / "ref", run);

  // generate needs no original file: it uses the run's copy, and the training seed and sample
  // count give back generated.npy bit for bit.
  fs::remove(dir / "target.npy");
  r = run_quddpm("generate --model " + run.string() + " --samples 100 --seed 2 --out " +
                 (dir / "again.npy").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(slurp((dir / "again.npy").string()) == slurp((run / "generated.npy").string()));
  EXPECT_NE(before, "");
  fs::remove_all(dir);
}

TEST(RunInputs, EditedConfigAndUnreadableManifestAreRefused) {
  const auto dir = testing_cli::scratch_dir("inputs_edited");
  const std::string cfg = npy_config(dir, 5);
  const fs::path run = dir / "run";
  auto r = run_quddpm("train " + cfg + " --threads 1 --out " + run.string());
  ASSERT_EQ(r.status, 0) << r.err;
  // Another learning rate in config.json: the parameters are not that config's.
  const std::string config_text = slurp((run / "config.json").string());
  nlohmann::json edited = nlohmann::json::parse(config_text);
  edited["training"]["learning_rate"] = 0.5;
  std::ofstream(run / "config.json") << edited.dump(2);
  const std::string gen = "generate --model " + run.string() + " --samples 10 --seed 1 --out " +
                          (dir / "g.npy").string();
  r = run_quddpm(gen);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("config.json: gives run id"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("was config.json edited after the run?"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "g.npy"));
  std::ofstream(run / "config.json") << config_text;
  r = run_quddpm(gen);
  EXPECT_EQ(r.status, 0) << r.err;

  // An unreadable manifest is refused by a resume, and left as it is.
  const fs::path stopped = dir / "stopped";
  const pid_t pid = start_and_wait(npy_config(dir), stopped);
  ::kill(pid, SIGTERM);
  testing_cli::wait_for(pid);
  const fs::path manifest = stopped.string() + ".partial/manifest.json";
  std::ofstream(manifest) << "{ not json";
  r = run_quddpm("train --threads 1 --resume " + stopped.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("manifest.json: is not a readable quddpm manifest"), std::string::npos)
      << r.err;
  EXPECT_EQ(slurp(manifest.string()), "{ not json");
  fs::remove_all(dir);
}

// --out and DIR.partial that are links (dangling or not) are refused before any work, and the
// link and what it points at stay as they were.
TEST(RunInputs, LinkedOutAndStagingFoldersAreRefusedBeforeAnyWork) {
  const auto dir = testing_cli::scratch_dir("inputs_links");
  const std::string cfg = npy_config(dir, 5);
  fs::create_directory(dir / "real");
  fs::create_directory_symlink(dir / "real", dir / "linked");
  fs::create_directory_symlink(dir / "nowhere", dir / "dangling");
  for (const char* name : {"linked", "dangling"}) {
    for (const char* force : {"", " --force"}) {
      const auto r = run_quddpm("train " + cfg + force + " --out " + (dir / name).string());
      EXPECT_EQ(r.status, 1) << name << force;
      EXPECT_NE(r.err.find(std::string(name) + ": is a symbolic link"), std::string::npos) << r.err;
      EXPECT_TRUE(fs::is_symlink(dir / name));
      EXPECT_FALSE(fs::exists(dir / (std::string(name) + ".partial")));
    }
  }
  EXPECT_TRUE(fs::is_empty(dir / "real"));
  EXPECT_FALSE(fs::exists(dir / "nowhere"));
  // A staging folder that is a link: refused for a new run and for --resume.
  fs::create_directory_symlink(dir / "real", dir / "run.partial");
  for (const std::string& args : {"train " + cfg + " --force --out " + (dir / "run").string(),
                                  "train --resume " + (dir / "run").string()}) {
    const auto r = run_quddpm(args);
    EXPECT_EQ(r.status, 1) << args;
    EXPECT_NE(r.err.find("run.partial: is a symbolic link"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::is_symlink(dir / "run.partial"));
  }
  EXPECT_TRUE(fs::is_empty(dir / "real"));
  fs::remove_all(dir);
}

// A folder made at DIR while the run trains: the run ends with its results and checkpoint in
// DIR.partial, says how to finish, and finishes bit for bit once the folder is moved away.
TEST(RunInputs, FolderAppearingAtTheOutputDuringARunLeavesItResumable) {
  const auto dir = testing_cli::scratch_dir("inputs_appeared");
  const std::string cfg = npy_config(dir);
  auto r = run_quddpm("train " + cfg + " --threads 1 --out " + (dir / "ref").string());
  ASSERT_EQ(r.status, 0) << r.err;
  const fs::path run = dir / "run";
  const pid_t pid = start_and_wait(cfg, run);
  fs::create_directory(run);
  std::ofstream(run / "mine.txt") << "mine\n";
  const int status = testing_cli::wait_for(pid);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const std::string err = slurp(run.string() + ".err");
  EXPECT_NE(err.find("run: appeared while this run was training; the finished results are in"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("quddpm train --resume " + run.string()), std::string::npos) << err;
  EXPECT_EQ(slurp((run / "mine.txt").string()), "mine\n");
  fs::rename(run, dir / "moved");
  r = run_quddpm("train --threads 1 --resume " + run.string());
  ASSERT_EQ(r.status, 0) << r.err;
  expect_same_training(dir / "ref", run);
  fs::remove_all(dir);
}

}  // namespace
