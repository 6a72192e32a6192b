#include "app/run/progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace quddpm::app {

ProgressLine::ProgressLine(bool live, int steps, int epochs, long long epochs_left)
    : live_(live),
      steps_(steps),
      epochs_(epochs),
      epochs_left_(epochs_left),
      start_(std::chrono::steady_clock::now()) {}

void ProgressLine::epoch(int t, int epoch, double loss, double grad_norm) {
  ++epochs_done_;
  if (!live_) return;
  const auto now = std::chrono::steady_clock::now();
  const bool last_of_cycle = epoch + 1 == epochs_;
  if (shown_ && !last_of_cycle && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double eta = elapsed / static_cast<double>(epochs_done_) *
                     static_cast<double>(epochs_left_ - epochs_done_);
  // "\r\033[2K": back to the start of the line and erase it.
  std::fprintf(stderr, "\r\033[2Kcycle %d/%d (t=%d)  epoch %d/%d  loss %.5g  |grad| %.4g  ETA %s",
               steps_ - t, steps_, t, epoch + 1, epochs_, loss, grad_norm,
               format_duration(eta).c_str());
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::task(const std::string& name, double fraction) {
  if (!live_) return;
  const auto now = std::chrono::steady_clock::now();
  // A new task and a finished one are always drawn; the steps between at most ten times a second.
  if (shown_ && name == task_ && fraction < 1 && now - last_draw_ < std::chrono::milliseconds(100))
    return;
  last_draw_ = now;
  task_ = name;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r\033[2K%s  %3.0f%%  (%s)", name.c_str(), 100.0 * fraction,
               format_duration(elapsed).c_str());
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::clear() {
  if (!live_ || !shown_) return;
  std::fputs("\r\033[2K", stderr);
  std::fflush(stderr);
  shown_ = false;
}

bool stderr_is_terminal() {
  const char* term = std::getenv("TERM");
  return ::isatty(STDERR_FILENO) == 1 && !(term && std::strcmp(term, "dumb") == 0);
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long long s = std::llround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, s / 60 % 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%llds", s);
  return buf;
}

}  // namespace quddpm::app
