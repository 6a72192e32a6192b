// Commands under MPI (mpirun -np R): every process runs the same command; these helpers keep
// them in step. Alone (one process, or the build without MPI) they change nothing.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

#include "core/distributed.hpp"

namespace quddpm::app {

// Runs f on every process; an error on any of them ends every process, reported once by the
// first (dist::agree). Every process must call it at the same point.
template <class F>
void collectively(F&& f) {
  std::exception_ptr error;
  try {
    f();
  } catch (...) {
    error = std::current_exception();
  }
  dist::agree(error);
}

// The process that writes outputs, logs and prints results.
inline bool first_process() {
  return dist::processes().rank() == 0;
}

// Commands that run in one process only (all but train and gradient): refused, once, under
// mpirun with more than one process.
inline void require_one_process(const char* command) {
  collectively([&] {
    if (dist::processes().size() > 1)
      throw std::invalid_argument(std::string(command) +
                                  " runs in one process: start it without mpirun (or with -np 1)");
  });
}

// Every process needs at least one of the `states` of an epoch (`what` names them).
inline void require_states_per_process(long long states, const std::string& what) {
  const int processes = dist::processes().size();
  if (processes > states)
    throw std::invalid_argument("mpirun -np " + std::to_string(processes) +
                                ": more processes than " + what + " (" + std::to_string(states) +
                                "); use at most " + std::to_string(states));
}

}  // namespace quddpm::app
