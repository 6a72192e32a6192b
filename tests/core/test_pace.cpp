// Long ensemble work cut into pieces (core/pace.hpp): the pieces change no bit of any result,
// the pace hears increasing fractions that end at 1, and a pace that throws stops the work.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "core/ensemble_ops.hpp"
#include "core/pace.hpp"
#include "model/diffusion.hpp"
#include "model/ensembles.hpp"
#include "model/metrics.hpp"

namespace {

using quddpm::Pace;
using quddpm::StateMatrix;

// Small pieces for the test's lifetime, so that small ensembles take many of them.
struct SmallPieces {
  double saved = quddpm::piece_work();
  SmallPieces() { quddpm::piece_work() = 200; }
  ~SmallPieces() { quddpm::piece_work() = saved; }
};

// Records the fractions it hears.
struct Recorder {
  std::vector<double> heard;
  Pace pace() {
    return [this](double f) { heard.push_back(f); };
  }
  void expect_increasing_to_one(const char* what) const {
    ASSERT_GE(heard.size(), 4u) << what << ": expected several pieces";
    for (std::size_t k = 1; k < heard.size(); ++k)
      EXPECT_GT(heard[k], heard[k - 1]) << what;
    EXPECT_GT(heard.front(), 0.0) << what;
    EXPECT_DOUBLE_EQ(heard.back(), 1.0) << what;
  }
};

bool same_bits(const StateMatrix& a, const StateMatrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::equal(a.data(), a.data() + a.size(), b.data());
}

TEST(Pace, PiecesChangeNoBitOfTheMetrics) {
  const SmallPieces small;
  // (The sums of squared overlaps take rows in blocks of 32, pieces in whole blocks.)
  const StateMatrix a = quddpm::make_haar(5, 300, 11), b = quddpm::make_haar(5, 230, 12);
  Recorder r1, r2, r3;
  const quddpm::RealMatrix whole = quddpm::overlap_sq(a, b),
                           pieces = quddpm::overlap_sq(a, b, r1.pace());
  EXPECT_TRUE(whole == pieces);
  r1.expect_increasing_to_one("overlap_sq");
  EXPECT_EQ(quddpm::mmd(a, b), quddpm::mmd(a, b, r2.pace()));
  r2.expect_increasing_to_one("mmd");
  EXPECT_EQ(quddpm::mmd_to_haar(a), quddpm::mmd_to_haar(a, r3.pace()));
  r3.expect_increasing_to_one("mmd_to_haar");
}

TEST(Pace, PiecesChangeNoBitOfTheForwardChain) {
  const SmallPieces small;
  const StateMatrix s0 = quddpm::make_haar(4, 29, 5);
  const std::vector<double> h = quddpm::linear_schedule(0.1, 1.0, 3);
  Recorder r1, r2;
  const auto whole = quddpm::diffuse_chain(s0, h, 77);
  const auto pieces = quddpm::diffuse_chain(s0, h, 77, r1.pace());
  ASSERT_EQ(whole.size(), pieces.size());
  for (std::size_t t = 0; t < whole.size(); ++t)
    EXPECT_TRUE(same_bits(whole[t], pieces[t])) << "S_" << t;
  r1.expect_increasing_to_one("diffuse_chain");
  EXPECT_TRUE(same_bits(quddpm::diffuse_to_end(s0, h, 77, r2.pace()), whole.back()));
}

TEST(Pace, AThrowingPaceStopsTheWorkBetweenPieces) {
  const SmallPieces small;
  const StateMatrix a = quddpm::make_haar(5, 300, 3);
  int calls = 0;
  const Pace stop_at_third = [&](double) {
    if (++calls == 3) throw std::runtime_error("stop");
  };
  EXPECT_THROW(quddpm::mmd_to_haar(a, stop_at_third), std::runtime_error);
  EXPECT_EQ(calls, 3);
  calls = 0;
  EXPECT_THROW(quddpm::diffuse_chain(a, {0.5, 0.5}, 1, stop_at_third), std::runtime_error);
  EXPECT_EQ(calls, 3);
}

}  // namespace
