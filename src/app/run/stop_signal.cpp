#include "app/run/stop_signal.hpp"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>

namespace quddpm::app {

namespace {

volatile std::sig_atomic_t g_signal = 0;  // the first signal
volatile std::sig_atomic_t g_count = 0;
struct sigaction g_old_int, g_old_term;

// Two note buffers: the handler reads the one g_note_index names, the setter fills the other
// and then flips the index, so the handler never sees a half-written note.
constexpr std::size_t kNoteSize = 1024;
char g_notes[2][kNoteSize] = {{0}, {0}};
volatile std::sig_atomic_t g_note_index = 0;

// Only async-signal-safe calls below: write() and _exit().
void say(const char* s) {
  std::size_t n = 0;
  while (s[n] != 0)
    ++n;
  while (n > 0) {
    const ssize_t w = ::write(STDERR_FILENO, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<std::size_t>(w);
  }
}

extern "C" void on_stop_signal(int sig) {
  const char* name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "signal";
  if (g_count++ == 0) {
    g_signal = sig;
    say("\nquddpm: stopping (");
    say(name);
    say(sig == SIGINT ? "): finishing the current step, press Ctrl-C again to stop at once\n"
                      : "): finishing the current step; a second signal stops at once\n");
    return;
  }
  say("\nquddpm: stopped at once by a second ");
  say(name);
  say(": ");
  say(g_notes[g_note_index]);
  say("\n");
  ::_exit(128 + sig);
}

}  // namespace

StopSignals::StopSignals() {
  g_signal = 0;
  g_count = 0;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  // A signal arriving while the handler runs waits for it (one message at a time).
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
  set_note_for_second_signal("nothing was written yet");
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

bool StopSignals::requested() const {
  return g_signal != 0;
}
int StopSignals::signal() const {
  return g_signal;
}

void StopSignals::set_note_for_second_signal(const std::string& note) {
  const int next = 1 - g_note_index;
  const std::size_t n = std::min(note.size(), kNoteSize - 1);
  std::memcpy(g_notes[next], note.data(), n);
  g_notes[next][n] = 0;
  g_note_index = next;
}

const char* signal_name(int sig) {
  switch (sig) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "a signal";
  }
}

}  // namespace quddpm::app
