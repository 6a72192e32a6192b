// The exact assignment problem on integer costs, by Bertsekas' auction with epsilon-scaling: the
// exact optimal transport's solver when both ensembles have N states (model/transport.hpp), where
// it is two to three times as fast as the network simplex (docs/performance.md). Every
// assignment it returns carries its proof (proves_assignment_optimal).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace quddpm {

struct Assignment {
  std::vector<int> column_of_row;    // sigma(i)
  std::vector<std::int64_t> prices;  // p_j, in units of the costs times (N + 1)
  std::int64_t bids = 0;             // bids made in all
};

// The permutation sigma minimizing sum_i K_{i, sigma(i)} for the N x N integer costs K
// (row-major, |K_ij| (N + 1) < 2^52). Profits a_ij = -(N + 1) K_ij; persons (rows) bid for
// objects (columns) one at a time, each raising its object's price by best - second best +
// eps (Gauss-Seidel forward auction), with eps = span(a) / 8, divided by 8 phase after phase
// down to 1. At eps = 1 the total slack of the assignment is at most N < N + 1, one unit of
// the scaled costs, so it is optimal (proves_assignment_optimal checks exactly this).
// Deterministic: integers only, persons taken last-in first-out, ties to the lowest column.
// Profits and prices are integers held in doubles for the bids (exact below 2^53; the kernel
// best_two_profits): when a price reaches 2^52, the lowest price is taken off every price (the
// bids depend on their differences only). Returns nothing when the bids pass `max_bids`, a cost
// is too large, or the prices' spread reaches 2^52 (the caller then solves another way); throws
// std::invalid_argument for a size that does not match.
std::optional<Assignment> auction_assignment(const std::vector<std::int64_t>& costs, int n,
                                             std::int64_t max_bids);

// The certificate of an assignment: with u_i = min_j ((N + 1) K_ij + p_j), every reduced cost
// (N + 1) K_ij + p_j - u_i is >= 0 by construction, and if the ones along sigma sum to at most
// N then no permutation tau costs less: sum_i (N + 1) K_{i,tau(i)} >= sum u + sum p =
// sum_i (N + 1) K_{i,sigma(i)} - slack, and both sides are multiples of N + 1. False for a
// sigma that is no permutation, for sizes that do not match, or for a cost or price too large
// to sum in 64 bits (|K| (N + 1) or |p| of 2^60 or more).
bool proves_assignment_optimal(const std::vector<std::int64_t>& costs,
                               const std::vector<int>& column_of_row,
                               const std::vector<std::int64_t>& prices);

}  // namespace quddpm
