// SIGINT and SIGTERM as a polite request to stop: while a StopSignals object lives, the first
// such signal prints that the run is stopping and sets a flag that training polls (between
// epochs, and between the sub-second pieces of set-up); training then checkpoints and exits.
// A second signal ends the process at once (exit status 128 + signal) after printing the
// note set with set_note_for_second_signal: what is on disk and how to go on.
#pragma once

#include <string>

namespace quddpm::app {

class StopSignals {
 public:
  StopSignals();
  ~StopSignals();  // restores the previous handlers
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  bool requested() const;
  int signal() const;  // the first signal received, 0 if none

  // The rest of the line printed when a second signal stops the process at once, after
  // "quddpm: stopped at once by a second SIGINT: " (truncated to about 900 bytes).
  void set_note_for_second_signal(const std::string& note);
};

// "SIGINT", "SIGTERM", ...
const char* signal_name(int sig);

}  // namespace quddpm::app
