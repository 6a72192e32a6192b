// A failure with its own exit status (an interrupted run exits 128 + the signal number): thrown
// by a run that was stopped, reported by main() as one line with that status.
#pragma once

#include <stdexcept>
#include <string>

namespace quddpm::app {

struct ExitError : std::runtime_error {
  ExitError(int status, const std::string& what) : std::runtime_error(what), status(status) {}
  int status;
};

}  // namespace quddpm::app
