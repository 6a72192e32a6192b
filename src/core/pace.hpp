// Long ensemble computations (the forward chain, metrics over thousands of states) run in
// pieces of well under a second and call a Pace between pieces with the fraction done, so that
// a caller can show progress and stop the work: the callback may throw, and since it is called
// only between pieces (outside any parallel region) nothing is left half-done. An empty Pace
// runs the work in one go. Pieces never change a result: each item is computed on its own.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>

#include "core/parallel.hpp"

namespace quddpm {

using Pace = std::function<void(double fraction_done)>;

// Amplitude operations per thread in one piece: about 0.1 s on one core. Settable so that
// tests can cut small work into many pieces.
inline double& piece_work() {
  static double work = 2.5e8;
  return work;
}

// Items per piece so that a piece costs about piece_work() amplitude operations per thread,
// given `work_per_item`, and at least `min_items` (enough to keep every thread busy).
inline std::int64_t items_per_piece(double work_per_item, std::int64_t min_items) {
  const double k = piece_work() * par::max_threads() / std::max(work_per_item, 1.0);
  return std::max<std::int64_t>(min_items, static_cast<std::int64_t>(k));
}

// The pace of a part of a larger task: its fractions 0..1 become from..to of the whole.
inline Pace part_of(const Pace& pace, double from, double to) {
  if (!pace) return {};
  return [pace, from, to](double f) { pace(from + (to - from) * f); };
}

// work(lo, hi) over pieces [lo, hi) covering [0, n) in order, pace(hi / n) after each.
template <class Work>
void in_pieces(std::int64_t n, std::int64_t per_piece, const Pace& pace, Work&& work) {
  if (!pace) {
    if (n > 0) work(std::int64_t{0}, n);
    return;
  }
  per_piece = std::max<std::int64_t>(per_piece, 1);
  for (std::int64_t lo = 0; lo < n; lo += per_piece) {
    const std::int64_t hi = std::min(n, lo + per_piece);
    work(lo, hi);
    pace(static_cast<double>(hi) / static_cast<double>(n));
  }
}

}  // namespace quddpm
