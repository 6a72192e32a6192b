// `quddpm config` is the sweep scripts' check before they queue runs: it makes every check
// `train` makes before writing anything, through the same code (app::check_run). A run it
// passes is not refused by `train` on a node for its inputs, and a run it refuses is refused
// by `train` with the very same line, before any run folder exists.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "app/formats/npy.hpp"
#include "support/refusal.hpp"

namespace {

namespace fs = std::filesystem;
using testing_cli::expect_refused;
using testing_cli::run_quddpm;

// A FIFO target used to hang `train`: a time limit keeps a faulty build from hanging the suite.
constexpr int kSeconds = 20;

// A tiny original-model config for 1 data qubit, 8 target states, `extra` spliced in.
std::string tiny_config(const std::string& extra) {
  return R"({"model": "original", "qubits": {"data": 1, "ancilla": 1}, "diffusion": {"steps": 2},
             "training": {"samples": 4, "diffusion_size": 8, "epochs": 2})" +
         extra + "}";
}

std::string npy_target(const std::string& path) {
  return R"(, "target": {"kind": "npy", "path": ")" + path + "\"}";
}

// `rows` one-qubit states |+>, one amplitude replaced when `bad` is given.
quddpm::StateMatrix plus_states(int rows, double bad = 1 / std::sqrt(2.0)) {
  quddpm::StateMatrix m = quddpm::StateMatrix::Constant(rows, 2, 1 / std::sqrt(2.0));
  m(0, 0) = bad;
  return m;
}

struct BadRun {
  std::string name;
  std::string config_text;
  std::string extra;                 // more arguments (--set)
  std::vector<std::string> needles;  // in the message ("FILE" stands for the config file)
};

TEST(ChecksBeforeWork, ConfigRefusesWhatTrainRefusesWithTheSameLine) {
  const auto dir = testing_cli::scratch_dir("checks_before_work");
  const std::string d = dir.string() + "/";
  quddpm::npy::write_states(d + "nan.npy", plus_states(8, std::nan("")));
  quddpm::npy::write_states(d + "unnormalized.npy", plus_states(8, 2.0));
  quddpm::npy::write_states(d + "few.npy", plus_states(3));
  quddpm::StateMatrix two_qubits = quddpm::StateMatrix::Zero(8, 4);
  two_qubits.col(0).setOnes();  // |00>, eight times
  quddpm::npy::write_states(d + "two_qubits.npy", two_qubits);
  ASSERT_EQ(::mkfifo((d + "fifo.npy").c_str(), 0644), 0);
  const std::string ok = tiny_config("");
  const std::vector<BadRun> cases = {
      {"missing",
       tiny_config(npy_target("absent.npy")),
       "",
       {d + "absent.npy: cannot open for reading: No such file or directory"}},
      {"nan",
       tiny_config(npy_target("nan.npy")),
       "",
       {d + "nan.npy: non-finite amplitude in row 0, column 0"}},
      {"unnormalized",
       tiny_config(npy_target("unnormalized.npy")),
       "",
       {d + "unnormalized.npy: state in row 0 has norm"}},
      {"wrong_qubits",
       tiny_config(npy_target("two_qubits.npy")),
       "",
       {d + "two_qubits.npy: states have 4 amplitudes, but qubits.data = 1 needs 2"}},
      {"too_few",
       tiny_config(npy_target("few.npy")),
       "",
       {d + "few.npy: holds 3 states, training.diffusion_size needs 8"}},
      {"fifo",
       tiny_config(npy_target("fifo.npy")),
       "",
       {d + "fifo.npy: cannot open for reading: it is a FIFO, not a regular file"}},
      {"one_sample",
       ok,
       "--set training.samples=1",
       {"FILE: 'training.samples' must be an integer >= 2, found 1"}},
      {"nul_byte", ok + std::string(1, '\0') + "}", "", {"FILE: invalid JSON: the file contains"}},
      {"auto_end_from_past_2pi",
       ok,
       "--set diffusion.schedule.end=auto --set diffusion.schedule.start=7",
       {"FILE: 'diffusion.schedule.start' must be below 2 pi"}},
  };
  for (const BadRun& c : cases) {
    const std::string cfg = d + c.name + ".json";
    std::ofstream(cfg, std::ios::binary) << c.config_text;
    std::vector<std::string> needles;
    for (std::string n : c.needles) {
      if (n.rfind("FILE", 0) == 0) n.replace(0, 4, cfg);
      needles.push_back(n);
    }
    const std::string args = cfg + " --out " + d + "run " + c.extra;
    const auto checked =
        expect_refused(dir, "config " + args, needles, c.name + " (config)", kSeconds);
    const auto trained =
        expect_refused(dir, "train " + args, needles, c.name + " (train)", kSeconds);
    EXPECT_EQ(checked.err, trained.err) << c.name;
    fs::remove(cfg);
  }
  fs::remove_all(dir);
}

// And a run it passes, `train` runs: the same resolved config, the same run id.
TEST(ChecksBeforeWork, ARunConfigPassesTrainRuns) {
  const auto dir = testing_cli::scratch_dir("checks_pass");
  quddpm::npy::write_states((dir / "plus.npy").string(), plus_states(8));
  const std::string cfg = (dir / "good.json").string();
  std::ofstream(cfg) << tiny_config(npy_target("plus.npy"));
  const std::string out = (dir / "run").string();
  const auto checked = run_quddpm("config " + cfg + " --out " + out, "", kSeconds);
  ASSERT_EQ(checked.status, 0) << checked.err;
  EXPECT_FALSE(fs::exists(out));
  const auto trained = run_quddpm("train " + cfg + " --out " + out + " --threads 1 --quiet");
  ASSERT_EQ(trained.status, 0) << trained.err;
  const auto before = nlohmann::json::parse(checked.out);
  EXPECT_EQ(before["config"], nlohmann::json::parse(testing_cli::slurp(out + "/config.json")));
  EXPECT_EQ(before["run_id"],
            nlohmann::json::parse(testing_cli::slurp(out + "/manifest.json"))["run_id"]);
  fs::remove_all(dir);
}

}  // namespace
