// Progress of `train`: a live line (cycle, epoch, loss, gradient norm, ETA) redrawn in place
// on a terminal; plain log lines only in a pipe or with --quiet.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using testing_cli::slurp;

std::string tiny_config(const fs::path& dir) {
  const nlohmann::json j = {{"model", "original"},
                            {"qubits", {{"data", 1}, {"ancilla", 1}}},
                            {"diffusion", {{"steps", 2}}},
                            {"training", {{"samples", 8}, {"diffusion_size", 8}, {"epochs", 5}}}};
  const std::string path = (dir / "tiny.json").string();
  std::ofstream(path) << j.dump();
  return path;
}

// Runs quddpm under util-linux `script`, which gives it a pseudo-terminal; returns what the
// terminal showed (stdout and stderr together).
std::string run_on_terminal(const std::string& args, const fs::path& dir) {
  const std::string log = (dir / "terminal.txt").string();
  const std::string cmd = "TERM=xterm script -qec '" + std::string(QUDDPM_EXE) + " " + args + "' " +
                          log + " >/dev/null 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return slurp(log);
}

const std::string kLiveLine = "\r\033[2Kcycle 1/2 (t=1)  epoch 5/5  loss ";

TEST(Progress, LiveLineOnATerminalOnlyWithoutQuiet) {
  if (std::system("command -v script >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "util-linux `script` is not installed";
  const auto dir = testing_cli::scratch_dir("progress_tty");
  const std::string cfg = tiny_config(dir);
  std::string shown = run_on_terminal("train " + cfg + " --out " + (dir / "a").string(), dir);
  EXPECT_NE(shown.find(kLiveLine), std::string::npos) << shown;
  EXPECT_NE(shown.find("ETA "), std::string::npos) << shown;
  EXPECT_NE(shown.find("cycle t=0 (2/2)"), std::string::npos) << shown;  // log lines too

  shown = run_on_terminal("train " + cfg + " --quiet --out " + (dir / "b").string(), dir);
  EXPECT_EQ(shown.find("\033[2K"), std::string::npos) << shown;
  EXPECT_NE(shown.find("cycle t=0 (2/2)"), std::string::npos) << shown;
  fs::remove_all(dir);
}

// Set-up work (the forward chain and its metrics) shows on the line too, before any epoch.
TEST(Progress, SetUpShowsItsTaskAndHowFarItIs) {
  if (std::system("command -v script >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "util-linux `script` is not installed";
  const auto dir = testing_cli::scratch_dir("progress_setup");
  const std::string shown =
      run_on_terminal("train " + tiny_config(dir) + " --out " + (dir / "a").string(), dir);
  for (const char* task : {"set-up: forward diffusion  100%", "set-up: metrics of S_0  100%",
                           "set-up: metrics of S_2  100%", "set-up: metrics of the prior  100%"})
    EXPECT_NE(shown.find(std::string("\r\033[2K") + task), std::string::npos) << task << shown;
  fs::remove_all(dir);
}

TEST(Progress, PlainLogLinesInAPipe) {
  const auto dir = testing_cli::scratch_dir("progress_pipe");
  const auto r =
      testing_cli::run_quddpm("train " + tiny_config(dir) + " --out " + (dir / "a").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\033'), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cycle t=1 (1/2)"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

}  // namespace
