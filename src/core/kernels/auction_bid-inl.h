// The auction's bid over one row (BestTwo, kernel_table.hpp), on integers held in double lanes:
// entry point simd_best_two_profits. Included by simd_tables.cpp once per Highway target (the
// per-target include guard below is Highway's pattern).
#if defined(QUDDPM_CORE_KERNELS_AUCTION_BID_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUDDPM_CORE_KERNELS_AUCTION_BID_INL_H_
#undef QUDDPM_CORE_KERNELS_AUCTION_BID_INL_H_
#else
#define QUDDPM_CORE_KERNELS_AUCTION_BID_INL_H_
#endif

#include <hwy/highway.h>

#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/kernels/kernel_table.hpp"

HWY_BEFORE_NAMESPACE();
namespace quddpm {
namespace HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;

struct AuctionBid {
  // Each lane keeps the best and second best of its own columns and the first column of its
  // best (as a double: exact below 2^53); the lanes are merged at the end, lowest column first
  // among equal bests. The differences of integers below 2^52 and their maxima are exact, so the
  // result is the plain definition's whatever the lane count.
  static BestTwo simd_best_two_profits(const double* values, const double* prices, std::int64_t n) {
    using D = hn::ScalableTag<double>;
    const D d;
    const std::int64_t lanes = static_cast<std::int64_t>(hn::Lanes(d));
    constexpr double kLowest = -std::numeric_limits<double>::infinity();
    auto best = hn::Set(d, kLowest), second = best, at = hn::Zero(d);
    auto column = hn::Iota(d, 0.0);
    const auto step = hn::Set(d, static_cast<double>(lanes));
    std::int64_t j = 0;
    for (; j + lanes <= n; j += lanes) {
      const auto v = hn::Sub(hn::LoadU(d, values + j), hn::LoadU(d, prices + j));
      const auto better = hn::Gt(v, best);
      second = hn::Max(second, hn::Min(best, v));  // the old best, or v, may come second
      at = hn::IfThenElse(better, column, at);
      best = hn::Max(best, v);
      column = hn::Add(column, step);
    }
    constexpr std::size_t kMax = hn::MaxLanes(D());
    HWY_ALIGN double lane_best[kMax], lane_second[kMax], lane_at[kMax];
    hn::Store(best, d, lane_best);
    hn::Store(second, d, lane_second);
    hn::Store(at, d, lane_at);
    BestTwo t{kLowest, kLowest, 0};
    // Merges a candidate best (at column c) with the candidate second `runner_up`.
    const auto merge = [&t](double top, std::int64_t c, double runner_up) {
      if (top > t.best || (top == t.best && c < t.at)) {
        t.second = std::max(t.second, t.best);
        t.best = top;
        t.at = c;
      } else {
        t.second = std::max(t.second, top);
      }
      t.second = std::max(t.second, runner_up);
    };
    for (std::int64_t l = 0; l < lanes; ++l)  // lanes that saw no column hold the lowest
      merge(lane_best[l], static_cast<std::int64_t>(lane_at[l]), lane_second[l]);
    for (; j < n; ++j)
      merge(values[j] - prices[j], j, kLowest);
    return t;
  }
};

}  // namespace
}  // namespace HWY_NAMESPACE
}  // namespace quddpm
HWY_AFTER_NAMESPACE();

#endif  // include guard
