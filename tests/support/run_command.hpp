// Runs the quddpm executable from tests and captures its exit status, stdout and stderr.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace testing_cli {

struct Result {
  int status = -1;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// timeout(1)'s status for a command it stopped.
inline constexpr int kTimedOut = 124;

// `args` is appended to the executable's path as shell words; `env` ("NAME=value ...")
// is set for that one run. With `seconds` > 0 the run is stopped after that long (SIGTERM, then
// SIGKILL 5 s later) and its status is kTimedOut: for inputs that could make a faulty build
// wait forever (a FIFO), so that the suite itself never hangs.
inline Result run_quddpm(const std::string& args, const std::string& env = "", int seconds = 0) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string tag = std::to_string(::getpid()) + "_" + std::to_string(std::rand());
  const std::string out = (dir / ("quddpm_out_" + tag)).string();
  const std::string err = (dir / ("quddpm_err_" + tag)).string();
  const std::string limit =
      seconds > 0 ? "timeout -k 5 " + std::to_string(seconds) + " " : std::string();
  const std::string cmd = limit + (env.empty() ? "" : "env " + env + " ") +
                          std::string(QUDDPM_EXE) + " " + args + " >" + out + " 2>" + err;
  const int raw = std::system(cmd.c_str());
  Result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

// A fresh empty directory for one test.
inline std::filesystem::path scratch_dir(const std::string& name) {
  const auto p = std::filesystem::temp_directory_path() /
                 ("quddpm_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

}  // namespace testing_cli
