// Runs that survive: a run killed (SIGKILL) or stopped (SIGTERM, SIGINT) part-way and then
// resumed with `train --resume` ends with exactly the files of an uninterrupted run, and
// interrupted work is never replaced or resumed by mistake.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "app/formats/npy.hpp"
#include "app/formats/sha256.hpp"
#include "support/background_process.hpp"
#include "support/csv_rows.hpp"
#include "support/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using testing_cli::read_csv;
using testing_cli::run_quddpm;
using testing_cli::slurp;

constexpr int kSteps = 3;
constexpr int kEpochs = 800;

// Long enough per cycle (a few hundred ms) to be caught part-way. Every run here uses one
// thread: spinning OpenMP workers slow down badly when ctest runs tests side by side (bitwise
// equality across thread counts is TrainDeterminism's subject).
nlohmann::json slow_config() {
  return {
      {"model", "improved"},
      {"seed", 3},
      {"qubits", {{"data", 2}, {"ancilla", 2}}},
      {"diffusion", {{"steps", kSteps}}},
      {"training",
       {{"samples", 100}, {"diffusion_size", 120}, {"epochs", kEpochs}, {"learning_rate", 0.05}}},
      // Measured on every chain once training ends: a resumed run writes the same bytes.
      {"observables", nlohmann::json::parse(R"([{"kind": "pauli", "string": "Y0"},
                                                {"kind": "basis_fidelity", "bits": "00"},
                                                {"kind": "magnetization"}])")}};
}

std::string write_config(const fs::path& dir, const std::string& precision = "double") {
  const std::string path = (dir / "slow.json").string();
  nlohmann::json j = slow_config();
  j["precision"] = precision;
  std::ofstream(path) << j.dump(2);
  return path;
}

// Data rows of a CSV (lines after the header, a last line cut short included).
long long data_rows(const fs::path& csv) {
  const std::string text = slurp(csv.string());
  const long long lines = std::count(text.begin(), text.end(), '\n');
  return std::max(0LL, lines - 1);
}

// Polls until the run's second cycle has started (its epochs.csv holds rows of cycle T-2).
bool wait_for_second_cycle(const fs::path& partial, pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (data_rows(partial / "epochs.csv") > kEpochs + 5) return true;
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return false;  // ended on its own
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

nlohmann::json checkpoint_state(const fs::path& partial) {
  return nlohmann::json::parse(slurp((partial / "checkpoint" / "state.json").string()));
}

// Every result file agrees bit for bit, except the wall-time column and the output path.
void expect_same_results(const fs::path& a, const fs::path& b) {
  for (const char* f : {"params.npy", "generated.npy", "data.npy", "prior.npy", "epochs.csv",
                        "layers.csv", "diffusion.csv", "observables.csv", "histograms.csv"}) {
    const std::string fa = slurp((a / f).string()), fb = slurp((b / f).string());
    EXPECT_FALSE(fa.empty()) << f;
    EXPECT_TRUE(fa == fb) << f << " differs";
  }
  auto ca = read_csv(a / "cycles.csv"), cb = read_csv(b / "cycles.csv");
  ASSERT_EQ(ca.size(), static_cast<std::size_t>(kSteps + 1));
  ASSERT_EQ(ca.size(), cb.size());
  for (std::size_t k = 0; k < ca.size(); ++k) {
    ca[k].erase("seconds");
    cb[k].erase("seconds");
    EXPECT_EQ(ca[k], cb[k]) << "cycles.csv row " << k;
  }
  EXPECT_FALSE(fs::exists(b / "checkpoint")) << "a finished run keeps no checkpoint";
}

fs::path train_reference(const fs::path& dir, const std::string& cfg) {
  const fs::path ref = dir / "ref";
  const auto r = run_quddpm("train " + cfg + " --threads 1 --out " + ref.string());
  EXPECT_EQ(r.status, 0) << r.err;
  return ref;
}

// Starts a one-thread run of `cfg` into `run` and sends `sig` once its second cycle has started
// (fails the test if the run ends before that).
void interrupt_in_second_cycle(const fs::path& dir, const std::string& cfg, const fs::path& run,
                               int sig) {
  const pid_t pid =
      testing_cli::start_quddpm({"train", cfg, "--threads", "1", "--out", run.string()},
                                (dir / "out.txt").string(), (dir / "err.txt").string());
  ASSERT_TRUE(wait_for_second_cycle(run.string() + ".partial", pid))
      << "the run ended before it could be interrupted";
  ::kill(pid, sig);
  testing_cli::wait_for(pid);
}

TEST(ResumeAfterSigkill, EndsBitwiseEqualToAnUninterruptedRun) {
  const auto dir = testing_cli::scratch_dir("resume_kill");
  const std::string cfg = write_config(dir);
  const fs::path ref = train_reference(dir, cfg);
  const fs::path run = dir / "run", partial = dir / "run.partial";
  interrupt_in_second_cycle(dir, cfg, run, SIGKILL);
  ASSERT_FALSE(HasFatalFailure());

  // Killed mid-cycle: the checkpoint is that of the first cycle, and epochs.csv holds rows of
  // the unfinished second one, which the resume must drop.
  ASSERT_TRUE(fs::exists(partial / "checkpoint" / "state.json"));
  EXPECT_FALSE(fs::exists(run));
  const auto state = checkpoint_state(partial);
  EXPECT_EQ(state["next_t"], kSteps - 2);
  EXPECT_EQ(state["rows"]["epochs.csv"], kEpochs);
  EXPECT_FALSE(state.contains("progress"));
  EXPECT_GT(data_rows(partial / "epochs.csv"), kEpochs);

  const auto r = run_quddpm("train " + cfg + " --threads 1 --resume " + run.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(fs::exists(partial));
  expect_same_results(ref, run);
  fs::remove_all(dir);
}

// Files in the checkpoint folder that its state.json does not name: left by a kill during a
// checkpoint write (a temporary file, or a new checkpoint's data before its state.json).
int orphans_in_checkpoint(const fs::path& partial) {
  const fs::path dir = partial / "checkpoint";
  if (!fs::exists(dir / "state.json")) return 0;
  const auto state = checkpoint_state(partial);
  std::set<std::string> named = {"state.json", state["params"], state["current"]};
  if (state.contains("progress")) named.insert(state["progress"]["file"].get<std::string>());
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    n += named.count(e.path().filename().string()) == 0;
  return n;
}

// A checkpoint after every epoch (every_seconds 1 ms, so that checkpoint writes fill much of the
// time); SIGKILL at pseudo-random moments (until one has
// landed inside a checkpoint write), each time continued with --resume: the run still ends
// with the files of an uninterrupted one.
TEST(ResumeAfterSigkill, AtRandomMomentsWithCheckpointsInsideCyclesEndsBitwiseEqual) {
  const auto dir = testing_cli::scratch_dir("resume_kills");
  const std::string cfg = write_config(dir);
  const fs::path ref = train_reference(dir, cfg);
  const fs::path run = dir / "run", partial = dir / "run.partial";
  std::mt19937 rng(20261201);
  std::uniform_int_distribution<int> delay_ms(120, 400);
  int kills = 0, during_write = 0, mid_cycle_checkpoints = 0;
  for (int round = 0; round < 40 && (kills < 4 || during_write == 0); ++round) {
    std::vector<std::string> args = {"train", "--threads", "1", "--quiet"};
    if (fs::exists(partial / "checkpoint" / "state.json")) {
      args.insert(args.end(), {"--resume", run.string()});
    } else {  // killed before its first checkpoint: the same command replaces the leftover
      args.insert(args.end(), {cfg, "--out", run.string()});
    }
    args.insert(args.end(), {"--set", "checkpoint.every_seconds=0.001"});
    const pid_t pid =
        testing_cli::start_quddpm(args, (dir / "out.txt").string(), (dir / "err.txt").string());
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    if (::waitpid(pid, nullptr, WNOHANG) == pid) break;  // finished
    ::kill(pid, SIGKILL);
    testing_cli::wait_for(pid);
    ++kills;
    during_write += orphans_in_checkpoint(partial) > 0;
    if (fs::exists(partial / "checkpoint" / "state.json"))
      mid_cycle_checkpoints += checkpoint_state(partial).contains("progress");
  }
  std::cout << kills << " kills, " << during_write << " during a checkpoint write, "
            << mid_cycle_checkpoints << " left a checkpoint inside a cycle\n";
  EXPECT_GE(kills, 4);
  EXPECT_GT(during_write, 0) << "no kill landed inside a checkpoint write";
  EXPECT_GT(mid_cycle_checkpoints, 0);
  if (fs::exists(partial)) {
    const auto r = run_quddpm("train --threads 1 --resume " + run.string());
    ASSERT_EQ(r.status, 0) << r.err;
  }
  expect_same_results(ref, run);
  fs::remove_all(dir);
}

// checkpoint.every_seconds bounds the work a SIGKILL loses: the epochs written after the last
// checkpoint took at most that long (plus one epoch); with 0 there is no checkpoint inside a
// cycle.
TEST(ResumeAfterSigkill, EverySecondsBoundsTheLostWork) {
  const auto dir = testing_cli::scratch_dir("resume_bound");
  const std::string cfg = write_config(dir);
  for (const double every : {0.25, 0.0}) {
    const fs::path run = dir / "run", partial = dir / "run.partial";
    fs::remove_all(partial);
    // One long cycle (30000 epochs of a few hundred microseconds).
    const pid_t pid = testing_cli::start_quddpm(
        {"train", cfg, "--threads", "1", "--quiet", "--out", run.string(), "--set",
         "training.epochs=30000", "--set", "checkpoint.every_seconds=" + std::to_string(every)},
        (dir / "out.txt").string(), (dir / "err.txt").string());
    // Kill 1.3 s after the first checkpoint (the prior's): well inside the first cycle.
    while (!fs::exists(partial / "checkpoint" / "state.json"))
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const auto t0 = std::chrono::steady_clock::now();
    const long long rows0 = data_rows(partial / "epochs.csv");
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));
    ::kill(pid, SIGKILL);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    testing_cli::wait_for(pid);
    const long long written = data_rows(partial / "epochs.csv");
    const auto state = checkpoint_state(partial);
    const long long kept = state["rows"]["epochs.csv"];
    ASSERT_LT(written, 30000) << "the cycle ended before the kill";
    const double per_epoch = seconds / static_cast<double>(written - rows0);
    const double lost = static_cast<double>(written - kept) * per_epoch;
    std::cout << "every_seconds " << every << ": lost " << written - kept << " epochs = " << lost
              << " s of work (one epoch " << per_epoch * 1e3 << " ms)\n";
    if (every > 0) {
      EXPECT_TRUE(state.contains("progress")) << state.dump(2);
      EXPECT_LE(lost, every + 0.1);
    } else {
      EXPECT_FALSE(state.contains("progress"))
          << "every_seconds = 0: checkpoints after cycles only";
      EXPECT_EQ(kept, 0);
    }
  }
  fs::remove_all(dir);
}

class ResumeAfterStopSignal : public testing::TestWithParam<int> {};

TEST_P(ResumeAfterStopSignal, CheckpointsMidCycleExitsWithHowToResumeAndEndsBitwiseEqual) {
  const int sig = GetParam();
  const auto dir = testing_cli::scratch_dir("resume_sig" + std::to_string(sig));
  const std::string cfg = write_config(dir);
  const fs::path ref = train_reference(dir, cfg);
  const fs::path run = dir / "run", partial = dir / "run.partial";

  const pid_t pid =
      testing_cli::start_quddpm({"train", cfg, "--threads", "1", "--out", run.string()},
                                (dir / "out.txt").string(), (dir / "err.txt").string());
  ASSERT_TRUE(wait_for_second_cycle(partial, pid)) << "the run ended before it could be stopped";
  ::kill(pid, sig);
  const int status = testing_cli::wait_for(pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + sig);
  const std::string err = slurp((dir / "err.txt").string());
  const std::string last_line = err.substr(err.rfind('\n', err.size() - 2) + 1);
  EXPECT_EQ(last_line.rfind("quddpm: interrupted by SIG", 0), 0u) << err;
  EXPECT_NE(last_line.find("--resume " + run.string()), std::string::npos) << err;
  EXPECT_TRUE(slurp((dir / "out.txt").string()).empty());

  // Stopped between two epochs of the second cycle: the checkpoint holds that cycle's progress
  // and counts every epoch row written.
  const auto state = checkpoint_state(partial);
  EXPECT_EQ(state["next_t"], kSteps - 2);
  ASSERT_TRUE(state.contains("progress"));
  const int done = state["progress"]["epochs_done"];
  EXPECT_GT(done, 0);
  EXPECT_LT(done, kEpochs);
  EXPECT_EQ(state["rows"]["epochs.csv"], kEpochs + done);
  EXPECT_EQ(data_rows(partial / "epochs.csv"), kEpochs + done);

  // The interrupted run is neither replaced by a new run nor resumed with another config.
  const std::string before = slurp((partial / "checkpoint" / "state.json").string());
  auto r = run_quddpm("train " + cfg + " --out " + run.string());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("--resume"), std::string::npos) << r.err;
  r = run_quddpm("train " + cfg + " --seed 4 --resume " + run.string());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("'seed' is 4, but the interrupted run used 3"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(slurp((partial / "checkpoint" / "state.json").string()), before);

  // The run's folder is all --resume needs (no config, no --seed): by its name, or by the
  // .partial folder a user sees.
  r = sig == SIGINT ? run_quddpm("train --threads 1 --resume " + partial.string())
                    : run_quddpm("train " + cfg + " --threads 1 --resume " + run.string());
  ASSERT_EQ(r.status, 0) << r.err;
  expect_same_results(ref, run);
  // The manifest holds both sessions: the interrupted one with its exit status, the resume.
  const auto manifest = nlohmann::json::parse(slurp((run / "manifest.json").string()));
  ASSERT_EQ(manifest["sessions"].size(), 2u) << manifest.dump(2);
  EXPECT_EQ(manifest["sessions"][0]["exit_status"], 128 + sig);
  EXPECT_EQ(manifest["sessions"][1]["exit_status"], 0);
  EXPECT_NE(manifest["sessions"][1]["command"].dump().find("--resume"), std::string::npos);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Signals, ResumeAfterStopSignal, testing::Values(SIGTERM, SIGINT),
                         [](const auto& info) {
                           return std::string(info.param == SIGTERM ? "SIGTERM" : "SIGINT");
                         });

// Single precision: a run stopped mid-cycle resumes to the bits of an uninterrupted run (one
// and two threads alike), its checkpoint records the precision, and resuming it in the other
// precision is refused with the key named.
TEST(ResumeSinglePrecision, RefusesTheOtherPrecisionAndEndsBitwiseEqual) {
  const auto dir = testing_cli::scratch_dir("resume_single");
  const std::string cfg = write_config(dir, "single");
  const fs::path ref = train_reference(dir, cfg);
  {
    const auto r = run_quddpm("train " + cfg + " --threads 2 --out " + (dir / "two").string());
    ASSERT_EQ(r.status, 0) << r.err;
    expect_same_results(ref, dir / "two");
  }
  const fs::path run = dir / "run", partial = dir / "run.partial";
  interrupt_in_second_cycle(dir, cfg, run, SIGTERM);
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(checkpoint_state(partial)["precision"], "single");

  auto r = run_quddpm("train --threads 1 --set precision=double --resume " + run.string());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("'precision' is \"double\", but the interrupted run used \"single\""),
            std::string::npos)
      << r.err;
  // A checkpoint whose precision disagrees with the run's config (edited by hand, its checksum
  // recomputed so that only the precision disagrees) is refused too, and so is the previous one.
  std::map<std::string, std::string> originals;
  for (const char* name : {"state.json", "state.prev.json"}) {
    const std::string file = (partial / "checkpoint" / name).string();
    originals[file] = slurp(file);
    nlohmann::json edited = nlohmann::json::parse(originals[file]);
    edited["precision"] = "double";
    edited.erase("checksum");
    edited["checksum"] = quddpm::app::sha256_hex(edited.dump());
    std::ofstream(file) << edited.dump(2);
  }
  r = run_quddpm("train --threads 1 --resume " + run.string());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("double-precision run, this run is single-precision"), std::string::npos)
      << r.err;
  for (const auto& [file, text] : originals)
    std::ofstream(file) << text;

  r = run_quddpm("train --threads 1 --resume " + run.string());
  ASSERT_EQ(r.status, 0) << r.err;
  expect_same_results(ref, run);
  fs::remove_all(dir);
}

// SGD with momentum and a staircase decay: a run stopped mid-cycle keeps the momentum buffer in
// its checkpoint (the progress file's second row; the third is zero) and resumes to the bits of
// an uninterrupted run.
TEST(ResumeSgd, MomentumBufferIsCheckpointedAndTheRunEndsBitwiseEqual) {
  const auto dir = testing_cli::scratch_dir("resume_sgd");
  nlohmann::json j = slow_config();
  j["training"]["optimizer"] = "sgd";
  j["training"]["momentum"] = 0.9;
  j["training"]["learning_rate"] = 0.01;
  j["training"]["decay_every"] = 100;
  j["training"]["decay_factor"] = 0.5;
  const std::string cfg = (dir / "sgd.json").string();
  std::ofstream(cfg) << j.dump(2);
  const fs::path ref = train_reference(dir, cfg);
  const fs::path run = dir / "run", partial = dir / "run.partial";
  interrupt_in_second_cycle(dir, cfg, run, SIGTERM);
  ASSERT_FALSE(HasFatalFailure());
  const auto state = checkpoint_state(partial);
  ASSERT_TRUE(state.contains("progress"));
  const quddpm::RealMatrix progress = quddpm::npy::read_reals(
      (partial / "checkpoint" / state["progress"]["file"].get<std::string>()).string());
  ASSERT_EQ(progress.rows(), 3);
  EXPECT_FALSE(progress.row(1).isZero(0));
  EXPECT_TRUE(progress.row(2).isZero(0));
  const auto r = run_quddpm("train --threads 1 --resume " + run.string());
  ASSERT_EQ(r.status, 0) << r.err;
  expect_same_results(ref, run);
  fs::remove_all(dir);
}

// A tiny run, for the refusals that need no long training.
std::string tiny_config(const fs::path& dir) {
  nlohmann::json j = slow_config();
  j["qubits"] = {{"data", 1}, {"ancilla", 1}};
  j["training"] = {{"samples", 10}, {"diffusion_size", 10}, {"epochs", 3}};
  j.erase("observables");  // of two qubits
  const std::string path = (dir / "tiny.json").string();
  std::ofstream(path) << j.dump(2);
  return path;
}

TEST(ResumeRefuses, WhatIsNotAnInterruptedRun) {
  const auto dir = testing_cli::scratch_dir("resume_refuse");
  const std::string cfg = tiny_config(dir);
  const std::string run = (dir / "run").string();

  auto r = run_quddpm("train " + cfg + " --resume " + run);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find(run + ".partial: not found"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(run));

  ASSERT_EQ(run_quddpm("train " + cfg + " --out " + run).status, 0);
  r = run_quddpm("train " + cfg + " --resume " + run);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("already finished"), std::string::npos) << r.err;

  r = run_quddpm("train " + cfg + " --force --resume " + run);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("--resume"), std::string::npos) << r.err;

  // A staging directory with neither a checkpoint nor a config (killed as it started): nothing
  // to resume, and nothing to keep, so the same command replaces it without --force.
  fs::create_directories(dir / "early.partial");
  r = run_quddpm("train " + cfg + " --resume " + (dir / "early").string());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("holds neither a checkpoint nor the run's config.json"), std::string::npos)
      << r.err;
  EXPECT_TRUE(fs::exists(dir / "early.partial"));
  r = run_quddpm("train " + cfg + " --out " + (dir / "early").string());
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(fs::exists(dir / "early.partial"));
  EXPECT_TRUE(fs::exists(dir / "early" / "params.npy"));

  // A folder that is not quddpm's is never taken for a leftover.
  fs::create_directories(dir / "mine.partial");
  std::ofstream(dir / "mine.partial" / "notes.txt") << "keep me";
  r = run_quddpm("train " + cfg + " --out " + (dir / "mine").string());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("not a quddpm run folder"), std::string::npos) << r.err;
  EXPECT_EQ(slurp((dir / "mine.partial" / "notes.txt").string()), "keep me");
  fs::remove_all(dir);
}

}  // namespace
