// The measurement's outcome rules (model/backward_step.hpp): the Born rule's frequencies, and
// the quenched rule's frozen choice per input index, whose frequencies over many indices are
// still the Born rule's (the Gumbel-max trick), through training and generation.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "model/backward_step.hpp"
#include "model/ensembles.hpp"
#include "model/trainer.hpp"

namespace {

using namespace quddpm;

const std::vector<double> kProbabilities = {0.1, 0.0, 0.6, 0.3};

// Frequencies of each outcome over `count` indices, the probabilities the same for all.
std::vector<double> frequencies(const OutcomeChooser& choose, int count) {
  std::vector<double> f(kProbabilities.size(), 0.0);
  for (int i = 0; i < count; ++i)
    f[choose(i, kProbabilities)] += 1.0 / count;
  return f;
}

TEST(Outcomes, BothRulesFollowTheBornRuleOverIndices) {
  constexpr int kCount = 200000;
  for (const OutcomeChooser& choose : {sampled_outcomes(5), quenched_outcomes(5)}) {
    const std::vector<double> f = frequencies(choose, kCount);
    for (std::size_t m = 0; m < f.size(); ++m) {
      // Five binomial standard deviations.
      const double sd = std::sqrt(kProbabilities[m] * (1 - kProbabilities[m]) / kCount);
      EXPECT_NEAR(f[m], kProbabilities[m], 5 * sd + 1e-12) << "outcome " << m;
    }
  }
}

TEST(Outcomes, QuenchedChoiceDependsOnlyOnTheIndexAndTheProbabilities) {
  // Two choosers of one key (two epochs of a quenched run) agree index by index; fresh keys
  // of the Born rule do not.
  const OutcomeChooser a = quenched_outcomes(9), b = quenched_outcomes(9);
  int quenched_differ = 0, sampled_differ = 0;
  for (int i = 0; i < 1000; ++i) {
    quenched_differ += a(i, kProbabilities) != b(i, kProbabilities);
    sampled_differ += sampled_outcomes(100 + i)(i, kProbabilities) !=
                      sampled_outcomes(5000 + i)(i, kProbabilities);
  }
  EXPECT_EQ(quenched_differ, 0);
  EXPECT_GT(sampled_differ, 300);  // P(differ) = 1 - sum p^2 = 0.54
}

TEST(Outcomes, QuenchedNeverPicksAnImpossibleOutcome) {
  const OutcomeChooser q = quenched_outcomes(3);
  for (int i = 0; i < 10000; ++i) {
    EXPECT_NE(q(i, kProbabilities), 1);
    EXPECT_EQ(q(i, {0.0, 0.0, 1.0, 0.0}), 2);
  }
}

}  // namespace
