// SIGINT and SIGTERM as a polite request to stop: while a StopSignals object lives, the first
// such signal only sets a flag that training polls between epochs (it then checkpoints and
// exits). The handler is one-shot, so a second Ctrl-C ends the process at once; the checkpoint
// of the last finished cycle still holds.
#pragma once

namespace quddpm::app {

class StopSignals {
 public:
  StopSignals();
  ~StopSignals();  // restores the previous handlers
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  bool requested() const;
  int signal() const;  // the signal received, 0 if none
};

// "SIGINT", "SIGTERM", ...
const char* signal_name(int sig);

}  // namespace quddpm::app
