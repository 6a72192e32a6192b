#include "model/assignment.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "core/kernels/kernels.hpp"

namespace quddpm {

namespace {

// The certificate's bound on |(N + 1) K| and |p|: every sum it forms stays inside 2^62.
constexpr std::int64_t kLimit = std::int64_t{1} << 60;
// The auction's bound on the same: its bids compare integers held in doubles (the kernel's
// BestTwo), exact below 2^53.
constexpr std::int64_t kExactInDouble = std::int64_t{1} << 52;

// eps shrinks by this factor from phase to phase: on the circle experiment's matrices 8 took
// the fewest bids (4 and 16 some 3 and 30 per cent more).
constexpr std::int64_t kEpsilonFactor = 8;

bool costs_fit(const std::vector<std::int64_t>& costs, int n, std::int64_t limit) {
  const std::int64_t largest = limit / (n + 1);  // |K| (N + 1) < limit
  return std::all_of(costs.begin(), costs.end(),
                     [largest](std::int64_t k) { return k > -largest && k < largest; });
}

// Takes the lowest price off every price: only their differences count, so every bid after it
// is the same, and the prices stay below 2^52 (held exactly in doubles). False if that is not
// enough.
bool lower_prices(std::vector<std::int64_t>& prices, std::vector<double>& values) {
  const std::int64_t lowest = *std::min_element(prices.begin(), prices.end());
  for (std::size_t j = 0; j < prices.size(); ++j) {
    prices[j] -= lowest;
    if (prices[j] >= kExactInDouble) return false;
    values[j] = static_cast<double>(prices[j]);
  }
  return true;
}

}  // namespace

std::optional<Assignment> auction_assignment(const std::vector<std::int64_t>& costs, int n,
                                             std::int64_t max_bids) {
  if (n < 1 || static_cast<std::int64_t>(costs.size()) != std::int64_t{n} * n)
    throw std::invalid_argument("auction_assignment: the costs are not N x N");
  Assignment result;
  result.column_of_row.assign(n, 0);
  result.prices.assign(n, 0);
  if (n == 1) return result;
  if (!costs_fit(costs, n, kExactInDouble)) return std::nullopt;

  // Profits a_ij = -(N + 1) K_ij: a slack of 1 per person in these units is below one unit of K
  // over the whole assignment.
  std::vector<double> profit(costs.size());
  std::int64_t low = 0, high = 0;
  for (std::size_t k = 0; k < costs.size(); ++k) {
    const std::int64_t a = -(n + 1) * costs[k];
    profit[k] = static_cast<double>(a);  // exact: |a| < 2^52
    low = k == 0 ? a : std::min(low, a);
    high = k == 0 ? a : std::max(high, a);
  }
  std::int64_t eps = std::max<std::int64_t>(1, (high - low) / kEpsilonFactor);

  std::vector<int>& column_of_row = result.column_of_row;
  std::vector<std::int64_t>& prices = result.prices;
  std::vector<double> price_values(n, 0.0);  // the prices as the kernel reads them
  std::vector<int> row_of_column(n), waiting;
  waiting.reserve(n);
  for (;;) {
    // Each phase starts with every person unassigned and the prices of the phase before: those
    // are eps * kEpsilonFactor-optimal, so the phase's bids stay few.
    std::fill(row_of_column.begin(), row_of_column.end(), -1);
    waiting.clear();
    for (int i = n - 1; i >= 0; --i)
      waiting.push_back(i);
    while (!waiting.empty()) {
      const int i = waiting.back();
      waiting.pop_back();
      const BestTwo bid =
          best_two_profits(profit.data() + static_cast<std::size_t>(i) * n, price_values.data(), n);
      const int j = static_cast<int>(bid.at);
      // best - second + eps: the most person i can pay and still be within eps of its best
      // (best and second are integers of size below 2^53, exact in int64).
      prices[j] +=
          static_cast<std::int64_t>(bid.best) - static_cast<std::int64_t>(bid.second) + eps;
      if (prices[j] >= kExactInDouble && !lower_prices(prices, price_values)) return std::nullopt;
      if (++result.bids > max_bids) return std::nullopt;
      price_values[j] = static_cast<double>(prices[j]);
      if (row_of_column[j] >= 0) waiting.push_back(row_of_column[j]);
      row_of_column[j] = i;
      column_of_row[i] = j;
    }
    if (eps == 1) break;
    eps = std::max<std::int64_t>(1, eps / kEpsilonFactor);
  }
  return result;
}

bool proves_assignment_optimal(const std::vector<std::int64_t>& costs,
                               const std::vector<int>& column_of_row,
                               const std::vector<std::int64_t>& prices) {
  const std::int64_t n = static_cast<std::int64_t>(prices.size());
  if (n < 1 || static_cast<std::int64_t>(column_of_row.size()) != n ||
      static_cast<std::int64_t>(costs.size()) != n * n)
    return false;
  std::vector<bool> taken(static_cast<std::size_t>(n), false);
  for (const int j : column_of_row) {
    if (j < 0 || j >= n || taken[static_cast<std::size_t>(j)]) return false;
    taken[static_cast<std::size_t>(j)] = true;
  }
  // |(N + 1) K| and |p| below 2^60: every sum and difference below stays inside 2^62.
  if (!costs_fit(costs, static_cast<int>(n), kLimit) ||
      !std::all_of(prices.begin(), prices.end(),
                   [](std::int64_t p) { return p > -kLimit && p < kLimit; }))
    return false;
  std::int64_t slack = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t* row = costs.data() + i * n;
    std::int64_t lowest = std::numeric_limits<std::int64_t>::max();
    for (std::int64_t j = 0; j < n; ++j)
      lowest = std::min(lowest, (n + 1) * row[j] + prices[static_cast<std::size_t>(j)]);
    const int j = column_of_row[static_cast<std::size_t>(i)];
    slack += (n + 1) * row[j] + prices[static_cast<std::size_t>(j)] - lowest;
    if (slack > n) return false;
  }
  return true;
}

}  // namespace quddpm
