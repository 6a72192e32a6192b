// The live progress line of `train` on a terminal: cycle, epoch, loss, gradient norm and ETA
// (or the set-up task and how far it is), redrawn in place on stderr at most ten times a second.
// Off (no output at all) in a pipe or with --quiet, where the per-cycle log lines are the whole
// report.
#pragma once

#include <chrono>
#include <string>

namespace quddpm::app {

class ProgressLine {
 public:
  // `epochs_left`: epochs this process will train, for the ETA.
  ProgressLine(bool live, int steps, int epochs, long long epochs_left);
  ~ProgressLine() { clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void epoch(int t, int epoch, double loss, double grad_norm);
  // Work outside the epochs (set-up, a cycle's metrics): "set-up: forward diffusion  42%".
  void task(const std::string& name, double fraction);
  // Erases the line, so that a log line can take its place (it reappears with the next epoch).
  void clear();

  bool live() const { return live_; }

 private:
  bool live_;
  int steps_, epochs_;
  long long epochs_left_, epochs_done_ = 0;
  bool shown_ = false;
  std::string task_;  // the task last drawn
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// True when stderr is a terminal (and TERM is not "dumb").
bool stderr_is_terminal();

// "1h02m", "4m05s", "12s".
std::string format_duration(double seconds);

}  // namespace quddpm::app
