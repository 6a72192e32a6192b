// The parallelism policy's pool (core/parallel.cpp): every state of a loop is visited exactly
// once, on a thread whose index fits the per-thread workspaces, for any thread count and across
// many loops in a row (the pool is reused); loops inside a loop run on the calling thread.
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "core/parallel.hpp"

namespace {

using namespace quddpm;

class ThreadCount : public testing::TestWithParam<int> {
 protected:
  void SetUp() override { par::set_max_threads(GetParam()); }
  void TearDown() override { par::set_max_threads(1); }
};

TEST_P(ThreadCount, EveryStateVisitedOnceOnAThreadOfThePool) {
  const int threads = GetParam();
  for (int round = 0; round < 2000; ++round) {
    const std::int64_t n = 1 + round % 37;
    std::vector<std::atomic<int>> visits(n);
    std::atomic<int> bad_index{0};
    par::for_each_state(
        n,
        [&](std::int64_t i) {
          visits[i].fetch_add(1);
          const int t = par::thread_index();
          if (t < 0 || t >= threads || !par::in_parallel()) bad_index.fetch_add(1);
        },
        par::kUnknownWork);
    for (std::int64_t i = 0; i < n; ++i)
      ASSERT_EQ(visits[i].load(), 1) << "round " << round << " state " << i;
    if (n > 1 && threads > 1) {
      ASSERT_EQ(bad_index.load(), 0) << "round " << round;
    }
  }
  EXPECT_FALSE(par::in_parallel());
  EXPECT_EQ(par::thread_index(), 0);
}

TEST_P(ThreadCount, ALoopInsideALoopRunsOnTheCallingThread) {
  std::vector<std::atomic<int>> visits(8 * 8);
  std::atomic<int> moved{0};
  par::for_each_state(
      8,
      [&](std::int64_t i) {
        const int outer = par::thread_index();
        par::for_each_state(
            8,
            [&](std::int64_t j) {
              visits[i * 8 + j].fetch_add(1);
              if (par::thread_index() != outer) moved.fetch_add(1);
            },
            par::kUnknownWork);
      },
      par::kUnknownWork);
  for (auto& v : visits)
    EXPECT_EQ(v.load(), 1);
  EXPECT_EQ(moved.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(Pool, ThreadCount, testing::Values(1, 2, 3, 5));

}  // namespace
