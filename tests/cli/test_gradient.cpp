// `quddpm gradient` against an independent dense-matrix computation.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/formats/npy.hpp"
#include "core/rng.hpp"
#include "model/ensembles.hpp"
#include "support/dense_circuit.hpp"
#include "support/run_command.hpp"

namespace {

using namespace quddpm;
using testing_cli::run_quddpm;

TEST(CliGradient, MatchesDenseLossAndItsFiniteDifferences) {
  const int n = 2, na = 2, layers = 2, nq = n + na;
  const auto dir = testing_cli::scratch_dir("gradient");
  const StateMatrix x = make_cluster(n, 4, ClusterParams{0.5}, 3);
  const StateMatrix y = make_ghz(n, 5, GhzParams{}, 4);
  Rng rng(5);
  RealMatrix p(1, 2 * nq * layers);
  for (Eigen::Index k = 0; k < p.size(); ++k)
    p(k) = rng.uniform(-2, 2);
  const std::vector<std::int64_t> outcomes{0, 1, 3, 2};
  const std::string f = dir.string() + "/";
  npy::write_states(f + "x.npy", x);
  npy::write_states(f + "y.npy", y);
  npy::write_reals(f + "p.npy", p);
  npy::write_ints(f + "o.npy", outcomes);

  auto r = run_quddpm("gradient --inputs " + f + "x.npy --targets " + f + "y.npy --params " + f +
                      "p.npy --outcomes " + f + "o.npy --ancilla 2 --layers 2");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto grad = j["grad"].get<std::vector<double>>();
  ASSERT_EQ(grad.size(), static_cast<std::size_t>(p.size()));

  std::vector<double> theta(p.data(), p.data() + p.size());
  const std::vector<long> o(outcomes.begin(), outcomes.end());
  auto loss = [&](const std::vector<double>& t) {
    return dense::mmd_cols(dense::outputs(dense::pqc(t, nq, layers), x.transpose(), o, n, na),
                           y.transpose());
  };
  EXPECT_NEAR(j["loss"].get<double>(), loss(theta), 1e-12);
  double sq = 0, err = 0, ref = 0;
  for (std::size_t k = 0; k < theta.size(); ++k) {
    auto tp = theta, tm = theta;
    tp[k] += 1e-6;
    tm[k] -= 1e-6;
    const double fd = (loss(tp) - loss(tm)) / 2e-6;
    err += (grad[k] - fd) * (grad[k] - fd);
    ref += fd * fd;
    sq += grad[k] * grad[k];
  }
  EXPECT_LT(std::sqrt(err / ref), 1e-6);
  EXPECT_NEAR(j["grad_norm"].get<double>(), std::sqrt(sq), 1e-12);
  std::filesystem::remove_all(dir);
}

TEST(CliGradient, ImprobableOutcomeAndWrongShapesRefused) {
  const auto dir = testing_cli::scratch_dir("gradient_bad");
  const std::string f = dir.string() + "/";
  const StateMatrix x = make_haar(1, 2, 1);
  npy::write_states(f + "x.npy", x);
  npy::write_reals(f + "p0.npy", RealMatrix::Zero(1, 4));  // na = 1, L = 1: theta = 0
  npy::write_reals(f + "p_short.npy", RealMatrix::Zero(1, 3));
  npy::write_ints(f + "o_bad.npy", {0, 1});
  npy::write_ints(f + "o_one.npy", {0});
  const std::string base = "gradient --inputs " + f + "x.npy --targets " + f + "x.npy ";
  struct Bad {
    std::string args, needle;
  };
  for (const Bad& c :
       {Bad{"--params " + f + "p0.npy --outcomes " + f + "o_bad.npy", "probability"},
        Bad{"--params " + f + "p_short.npy --outcomes " + f + "o_bad.npy", "p_short.npy"},
        Bad{"--params " + f + "p0.npy --outcomes " + f + "o_one.npy", "o_one.npy"}}) {
    auto r = run_quddpm(base + c.args + " --ancilla 1 --layers 1");
    EXPECT_NE(r.status, 0) << c.args;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
