// `quddpm metrics` and the executable's global flags, driven as a user would.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/formats/npy.hpp"
#include "support/run_command.hpp"

namespace {

using namespace quddpm;
using testing_cli::run_quddpm;

StateMatrix basis_states(int nqubits, std::initializer_list<int> indices) {
  StateMatrix s = StateMatrix::Zero(indices.size(), 1 << nqubits);
  int r = 0;
  for (int i : indices)
    s(r++, i) = 1.0;
  return s;
}

TEST(CliGlobal, VersionAndHelp) {
  auto v = run_quddpm("--version");
  EXPECT_EQ(v.status, 0);
  EXPECT_NE(v.out.find("quddpm " QUDDPM_VERSION), std::string::npos);
  for (const char* sub : {"", "train ", "metrics ", "gradient "}) {
    auto h = run_quddpm(std::string(sub) + "--help");
    EXPECT_EQ(h.status, 0) << sub;
    EXPECT_NE(h.out.find("--help"), std::string::npos) << sub;
  }
}

TEST(CliGlobal, UnknownSubcommandIsOneLineError) {
  auto r = run_quddpm("frobnicate");
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(CliMetrics, ClosedFormsOnBasisStates) {
  const auto dir = testing_cli::scratch_dir("metrics");
  const std::string a = (dir / "a.npy").string(), b = (dir / "b.npy").string();
  // A = {|00>, |00>}, B = {|11>, |01>}: MMD = 1 + 1/2 - 0 = 1.5; mmd_to_haar(A) = 1 - 1/4,
  // mmd_to_haar(B) = 0 - 1/4. KL(B || A): P_B = (0, 1/2, 0, 1/2), P_A = (1, 0, 0, 0).
  npy::write_states(a, basis_states(2, {0, 0}));
  npy::write_states(b, basis_states(2, {3, 1}));
  auto r = run_quddpm("metrics --model " + a + " --target " + b);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_DOUBLE_EQ(j["mmd"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(j["wasserstein"].get<double>(), 1.0);  // every overlap is 0: every cost 1
  EXPECT_DOUBLE_EQ(j["mmd_to_haar_model"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(j["mmd_to_haar_target"].get<double>(), -0.25);
  const double eps = 1e-10, z = 1 + 4 * eps;
  const double p_half = (0.5 + eps) / z, p_zero = eps / z, p_one = (1 + eps) / z;
  // x = 1 and x = 3: target 1/2, model 0; x = 0: target 0, model 1; x = 2: both 0.
  const double kl = 2 * p_half * std::log(p_half / p_zero) + p_zero * std::log(p_zero / p_one);
  EXPECT_NEAR(j["kl"].get<double>(), kl, 1e-12 * kl);
  // A = {|00>, |01>}, B = {|01>, |10>}: costs [[1, 1], [0, 1]]; the best plan sends |01> to
  // |01> (cost 0) and |00> to |10> (cost 1), each with mass 1/2: W = 1/2.
  npy::write_states(a, basis_states(2, {0, 1}));
  npy::write_states(b, basis_states(2, {1, 2}));
  r = run_quddpm("metrics --model " + a + " --target " + b);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(r.out)["wasserstein"].get<double>(), 0.5);
  std::filesystem::remove_all(dir);
}

TEST(CliMetrics, BadInputsAreOneLineErrorsNamingTheFile) {
  const auto dir = testing_cli::scratch_dir("metrics_bad");
  const std::string good = (dir / "good.npy").string();
  const std::string three = (dir / "three_qubits.npy").string();
  const std::string junk = (dir / "junk.npy").string();
  npy::write_states(good, basis_states(2, {0, 1}));
  npy::write_states(three, basis_states(3, {0, 1}));
  std::ofstream(junk) << "not a numpy file";
  const std::string missing = (dir / "missing.npy").string();
  struct Bad {
    std::string args, needle;
  };
  for (const Bad& c : {Bad{"metrics --model " + missing + " --target " + good, "missing.npy"},
                       Bad{"metrics --model " + good + " --target " + junk, "junk.npy"},
                       Bad{"metrics --model " + good + " --target " + three, "qubit"},
                       Bad{"metrics --model " + good, "--target"}}) {
    auto r = run_quddpm(c.args);
    EXPECT_NE(r.status, 0) << c.args;
    EXPECT_TRUE(r.out.empty()) << c.args;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << " -> " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
