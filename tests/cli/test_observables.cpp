// observables.csv and histograms.csv of a finished run (docs/model.md, sections 7 and 8): each
// row agrees with a recomputation from the run's own .npy ensembles with dense Pauli matrices,
// the backward chain is training's (its ends are prior.npy and generated.npy), the files do not
// depend on the thread count, and `generate --observables` with the training seed gives the
// backward chain's rows.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/formats/npy.hpp"
#include "support/csv_rows.hpp"
#include "support/dense_reference.hpp"
#include "support/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using quddpm::StateMatrix;
using testing_cli::read_csv;
using testing_cli::run_quddpm;
using testing_cli::slurp;

constexpr int kSteps = 2, kSamples = 16, kData = 2;

std::string write_config(const fs::path& dir) {
  const nlohmann::json j = {
      {"model", "improved"},
      {"seed", 5},
      {"qubits", {{"data", kData}, {"ancilla", 1}}},
      {"diffusion", {{"steps", kSteps}, {"schedule", {{"end", 2.0}}}}},
      {"training", {{"samples", kSamples}, {"diffusion_size", 24}, {"epochs", 4}}},
      {"observables", nlohmann::json::parse(R"([{"kind": "basis_fidelity", "bits": "01"},
                                                {"kind": "pauli", "string": "Y0", "bins": 4},
                                                {"kind": "pauli", "string": "X1Z0"},
                                                {"kind": "magnetization", "bins": 3}])")},
      {"save_ensembles", true}};
  const fs::path path = dir / "obs.json";
  std::ofstream(path) << j.dump();
  return path.string();
}

fs::path train(const fs::path& dir, const std::string& cfg, const std::string& name, int threads) {
  const fs::path out = dir / name;
  const auto r = run_quddpm("train " + cfg + " --quiet --threads " + std::to_string(threads) +
                            " --out " + out.string());
  EXPECT_EQ(r.status, 0) << r.err;
  return out;
}

// The per-state values of each quantity the config names, computed independently: the
// amplitude's modulus squared, <psi|P|psi> with P the dense Kronecker product, and M from the
// diagonal of (1/n) sum_i Z_i.
std::map<std::string, std::vector<double>> truth(const StateMatrix& s) {
  const int n = kData;
  dref::Mat mean_z = dref::Mat::Zero(s.cols(), s.cols());
  for (int q = 0; q < n; ++q)
    mean_z += dref::on_qubit(n, q, dref::pauli_z()) / static_cast<double>(n);
  const dref::Mat y0 = dref::pauli_string(n, {{'Y', 0}});
  const dref::Mat x1z0 = dref::pauli_string(n, {{'X', 1}, {'Z', 0}});
  std::map<std::string, std::vector<double>> v;
  for (Eigen::Index i = 0; i < s.rows(); ++i) {
    const dref::Vec psi = s.row(i).transpose();
    v["basis_fidelity:01"].push_back(std::norm(psi(1)));  // qubit 0 = 0, qubit 1 = 1
    const double ey = (psi.adjoint() * y0 * psi)(0, 0).real();
    const double exz = (psi.adjoint() * x1z0 * psi)(0, 0).real();
    v["pauli:Y0"].push_back(ey);
    v["pauli_squared:Y0"].push_back(ey * ey);
    v["pauli:X1Z0"].push_back(exz);
    v["pauli_squared:X1Z0"].push_back(exz * exz);
    double m = 0;
    for (Eigen::Index x = 0; x < s.cols(); ++x)
      m += std::norm(psi(x)) * std::abs(mean_z(x, x).real());
    v["magnetization"].push_back(m);
  }
  return v;
}

using Rows = std::vector<std::map<std::string, std::string>>;

// The rows of one chain and t.
Rows rows_of(const Rows& all, const std::string& chain, int t) {
  Rows out;
  for (const auto& r : all)
    if (r.at("chain") == chain && r.at("t") == std::to_string(t)) out.push_back(r);
  return out;
}

// Checks the rows of one ensemble against its states.
void expect_rows_match(const Rows& values, const Rows& hist, const StateMatrix& states,
                       const std::string& where) {
  const auto v = truth(states);
  ASSERT_EQ(values.size(), v.size()) << where;
  const std::map<std::string, int> bins = {{"basis_fidelity:01", 10},  {"pauli:Y0", 4},
                                           {"pauli_squared:Y0", 4},    {"pauli:X1Z0", 10},
                                           {"pauli_squared:X1Z0", 10}, {"magnetization", 3}};
  std::size_t h = 0;
  for (const auto& row : values) {
    const std::string name = row.at("observable");
    SCOPED_TRACE(where + " " + name);
    ASSERT_EQ(v.count(name), 1u);
    const std::vector<double>& x = v.at(name);
    double mean = 0, var = 0;
    for (double e : x)
      mean += e / x.size();
    for (double e : x)
      var += (e - mean) * (e - mean) / x.size();
    EXPECT_NEAR(std::stod(row.at("mean")), mean, 1e-12);
    EXPECT_NEAR(std::stod(row.at("sd")), std::sqrt(var), 1e-9);
    // Its histogram: `bins` rows of counts over [-1, 1] (<P>) or [0, 1], summing to N.
    const double lo = name.rfind("pauli:", 0) == 0 ? -1 : 0;
    const int nb = bins.at(name);
    long long total = 0;
    for (int k = 0; k < nb; ++k, ++h) {
      ASSERT_LT(h, hist.size());
      const auto& b = hist[h];
      EXPECT_EQ(b.at("observable"), name);
      EXPECT_EQ(b.at("bin"), std::to_string(k));
      const double a = lo + (1 - lo) * k / nb, z = lo + (1 - lo) * (k + 1) / nb;
      EXPECT_NEAR(std::stod(b.at("lo")), a, 1e-15);
      EXPECT_NEAR(std::stod(b.at("hi")), z, 1e-15);
      long long count = 0;
      for (double e : x)
        count += (e >= a || k == 0) && (e < z || k + 1 == nb);
      EXPECT_EQ(std::stoll(b.at("count")), count) << "bin " << k;
      total += std::stoll(b.at("count"));
    }
    EXPECT_EQ(total, static_cast<long long>(x.size()));
  }
  EXPECT_EQ(h, hist.size());
}

TEST(ObservableFiles, CsvRowsAgreeWithTheSavedEnsembles) {
  const auto dir = testing_cli::scratch_dir("observables_csv");
  const fs::path run = train(dir, write_config(dir), "run", 1);
  const Rows values = read_csv(run / "observables.csv"), hist = read_csv(run / "histograms.csv");
  // Three chains of T + 1 ensembles, six quantities each (a Pauli string gives two).
  ASSERT_EQ(values.size(), 3u * (kSteps + 1) * 6);
  const std::string header = slurp((run / "observables.csv").string()).substr(0, 100);
  EXPECT_EQ(header.rfind("model,run_id,seed,n_data,n_ancilla,t,chain,observable,mean,sd\n", 0), 0u);
  for (const char* chain : {"backward", "test"}) {
    for (int t = 0; t <= kSteps; ++t) {
      const std::string file = std::string(chain) + "_t" + std::to_string(t) + ".npy";
      const StateMatrix s = quddpm::npy::read_states((run / "ensembles" / file).string());
      ASSERT_EQ(s.rows(), kSamples);
      expect_rows_match(rows_of(values, chain, t), rows_of(hist, chain, t), s, file);
    }
  }
  // The forward chain starts at the data.
  expect_rows_match(rows_of(values, "forward", 0), rows_of(hist, "forward", 0),
                    quddpm::npy::read_states((run / "data.npy").string()), "data.npy");
  // The backward chain is training's: the prior, ..., the generated ensemble; the test chain
  // starts from another prior.
  const fs::path ens = run / "ensembles";
  EXPECT_EQ(slurp((ens / ("backward_t" + std::to_string(kSteps) + ".npy")).string()),
            slurp((run / "prior.npy").string()));
  EXPECT_EQ(slurp((ens / "backward_t0.npy").string()), slurp((run / "generated.npy").string()));
  EXPECT_NE(slurp((ens / ("test_t" + std::to_string(kSteps) + ".npy")).string()),
            slurp((run / "prior.npy").string()));
  EXPECT_EQ(values.front().at("run_id"), read_csv(run / "cycles.csv").front().at("run_id"));

  // generate --observables with the training seed and sample count: the backward chain's rows.
  const fs::path gen_values = dir / "gen.csv", gen_hist = dir / "gen_hist.csv";
  const auto r =
      run_quddpm("generate --model " + run.string() + " --samples " + std::to_string(kSamples) +
                 " --seed 5 --out " + (dir / "gen.npy").string() + " --observables " +
                 gen_values.string() + " --histograms " + gen_hist.string());
  ASSERT_EQ(r.status, 0) << r.err;
  Rows backward_values, backward_hist;
  for (const auto& row : values)
    if (row.at("chain") == "backward") backward_values.push_back(row);
  for (const auto& row : hist)
    if (row.at("chain") == "backward") backward_hist.push_back(row);
  EXPECT_EQ(read_csv(gen_values), backward_values);
  EXPECT_EQ(read_csv(gen_hist), backward_hist);
  fs::remove_all(dir);
}

TEST(ObservableFiles, FilesDoNotDependOnTheThreadCount) {
  const auto dir = testing_cli::scratch_dir("observables_threads");
  const std::string cfg = write_config(dir);
  const fs::path one = train(dir, cfg, "one", 1), two = train(dir, cfg, "two", 2);
  for (const char* f : {"observables.csv", "histograms.csv", "ensembles/test_t0.npy",
                        "ensembles/backward_t1.npy"}) {
    const std::string a = slurp((one / f).string());
    EXPECT_FALSE(a.empty()) << f;
    EXPECT_TRUE(a == slurp((two / f).string())) << f << " differs";
  }
  fs::remove_all(dir);
}

// Without observables nothing is measured and nothing is kept; generate --observables then
// says that the model's config lists none, writing nothing.
TEST(ObservableFiles, NoneListedMeansNoFilesAndGenerateRefuses) {
  const auto dir = testing_cli::scratch_dir("observables_none");
  nlohmann::json j = nlohmann::json::parse(slurp(write_config(dir)));
  j.erase("observables");
  j.erase("save_ensembles");
  std::ofstream(dir / "plain.json") << j.dump();
  const fs::path run = train(dir, (dir / "plain.json").string(), "run", 1);
  for (const char* f : {"observables.csv", "histograms.csv", "ensembles"})
    EXPECT_FALSE(fs::exists(run / f)) << f;
  const auto r =
      run_quddpm("generate --model " + run.string() + " --samples 4 --seed 1 --out " +
                 (dir / "g.npy").string() + " --observables " + (dir / "g.csv").string());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("--observables: the model's config"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "g.csv"));
  EXPECT_FALSE(fs::exists(dir / "g.npy"));
  fs::remove_all(dir);
}

}  // namespace
