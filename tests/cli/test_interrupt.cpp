// Ctrl-C during set-up (the forward chain and its O(N^2) metrics, seconds to minutes before the
// first cycle): the first signal is acted on within about a second and leaves nothing behind;
// a second one ends the process at once with a message saying what is kept, and a folder left
// without a checkpoint is no obstacle (the same command replaces it without --force; --resume
// starts it over).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/background_process.hpp"
#include "support/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using testing_cli::run_quddpm;
using testing_cli::slurp;

// About 4 s of set-up on one core (2500 states of 7 qubits: each metric compares ~10^7 pairs),
// then two short cycles.
std::string slow_setup_config(const fs::path& dir) {
  const nlohmann::json j = {
      {"model", "original"},
      {"seed", 2},
      {"qubits", {{"data", 7}, {"ancilla", 1}}},
      {"diffusion", {{"steps", 2}, {"schedule", {{"start", 0.3}, {"end", 1.0}}}}},
      {"training", {{"samples", 20}, {"diffusion_size", 2500}, {"epochs", 2}}}};
  const std::string path = (dir / "slow_setup.json").string();
  std::ofstream(path) << j.dump(2);
  return path;
}

// Starts the run and returns once its set-up is under way (config.json written, a few hundred
// ms of set-up done), still running; -1 if it ended first.
pid_t start_in_setup(const std::string& cfg, const fs::path& out, const fs::path& dir) {
  const pid_t pid =
      testing_cli::start_quddpm({"train", cfg, "--out", out.string(), "--threads", "1", "--quiet"},
                                (dir / "out.txt").string(), (dir / "err.txt").string());
  fs::path partial = out;
  partial += ".partial";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!fs::exists(partial / "config.json") && std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  if (::waitpid(pid, nullptr, WNOHANG) == pid) return -1;
  return pid;
}

TEST(SetupInterrupt, TheFirstSignalIsActedOnWithinASecondAndLeavesNothing) {
  const auto dir = testing_cli::scratch_dir("setup_interrupt_once");
  const std::string cfg = slow_setup_config(dir);
  const fs::path out = dir / "run", partial = dir / "run.partial";
  const pid_t pid = start_in_setup(cfg, out, dir);
  ASSERT_GT(pid, 0) << "the run ended before its set-up could be interrupted";
  EXPECT_FALSE(fs::exists(partial / "checkpoint")) << "still in set-up";

  const auto t0 = std::chrono::steady_clock::now();
  ::kill(pid, SIGINT);
  const int status = testing_cli::wait_for(pid);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "set-up stopped " << seconds << " s after SIGINT\n";
  // Pieces of set-up take about 0.1 s alone; the bound leaves room for a busy machine.
  EXPECT_LT(seconds, 2.0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  const std::string err = slurp((dir / "err.txt").string());
  EXPECT_NE(err.find("quddpm: stopping (SIGINT): finishing the current step, press Ctrl-C again "
                     "to stop at once"),
            std::string::npos)
      << err;
  const std::string last = err.substr(err.rfind('\n', err.size() - 2) + 1);
  EXPECT_EQ(last.rfind("quddpm: interrupted by SIGINT in set-up: ", 0), 0u) << err;
  EXPECT_NE(last.find("nothing to keep"), std::string::npos) << err;
  EXPECT_NE(last.find(partial.string() + " removed"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(partial)) << "nothing to keep before the first checkpoint";
  EXPECT_FALSE(fs::exists(out));
  fs::remove_all(dir);
}

// A process stopped at once during set-up (a second Ctrl-C, or SIGKILL: both leave the folder
// as it was) leaves a .partial without a checkpoint: --resume starts it over from its own
// config, and the same command replaces it, neither needing --force.
TEST(SetupInterrupt, ALeftoverWithoutCheckpointIsNoObstacle) {
  const auto dir = testing_cli::scratch_dir("setup_interrupt_leftover");
  const std::string cfg = slow_setup_config(dir);
  const fs::path out = dir / "run", partial = dir / "run.partial";
  for (const bool resume : {true, false}) {
    const pid_t pid = start_in_setup(cfg, out, dir);
    ASSERT_GT(pid, 0) << "the run ended before its set-up could be interrupted";
    ::kill(pid, SIGKILL);
    testing_cli::wait_for(pid);
    ASSERT_TRUE(fs::exists(partial / "config.json"));
    EXPECT_FALSE(fs::exists(partial / "checkpoint"));

    testing_cli::Result r;
    if (resume) {
      r = run_quddpm("train --resume " + partial.string() + " --threads 2");
      EXPECT_NE(r.err.find("holds no checkpoint (the run stopped during set-up): starting it over"),
                std::string::npos)
          << r.err;
    } else {
      r = run_quddpm("train " + cfg + " --out " + out.string() + " --threads 2");
      EXPECT_NE(r.err.find("replacing " + partial.string()), std::string::npos) << r.err;
    }
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(fs::exists(out / "params.npy"));
    EXPECT_FALSE(fs::exists(partial));
    fs::remove_all(out);
  }
  fs::remove_all(dir);
}

// The second signal ends the process at once, mid-epoch, saying what is on disk: here the
// checkpoint of the run's last finished step, which --resume continues.
TEST(StopSignals, ASecondSignalStopsAtOnceAndSaysWhatIsKept) {
  const auto dir = testing_cli::scratch_dir("second_signal");
  // Epochs of about 0.4 s on one core (11 data + 2 ancilla qubits, 100 samples): a signal sent
  // right after the first one's message lands inside the same epoch.
  const nlohmann::json j = {
      {"model", "original"},
      {"seed", 4},
      {"qubits", {{"data", 11}, {"ancilla", 2}}},
      {"diffusion", {{"steps", 1}, {"schedule", {{"start", 0.3}, {"end", 1}}}}},
      {"training", {{"samples", 100}, {"diffusion_size", 100}, {"epochs", 4}}}};
  const std::string cfg = (dir / "slow_epochs.json").string();
  std::ofstream(cfg) << j.dump(2);
  const fs::path out = dir / "run", partial = dir / "run.partial";
  const std::string err_file = (dir / "err.txt").string();
  std::string err;
  int status = 0;
  // Should the first signal land in the last millisecond of an epoch, the run stops before the
  // second arrives: then the experiment is repeated.
  for (int attempt = 0; attempt < 3; ++attempt) {
    fs::remove_all(partial);
    const pid_t pid = testing_cli::start_quddpm(
        {"train", cfg, "--out", out.string(), "--threads", "1", "--quiet"},
        (dir / "out.txt").string(), err_file);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!fs::exists(partial / "checkpoint" / "state.json") &&
           std::chrono::steady_clock::now() < deadline) {
      ASSERT_NE(::waitpid(pid, nullptr, WNOHANG), pid) << "the run ended before it was signalled";
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ::kill(pid, SIGINT);
    while (slurp(err_file).find("quddpm: stopping (SIGINT)") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ::kill(pid, SIGINT);
    status = testing_cli::wait_for(pid);
    err = slurp(err_file);
    if (err.find("stopped at once") != std::string::npos) break;
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_NE(err.find("quddpm: stopped at once by a second SIGINT: " + partial.string() +
                     " keeps the checkpoint before the first cycle; resume with: quddpm train "
                     "--resume " +
                     out.string()),
            std::string::npos)
      << err;
  const auto r = run_quddpm("train --resume " + partial.string() + " --threads 2");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(out / "params.npy"));
  fs::remove_all(dir);
}

}  // namespace
