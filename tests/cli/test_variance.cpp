// `quddpm variance` (the Theorem 1 check): output shape, reproducibility, and the gradient
// variance of Haar inputs shrinking with the number of data qubits.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "support/run_command.hpp"

namespace {

using testing_cli::run_quddpm;

nlohmann::json variance(const std::string& args) {
  auto r = run_quddpm("variance " + args);
  EXPECT_EQ(r.status, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

// The option has the config's name (qubits.ancilla); the old spelling still works, with a
// warning on stderr and the same numbers.
TEST(CliVariance, OldAncillasSpellingWarnsAndGivesTheSameNumbers) {
  const std::string args = "--qubits 2 --layers 2 --draws 5 --samples 3 --seed 5";
  const auto now = run_quddpm("variance " + args + " --ancilla 1");
  const auto old = run_quddpm("variance " + args + " --ancillas 1");
  ASSERT_EQ(now.status, 0) << now.err;
  ASSERT_EQ(old.status, 0) << old.err;
  EXPECT_EQ(now.out, old.out);
  EXPECT_EQ(now.err.find("deprecated"), std::string::npos) << now.err;
  EXPECT_NE(old.err.find("warning: --ancillas is deprecated: use --ancilla"), std::string::npos)
      << old.err;
  const auto both = run_quddpm("variance " + args + " --ancilla 1 --ancillas 1");
  EXPECT_NE(both.status, 0);
}

TEST(CliVariance, ReportsEveryComponentAndIsReproducible) {
  const auto a = variance("--qubits 2 --ancilla 1 --layers 2 --draws 20 --samples 4 --seed 5");
  const auto b = variance(
      "--qubits 2 --ancilla 1 --layers 2 --draws 20 --samples 4 --seed 5 "
      "--threads 1");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a["num_params"], 2 * 3 * 2);
  ASSERT_EQ(a["grad_variance"].size(), 12u);
  ASSERT_EQ(a["grad_mean"].size(), 12u);
  double sum = 0;
  for (const auto& v : a["grad_variance"]) {
    EXPECT_GT(v.get<double>(), 0);
    sum += v.get<double>();
  }
  EXPECT_NEAR(a["mean_variance"].get<double>(), sum / 12, 1e-15);
  const auto c = variance("--qubits 2 --ancilla 1 --layers 2 --draws 20 --samples 4 --seed 6");
  EXPECT_NE(a["mean_variance"], c["mean_variance"]);
}

// Theorem 1's 2^-2n scaling predicts a factor of about 2^6 = 64 from n = 1 to n = 4; with
// 100 draws of 24 and 42 components the estimates are far tighter than the factor 8 asked.
TEST(CliVariance, ShrinksWithTheNumberOfDataQubits) {
  const auto v1 = variance("--qubits 1 --ancilla 1 --layers 2 --draws 100 --samples 6");
  const auto v4 = variance("--qubits 4 --ancilla 1 --layers 2 --draws 100 --samples 6");
  EXPECT_GT(v1["mean_variance"].get<double>(), 8 * v4["mean_variance"].get<double>())
      << v1["mean_variance"] << " vs " << v4["mean_variance"];
  // The mean gradient vanishes: |mean| is small beside the spread of a component.
  for (std::size_t k = 0; k < v4["grad_mean"].size(); ++k)
    EXPECT_LT(std::abs(v4["grad_mean"][k].get<double>()),
              5 * std::sqrt(v4["grad_variance"][k].get<double>() / 100))
        << "component " << k;
}

TEST(CliVariance, RefusesBadFlags) {
  for (const char* bad : {"--qubits 0", "--qubits 2 --draws 1", "--qubits 20 --ancilla 8",
                          "--qubits 2 --seed -1", "--draws 5"}) {
    auto r = run_quddpm(std::string("variance ") + bad);
    EXPECT_NE(r.status, 0) << bad;
    EXPECT_EQ(r.out, "") << bad;
  }
}

}  // namespace
