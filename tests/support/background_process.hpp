// Starts the quddpm executable in the background (fork + exec, no shell), so that tests can
// signal it by pid while it runs.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace testing_cli {

// Runs QUDDPM_EXE with `args`, stdout and stderr into the given files; returns its pid.
inline pid_t start_quddpm(const std::vector<std::string>& args, const std::string& out_file,
                          const std::string& err_file) {
  std::vector<std::string> words = {QUDDPM_EXE};
  words.insert(words.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(out, STDOUT_FILENO);
  ::dup2(err, STDERR_FILENO);
  std::vector<char*> argv;
  for (auto& w : words)
    argv.push_back(w.data());
  argv.push_back(nullptr);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

// Waits for the process; returns its raw wait status.
inline int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  return status;
}

}  // namespace testing_cli
