// The auction's assignment solver (model/assignment.hpp): its permutations against brute force
// over all permutations, against the network simplex on the same matrix, and under every
// kernel table; its certificate against assignments it must refuse.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "core/kernels/kernel_table.hpp"
#include "core/rng.hpp"
#include "model/assignment.hpp"
#include "model/ensembles.hpp"
#include "model/metrics.hpp"
#include "model/transport.hpp"

namespace {

using namespace quddpm;

constexpr std::int64_t kNoBudget = std::numeric_limits<std::int64_t>::max();

std::int64_t total(const std::vector<std::int64_t>& costs, const std::vector<int>& sigma) {
  const std::int64_t n = static_cast<std::int64_t>(sigma.size());
  std::int64_t sum = 0;
  for (std::int64_t i = 0; i < n; ++i)
    sum += costs[static_cast<std::size_t>(i * n + sigma[static_cast<std::size_t>(i)])];
  return sum;
}

// The cheapest permutation's cost, by trying all n! of them.
std::int64_t brute_force_minimum(const std::vector<std::int64_t>& costs, int n) {
  std::vector<int> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  std::int64_t best = std::numeric_limits<std::int64_t>::max();
  do
    best = std::min(best, total(costs, perm));
  while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

std::vector<std::int64_t> random_costs(int n, std::int64_t low, std::int64_t high,
                                       std::mt19937_64& gen) {
  std::uniform_int_distribution<std::int64_t> draw(low, high);
  std::vector<std::int64_t> k(static_cast<std::size_t>(n) * n);
  for (auto& x : k)
    x = draw(gen);
  return k;
}

bool is_permutation(std::vector<int> sigma) {
  std::sort(sigma.begin(), sigma.end());
  for (std::size_t i = 0; i < sigma.size(); ++i)
    if (sigma[i] != static_cast<int>(i)) return false;
  return true;
}

// Small costs (many ties), wide costs, and costs as large as exact_transport makes them from
// costs in [0, 1] ((N + M) max K <= 2^52).
TEST(AuctionAssignment, EqualsTheMinimumOverPermutationsUpToEight) {
  std::mt19937_64 gen(3);
  struct Range {
    std::int64_t low, high;
  };
  for (int n = 1; n <= 8; ++n)
    for (const Range r : {Range{-3, 3}, Range{-(std::int64_t{1} << 40), std::int64_t{1} << 40},
                          Range{0, (std::int64_t{1} << 52) / (2 * n)}})
      for (int draw = 0; draw < 4; ++draw) {
        SCOPED_TRACE("N = " + std::to_string(n) + ", costs up to " + std::to_string(r.high));
        const std::vector<std::int64_t> k = random_costs(n, r.low, r.high, gen);
        const std::optional<Assignment> a = auction_assignment(k, n, kNoBudget);
        ASSERT_TRUE(a.has_value());
        ASSERT_TRUE(is_permutation(a->column_of_row));
        EXPECT_EQ(total(k, a->column_of_row), brute_force_minimum(k, n));
        EXPECT_TRUE(proves_assignment_optimal(k, a->column_of_row, a->prices));
      }
}

// The public solver on N x N infidelities (the auction) against the same problem with every
// column doubled, N x 2N, which only the network simplex solves: each pair of twin columns takes
// the 1/N its original took, so both optima are the same number.
TEST(AuctionAssignment, ExactTransportEqualsTheNetworkSimplexOnTwinColumns) {
  for (int n : {2, 17, 60, 150}) {
    SCOPED_TRACE("N = " + std::to_string(n));
    const StateMatrix a = make_haar(1, n, 40 + n), b = make_haar(1, n, 50 + n);
    RealMatrix c(n, n);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        c(i, j) = 1.0 - std::norm(b.row(j).dot(a.row(i)));
    RealMatrix twins(n, 2 * n);
    twins << c, c;
    const Transport square = exact_transport(c), doubled = exact_transport(twins);
    EXPECT_NEAR(square.value, doubled.value, 1e-12);
    for (int i = 0; i < n; ++i)  // the square plan is a permutation of 1/N entries
      EXPECT_EQ((square.plan.row(i).array() == 1.0 / n).count(), 1) << "row " << i;
  }
}

// Haar states against the circle experiment's states (cos phi, sin phi): the auction and the
// network simplex solve the same rounded problem, whose optimum is unique here, so their plans
// are the same to the bit.
TEST(AuctionAssignment, SamePlanAsTheNetworkSimplex) {
  for (int n : {3, 64, 200}) {
    SCOPED_TRACE("N = " + std::to_string(n));
    const StateMatrix a = make_haar(1, n, 60 + n);
    StateMatrix b(n, 2);
    Rng rng(70 + n);
    for (int j = 0; j < n; ++j) {
      const double phi = rng.uniform(0.0, 2 * M_PI);
      b(j, 0) = std::cos(phi);
      b(j, 1) = std::sin(phi);
    }
    RealMatrix c(n, n);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        c(i, j) = 1.0 - std::norm(b.row(j).dot(a.row(i)));
    const Transport auction = exact_transport(c), simplex = network_simplex_transport(c);
    EXPECT_EQ(auction.plan, simplex.plan);
    EXPECT_EQ(auction.value, simplex.value);
  }
}

// Equal rows and equal columns leave many optimal permutations: the auction still ends with one,
// and its cost is the minimum.
TEST(AuctionAssignment, RepeatedRowsAndColumnsStillReachTheMinimum) {
  std::mt19937_64 gen(8);
  const int n = 8;
  std::vector<std::int64_t> k = random_costs(n, 0, 1000, gen);
  for (int j = 0; j < n; ++j) {
    k[static_cast<std::size_t>(n + j)] = k[static_cast<std::size_t>(j)];  // row 1 = row 0
    k[static_cast<std::size_t>(5 * n + j)] = k[static_cast<std::size_t>(j)];
  }
  for (int i = 0; i < n; ++i)
    k[static_cast<std::size_t>(i * n + 7)] = k[static_cast<std::size_t>(i * n + 6)];
  const std::optional<Assignment> a = auction_assignment(k, n, kNoBudget);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(total(k, a->column_of_row), brute_force_minimum(k, n));
  const std::vector<std::int64_t> flat(64, 5);  // every permutation optimal
  const std::optional<Assignment> f = auction_assignment(flat, 8, kNoBudget);
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(is_permutation(f->column_of_row));
}

// Integer arithmetic throughout: the same permutation and prices with every kernel table.
TEST(AuctionAssignment, SameAnswerWithEveryKernelTable) {
  std::mt19937_64 gen(21);
  const std::vector<std::int64_t> k = random_costs(37, 0, std::int64_t{1} << 42, gen);
  const KernelTable& before = active_kernels();
  select_kernels("portable");
  const std::optional<Assignment> portable = auction_assignment(k, 37, kNoBudget);
  ASSERT_TRUE(portable.has_value());
  for (const KernelTable* t : supported_kernel_tables()) {
    select_kernels(t->name);
    const std::optional<Assignment> a = auction_assignment(k, 37, kNoBudget);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->column_of_row, portable->column_of_row) << t->name;
    EXPECT_EQ(a->prices, portable->prices) << t->name;
    EXPECT_EQ(a->bids, portable->bids) << t->name;
  }
  select_kernels(before.name);
}

TEST(AuctionAssignment, GivesUpPastItsBudgetAndRefusesCostsTooLarge) {
  std::mt19937_64 gen(4);
  const std::vector<std::int64_t> k = random_costs(6, 0, 100, gen);
  EXPECT_FALSE(auction_assignment(k, 6, 3).has_value());                 // at least one bid a row
  const std::vector<std::int64_t> huge(4, (std::int64_t{1} << 52) / 3);  // |K| = 2^52 / (N + 1)
  EXPECT_FALSE(auction_assignment(huge, 2, kNoBudget).has_value());
  EXPECT_THROW(auction_assignment(k, 5, kNoBudget), std::invalid_argument);
}

// The certificate by hand on K = [[0, 5], [5, 0]] (N + 1 = 3): prices 0 prove the diagonal;
// the crossed permutation has slack 15 + 15 against them, and no prices prove it.
TEST(AuctionAssignment, CertificateAcceptsTheOptimumAndRejectsOtherAssignments) {
  const std::vector<std::int64_t> k = {0, 5, 5, 0};
  EXPECT_TRUE(proves_assignment_optimal(k, {0, 1}, {0, 0}));
  // p_0 = 16: row 0's cheapest is column 1 (15 + 0), 1 below its own (0 + 16).
  EXPECT_TRUE(proves_assignment_optimal(k, {0, 1}, {16, 0}));   // slack 1 <= N: a proof
  EXPECT_FALSE(proves_assignment_optimal(k, {0, 1}, {18, 0}));  // slack 3 > N: none
  EXPECT_FALSE(proves_assignment_optimal(k, {1, 0}, {0, 0}));
  EXPECT_FALSE(proves_assignment_optimal(k, {1, 0}, {15, 15}));
  EXPECT_FALSE(proves_assignment_optimal(k, {1, 0}, {-15, -15}));
  EXPECT_FALSE(proves_assignment_optimal(k, {0, 0}, {0, 0}));     // no permutation
  EXPECT_FALSE(proves_assignment_optimal(k, {0, 2}, {0, 0}));     // no such column
  EXPECT_FALSE(proves_assignment_optimal(k, {0, 1}, {0, 0, 0}));  // sizes differ
  const std::int64_t huge = std::int64_t{1} << 60;
  EXPECT_FALSE(proves_assignment_optimal(k, {0, 1}, {huge, huge}));  // too large to sum
  // An auction's prices with two of its rows swapped: a costlier permutation, refused.
  std::mt19937_64 gen(9);
  const std::vector<std::int64_t> r = random_costs(30, 0, 1 << 20, gen);
  std::optional<Assignment> a = auction_assignment(r, 30, kNoBudget);
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(proves_assignment_optimal(r, a->column_of_row, a->prices));
  const std::int64_t optimum = total(r, a->column_of_row);
  std::swap(a->column_of_row[0], a->column_of_row[1]);
  ASSERT_GT(total(r, a->column_of_row), optimum);
  EXPECT_FALSE(proves_assignment_optimal(r, a->column_of_row, a->prices));
}

}  // namespace
