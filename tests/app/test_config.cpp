// Experiment configs: presets, overrides, round trip and one-line error messages.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/config/config.hpp"
#include "app/formats/sha256.hpp"

namespace quddpm::config {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("quddpm_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The message of the Error that resolving `text` throws, or "" if it resolves.
std::string resolve_error(const std::string& text, const std::string& source = "configs/x.json") {
  try {
    resolve(json::parse(text), source);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string load_error(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    load(path, overrides);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

const char* kMinimal = R"({"model": "original", "qubits": {"data": 4}})";

// ---------------------------------------------------------------------------------------------

TEST(ConfigPresets, OriginalFillsEveryDefault) {
  const ExperimentConfig c = resolve(json::parse(kMinimal), "configs/orig.json");
  const GhzParams ghz;
  EXPECT_EQ(c.source, "configs/orig.json");
  EXPECT_STREQ(name_of(c.model), "original");
  EXPECT_EQ(c.run.seed, 1u);
  EXPECT_EQ(c.output, "runs/orig");
  EXPECT_EQ(c.run.n_data, 4);
  EXPECT_EQ(c.run.n_ancilla, 3);
  EXPECT_STREQ(name_of(c.target.kind), "ghz");
  EXPECT_EQ(c.target.ghz.theta_min, ghz.theta_min);
  EXPECT_EQ(c.target.ghz.theta_max, ghz.theta_max);
  EXPECT_EQ(c.target.ghz.phi_min, ghz.phi_min);
  EXPECT_EQ(c.target.ghz.phi_max, ghz.phi_max);
  EXPECT_EQ(c.target.ghz.noise, ghz.noise);
  EXPECT_EQ(c.target.npy_path, "");
  EXPECT_EQ(c.steps, 30);
  EXPECT_STREQ(name_of(c.schedule_kind), "linear");
  EXPECT_EQ(c.schedule_start, 0.5);
  EXPECT_EQ(c.schedule_end, 4.0);
  EXPECT_STREQ(name_of(c.run.prior), "haar");
  EXPECT_EQ(c.run.layers, 14);  // 2 * (4 + 3)
  EXPECT_STREQ(name_of(c.run.init), "normal");
  EXPECT_EQ(c.run.init_std, 1.0);
  EXPECT_EQ(c.run.samples, 100);
  EXPECT_EQ(c.run.diffusion_size, 500);
  EXPECT_EQ(c.run.epochs, 300);
  EXPECT_EQ(c.run.learning_rate, 0.005);
}

TEST(ConfigPresets, ImprovedFillsEveryDefault) {
  const ExperimentConfig c =
      resolve(json::parse(R"({"model": "improved", "qubits": {"data": 7}})"), "a/b/imp.json");
  EXPECT_STREQ(name_of(c.model), "improved");
  EXPECT_EQ(c.run.seed, 1u);
  EXPECT_EQ(c.output, "runs/imp");
  EXPECT_EQ(c.run.n_data, 7);
  EXPECT_EQ(c.run.n_ancilla, 3);
  EXPECT_STREQ(name_of(c.target.kind), "ghz");
  EXPECT_EQ(c.target.ghz.noise, 0.08);
  EXPECT_EQ(c.steps, 30);
  EXPECT_STREQ(name_of(c.schedule_kind), "linear");
  EXPECT_EQ(c.schedule_start, preset_of(ModelKind::Improved).schedule_start);
  EXPECT_TRUE(c.schedule_end_auto);
  EXPECT_EQ(c.target_mmd_to_haar, preset_of(ModelKind::Improved).target_mmd_to_haar);
  EXPECT_FALSE(c.calibrated_end.has_value());
  EXPECT_STREQ(name_of(c.run.prior), "diffused");
  EXPECT_EQ(c.run.layers, 20);  // 2 * (7 + 3)
  EXPECT_STREQ(name_of(c.run.init), "uniform");
  EXPECT_EQ(c.run.init_c, 1.0);
  EXPECT_EQ(c.run.init_ancilla_c, 1.0);
  EXPECT_EQ(c.run.samples, 100);
  EXPECT_EQ(c.run.diffusion_size, 500);
  EXPECT_EQ(c.run.epochs, 300);
  EXPECT_EQ(c.run.learning_rate, 0.005);
}

TEST(ConfigPresets, GivenValuesWinAndTheRestComeFromThePreset) {
  const ExperimentConfig c = resolve(json::parse(R"({
    "model": "improved", "seed": 7, "output": "elsewhere",
    "qubits": {"data": 2, "ancilla": 0},
    "diffusion": {"steps": 5, "schedule": {"start": 0.2}},
    "circuit": {"layers": 3},
    "training": {"epochs": 10}
  })"),
                                     "x.json");
  EXPECT_EQ(c.run.seed, 7u);
  EXPECT_EQ(c.output, "elsewhere");
  EXPECT_EQ(c.run.n_ancilla, 0);
  EXPECT_EQ(c.steps, 5);
  EXPECT_EQ(c.schedule_start, 0.2);
  EXPECT_TRUE(c.schedule_end_auto);
  EXPECT_EQ(c.run.layers, 3);
  EXPECT_STREQ(name_of(c.run.init), "uniform");
  EXPECT_EQ(c.run.epochs, 10);
  EXPECT_EQ(c.run.samples, 100);
}

TEST(ConfigPresets, AncillaInitScaleFollowsCUnlessGiven) {
  const auto c = resolve(
      json::parse(R"({"model": "improved", "qubits": {"data": 2}, "circuit": {"init": {"c": 3}}})"),
      "x.json");
  EXPECT_EQ(c.run.init_c, 3.0);
  EXPECT_EQ(c.run.init_ancilla_c, 3.0);
  const auto d = resolve(json::parse(R"({"model": "improved", "qubits": {"data": 2},
                                         "circuit": {"init": {"c": 3, "ancilla_c": 12}}})"),
                         "x.json");
  EXPECT_EQ(d.run.init_c, 3.0);
  EXPECT_EQ(d.run.init_ancilla_c, 12.0);
}

TEST(ConfigPresets, AutoEndHasNoValueUntilCalibrated) {
  const auto c = resolve(json::parse(R"({"model": "improved", "qubits": {"data": 2}})"), "x.json");
  EXPECT_THROW(schedule_end_of(c), std::logic_error);
  const auto d = resolve(json::parse(R"({"model": "improved", "qubits": {"data": 2},
      "diffusion": {"schedule": {"target_mmd_to_haar": 0.2, "calibrated_end": 0.75}}})"),
                         "x.json");
  EXPECT_EQ(d.target_mmd_to_haar, 0.2);
  EXPECT_EQ(schedule_end_of(d), 0.75);
  const json j = to_json(d);
  EXPECT_EQ(j["diffusion"]["schedule"]["end"], "auto");
  EXPECT_EQ(j["diffusion"]["schedule"]["calibrated_end"], 0.75);
  // The original preset keeps its fixed end.
  EXPECT_EQ(schedule_end_of(resolve(json::parse(kMinimal), "x.json")), 4.0);
}

TEST(ConfigPresets, ChangingAKindAppliesTheNewKindsDefaults) {
  const ExperimentConfig c = resolve(json::parse(R"({
    "model": "original", "qubits": {"data": 3},
    "target": {"kind": "cluster"}, "prior": {"kind": "cluster"},
    "circuit": {"init": {"kind": "uniform"}}
  })"),
                                     "x.json");
  EXPECT_STREQ(name_of(c.target.kind), "cluster");
  EXPECT_EQ(c.target.cluster.scale, 0.24);
  EXPECT_STREQ(name_of(c.run.prior), "cluster");
  EXPECT_EQ(c.run.prior_cluster.scale, 0.24);
  EXPECT_STREQ(name_of(c.run.init), "uniform");
  EXPECT_EQ(c.run.init_c, 1.0);

  const ExperimentConfig d = resolve(json::parse(R"({
    "model": "improved", "qubits": {"data": 3},
    "target": {"kind": "haar"}, "prior": {"kind": "haar"},
    "circuit": {"init": {"kind": "normal", "std": 0.5}}
  })"),
                                     "x.json");
  EXPECT_STREQ(name_of(d.target.kind), "haar");
  EXPECT_STREQ(name_of(d.run.prior), "haar");
  EXPECT_STREQ(name_of(d.run.init), "normal");
  EXPECT_EQ(d.run.init_std, 0.5);
  EXPECT_EQ(d.schedule_start,
            preset_of(ModelKind::Improved).schedule_start);  // the preset still fills the schedule
}

TEST(ConfigPresets, NpyPathIsRelativeToTheConfigDirectory) {
  const json j = json::parse(
      R"({"model": "original", "qubits": {"data": 2}, "target": {"kind": "npy", "path": "s.npy"}})");
  EXPECT_EQ(resolve(j, "/data/configs/x.json").target.npy_path, "/data/configs/s.npy");

  json up = j;
  up["target"]["path"] = "../states/s.npy";
  EXPECT_EQ(resolve(up, "/data/configs/x.json").target.npy_path, "/data/states/s.npy");

  json abs = j;
  abs["target"]["path"] = "/elsewhere/s.npy";
  EXPECT_EQ(resolve(abs, "/data/configs/x.json").target.npy_path, "/elsewhere/s.npy");

  // A relative config location still yields an absolute path, next to the config.
  const fs::path p = resolve(j, "configs/x.json").target.npy_path;
  EXPECT_TRUE(p.is_absolute());
  EXPECT_EQ(p, (fs::current_path() / "configs" / "s.npy").lexically_normal());
}

TEST(ConfigPresets, LoadUsesTheFileStemForOutput) {
  TempDir dir;
  const std::string path = dir.write("sweep_n4.json", kMinimal);
  const ExperimentConfig c = load(path);
  EXPECT_EQ(c.source, path);
  EXPECT_EQ(c.output, "runs/sweep_n4");
}

// ---------------------------------------------------------------------------------------------

TEST(ConfigOverrides, SetNestedKeysWithTheirJsonTypes) {
  TempDir dir;
  const std::string path = dir.write("x.json", R"({
    "model": "original", "qubits": {"data": 4},
    "target": {"kind": "ghz", "noise": 0.05},
    "circuit": {"layers": 3}
  })");
  const ExperimentConfig c =
      load(path, {"qubits.data=7", "training.learning_rate=1e-3", "output=runs/x",
                  "seed=18446744073709551615", "model=improved", "diffusion.schedule.end=2",
                  "circuit.layers=null", "training.epochs=5"});
  EXPECT_EQ(c.run.n_data, 7);
  EXPECT_EQ(c.run.learning_rate, 1e-3);
  EXPECT_EQ(c.output, "runs/x");
  EXPECT_EQ(c.run.seed, std::numeric_limits<std::uint64_t>::max());
  EXPECT_STREQ(name_of(c.model), "improved");
  EXPECT_STREQ(name_of(c.run.prior), "diffused");  // preset of the overridden model
  EXPECT_EQ(c.schedule_start, preset_of(ModelKind::Improved).schedule_start);
  EXPECT_FALSE(c.schedule_end_auto);
  EXPECT_EQ(c.schedule_end, 2.0);
  EXPECT_EQ(c.run.layers, 20);  // null removed the file's value: 2 * (7 + 3)
  EXPECT_EQ(c.run.epochs, 5);   // "training" did not exist in the file
  EXPECT_EQ(c.target.ghz.noise, 0.05);
}

// An object merges into the object it names: keys it leaves out keep their values, null removes
// a key, and a new kind drops the old kind's keys.
TEST(ConfigOverrides, ObjectValuesMergeIntoObjects) {
  TempDir dir;
  const std::string path = dir.write("x.json", R"({
    "model": "original", "qubits": {"data": 4, "ancilla": 2},
    "target": {"kind": "ghz", "noise": 0.05}
  })");
  const ExperimentConfig c = load(path, {R"(qubits={"data": 1})"});
  EXPECT_EQ(c.run.n_data, 1);
  EXPECT_EQ(c.run.n_ancilla, 2);
  const ExperimentConfig d = load(path, {R"(qubits={"ancilla": null})"});
  EXPECT_EQ(d.run.n_ancilla, 3);  // back to the default
  const ExperimentConfig e = load(path, {R"(target={"kind": "cluster", "scale": 0.5})"});
  EXPECT_STREQ(name_of(e.target.kind), "cluster");
  EXPECT_EQ(e.target.cluster.scale, 0.5);
  EXPECT_EQ(load(path, {R"(target={"theta_min": 1.0})"}).target.ghz.noise, 0.05);
}

TEST(ConfigOverrides, ValuesThatAreNotJsonAreStrings) {
  TempDir dir;
  const std::string path = dir.write("x.json", kMinimal);
  EXPECT_EQ(load(path, {"output=a=b"}).output, "a=b");
  EXPECT_EQ(load(path, {"output=runs/with space"}).output, "runs/with space");
  EXPECT_EQ(load(path, {"output=\"7\""}).output, "7");  // quoted JSON string
  // 7 is a number, so it is refused where a string is expected.
  EXPECT_NE(load_error(path, {"output=7"}).find("'output' must be a non-empty string, found 7"),
            std::string::npos);
}

TEST(ConfigOverrides, ChangingAKindDropsTheOldKindsKeys) {
  TempDir dir;
  const std::string path = dir.write("x.json", R"({
    "model": "original", "qubits": {"data": 4},
    "target": {"kind": "ghz", "noise": 0.05, "theta_min": 1.0},
    "prior": {"kind": "cluster", "scale": 0.3},
    "circuit": {"init": {"std": 2.0}}
  })");
  const ExperimentConfig c =
      load(path, {"target.kind=cluster", "prior.kind=diffused", "circuit.init.kind=uniform"});
  EXPECT_STREQ(name_of(c.target.kind), "cluster");
  EXPECT_EQ(c.target.cluster.scale, 0.24);
  EXPECT_EQ(c.target.ghz.noise, GhzParams{}.noise);
  EXPECT_STREQ(name_of(c.run.prior), "diffused");
  EXPECT_STREQ(name_of(c.run.init), "uniform");

  // Then a later override sets the new kind's key.
  EXPECT_EQ(load(path, {"target.kind=cluster", "target.scale=0.2"}).target.cluster.scale, 0.2);
  // Re-setting the same kind keeps the file's values.
  EXPECT_EQ(load(path, {"target.kind=ghz"}).target.ghz.noise, 0.05);
  // A whole object can be replaced too.
  const ExperimentConfig d = load(path, {R"(prior={"kind": "cluster", "scale": 0.5})"});
  EXPECT_EQ(d.run.prior_cluster.scale, 0.5);
}

// warm_start belongs to every init kind: it survives a kind change and is read under both.
TEST(ConfigOverrides, WarmStartIsSharedByEveryInitKind) {
  TempDir dir;
  const std::string path = dir.write("x.json", R"({
    "model": "original", "qubits": {"data": 4},
    "circuit": {"init": {"kind": "normal", "std": 2.0, "warm_start": true}}
  })");
  EXPECT_TRUE(load(path).run.warm_start);
  const ExperimentConfig c = load(path, {"circuit.init.kind=uniform"});
  EXPECT_STREQ(name_of(c.run.init), "uniform");
  EXPECT_TRUE(c.run.warm_start);
  EXPECT_FALSE(load(path, {"circuit.init.warm_start=false"}).run.warm_start);
  const std::string msg = load_error(path, {"circuit.init.warm_start=1"});
  EXPECT_NE(msg.find("'circuit.init.warm_start' must be true or false, found 1"), std::string::npos)
      << msg;
  const std::string input = load_error(path, {"training.input=teacher"});
  EXPECT_NE(input.find("'training.input' must be one of: chain, forward"), std::string::npos)
      << input;
}

// The two keys added after runs were published (and `loss`, tested below) leave those runs'
// ids as they were while at their defaults, and change the id when set.
TEST(ConfigRunId, NewKeysAtTheirDefaultsKeepEarlierIds) {
  const ExperimentConfig c = resolve(json::parse(kMinimal), "configs/x.json");
  json j = to_json(c);
  j.erase("output");
  j.erase("checkpoint");
  j.erase("observables");
  j.erase("save_ensembles");
  j["circuit"]["init"].erase("warm_start");
  for (const char* key : {"input", "outcomes", "optimizer", "decay_every", "decay_factor"})
    j["training"].erase(key);
  ASSERT_EQ(j["loss"], json::parse(R"({"kind": "mmd"})"));
  j.erase("loss");
  // j is the resolved config as it was before the keys existed; run ids hash it (config.hpp).
  const ExperimentConfig warm = resolve(json::parse(R"({"model": "original", "qubits": {"data": 4},
                      "circuit": {"init": {"warm_start": true}}})"),
                                        "configs/x.json");
  const ExperimentConfig forced =
      resolve(json::parse(R"({"model": "original", "qubits": {"data": 4},
                      "training": {"input": "forward"}})"),
              "configs/x.json");
  EXPECT_EQ(run_id(c), app::sha256_hex(j.dump()).substr(0, 12));
  EXPECT_NE(run_id(warm), run_id(c));
  EXPECT_NE(run_id(forced), run_id(c));
  EXPECT_NE(run_id(forced), run_id(warm));
}

// The optimizer keys (issue 26) at their defaults leave every earlier id as it was: the id of a
// config that does not name them is the hash of the resolved config without them, as before
// they existed; naming them at their defaults changes nothing, other values change the id.
TEST(ConfigRunId, OptimizerKeysAtTheirDefaultsKeepEarlierIds) {
  for (const char* text : {kMinimal, R"({"model": "improved", "qubits": {"data": 3},
                                         "diffusion": {"schedule": {"calibrated_end": 1.5}},
                                         "target": {"kind": "cluster"}})"}) {
    const ExperimentConfig c = resolve(json::parse(text), "configs/x.json");
    json j = to_json(c);
    for (const char* key : {"output", "checkpoint", "observables", "save_ensembles"})
      j.erase(key);
    j["diffusion"]["schedule"].erase("calibrated_end");
    j["circuit"]["init"].erase("warm_start");
    for (const char* key : {"input", "outcomes", "optimizer", "decay_every", "decay_factor"})
      j["training"].erase(key);
    j.erase("loss");
    EXPECT_EQ(run_id(c), app::sha256_hex(j.dump()).substr(0, 12)) << text;
    json named = json::parse(text);
    named["training"] = {{"optimizer", "adam"}, {"decay_every", 1}, {"decay_factor", 1.0}};
    EXPECT_EQ(run_id(resolve(named, "configs/x.json")), run_id(c)) << text;
  }
  const std::string base = run_id(resolve(json::parse(kMinimal), "configs/x.json"));
  std::set<std::string> ids = {base};
  for (const char* training :
       {R"({"optimizer": "sgd"})", R"({"optimizer": "sgd", "momentum": 0.5})",
        R"({"decay_every": 400})", R"({"decay_factor": 0.5})"}) {
    json j = json::parse(kMinimal);
    j["training"] = json::parse(training);
    EXPECT_TRUE(ids.insert(run_id(resolve(j, "configs/x.json"))).second) << training;
  }
}

// Bad values of the issue-26 keys: one line naming the key and what was expected.
TEST(ConfigMalformed, SchedulesTargetsAndOptimizersNameTheKey) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {R"({"model": "original", "qubits": {"data": 2}, "diffusion": {"steps": 3,
           "schedule": {"kind": "list", "values": [1, 2]}}})",
       "'diffusion.schedule.values' must hold 'diffusion.steps' = 3 values (h_1..h_T), found 2"},
      {R"({"model": "original", "qubits": {"data": 2}, "diffusion": {"steps": 2,
           "schedule": {"kind": "list", "values": [1, -2]}}})",
       "'diffusion.schedule.values' must hold finite numbers >= 0, found -2 at index 1"},
      {R"({"model": "original", "qubits": {"data": 2}, "diffusion": {"steps": 2,
           "schedule": {"kind": "list", "values": 1}}})",
       "'diffusion.schedule.values' must be an array of numbers >= 0, found 1"},
      {R"({"model": "original", "qubits": {"data": 2}, "diffusion": {"steps": 2,
           "schedule": {"kind": "list"}}})",
       "'diffusion.schedule.values' is required for a schedule of kind 'list'"},
      {R"({"model": "original", "qubits": {"data": 2}, "diffusion": {"steps": 2,
           "schedule": {"kind": "list", "values": [1, 2], "end": 3}}})",
       "unknown key 'diffusion.schedule.end' for schedule kind 'list'"},
      {R"({"model": "original", "qubits": {"data": 2},
           "diffusion": {"schedule": {"kind": "quadratic", "end": "auto"}}})",
       "'diffusion.schedule.end' must be a number >= 0 for a quadratic schedule: \"auto\" "
       "calibrates only a linear one"},
      {R"({"model": "original", "qubits": {"data": 2},
           "diffusion": {"schedule": {"kind": "quadratic"}}})",
       "'diffusion.schedule.end' is required for a schedule of kind 'quadratic'"},
      {R"({"model": "original", "qubits": {"data": 2},
           "diffusion": {"schedule": {"kind": "quadratic", "end": 1, "start": 0.1}}})",
       "unknown key 'diffusion.schedule.start' for schedule kind 'quadratic'"},
      {R"({"model": "original", "qubits": {"data": 2}, "target": {"kind": "circle"}})",
       "'target.kind' \"circle\" is a one-qubit ensemble: 'qubits.data' must be 1, found 2"},
      {R"({"model": "original", "qubits": {"data": 17, "ancilla": 0},
           "target": {"kind": "tfim"}})",
       "'target.kind' \"tfim\" takes at most 16 qubits (exact ground states): 'qubits.data' is 17"},
      {R"({"model": "original", "qubits": {"data": 2},
           "target": {"kind": "tfim", "g_min": 0.5, "g_max": 0.4}})",
       "'target.g_min' (0.5) must be <= 'target.g_max' (0.4)"},
      {R"({"model": "original", "qubits": {"data": 2},
           "target": {"kind": "tfim", "g_min": -0.1}})",
       "'target.g_min' must be a finite number >= 0, found -0.1"},
      {R"({"model": "original", "qubits": {"data": 2},
           "target": {"kind": "tfim", "boundary": "closed"}})",
       "'target.boundary' must be one of: open, periodic; found \"closed\""},
      {R"({"model": "original", "qubits": {"data": 2}, "target": {"kind": "circle", "g_min": 1}})",
       "unknown key 'target.g_min' for target kind 'circle' (it belongs to kind 'tfim'"},
      {R"({"model": "original", "qubits": {"data": 2}, "training": {"optimizer": "rmsprop"}})",
       "'training.optimizer' must be one of: adam, sgd; found \"rmsprop\""},
      {R"({"model": "original", "qubits": {"data": 2}, "training": {"momentum": 0.9}})",
       "'training.momentum' applies only when 'training.optimizer' is \"sgd\""},
      {R"({"model": "original", "qubits": {"data": 2},
           "training": {"optimizer": "sgd", "momentum": 1}})",
       "'training.momentum' must be below 1, found 1"},
      {R"({"model": "original", "qubits": {"data": 2}, "training": {"decay_every": 0}})",
       "'training.decay_every' must be an integer >= 1, found 0"},
      {R"({"model": "original", "qubits": {"data": 2}, "training": {"decay_factor": 0}})",
       "'training.decay_factor' must be a finite number > 0, found 0"},
  };
  for (const auto& [text, fragment] : cases) {
    const std::string msg = resolve_error(text);
    EXPECT_EQ(msg.rfind("configs/x.json: ", 0), 0u) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << text << "\n" << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

// loss.kind = mmd given explicitly has the id of the config without it (which the test above
// pins to the id from before the key); the other losses, and their epsilon, are other
// experiments.
TEST(ConfigRunId, LossAtItsDefaultKeepsEarlierIds) {
  const ExperimentConfig c = resolve(json::parse(kMinimal), "configs/x.json");
  const auto with = [](const char* loss) {
    json k = json::parse(kMinimal);
    k["loss"] = json::parse(loss);
    return run_id(resolve(k, "configs/x.json"));
  };
  EXPECT_EQ(with(R"({"kind": "mmd"})"), run_id(c));
  const std::set<std::string> ids = {run_id(c), with(R"({"kind": "wasserstein"})"),
                                     with(R"({"kind": "sinkhorn"})"),
                                     with(R"({"kind": "sinkhorn", "epsilon": 0.01})")};
  EXPECT_EQ(ids.size(), 4u);
}

// `observables` (empty) and `save_ensembles` (false) at their defaults leave earlier ids as they
// were: the id is the hash of the resolved config without them; other values change the id.
TEST(ConfigRunId, ObservablesAtTheirDefaultsKeepEarlierIds) {
  const ExperimentConfig c = resolve(json::parse(kMinimal), "configs/x.json");
  json j = to_json(c);
  for (const char* key : {"output", "checkpoint", "loss", "observables", "save_ensembles"})
    j.erase(key);
  j["circuit"]["init"].erase("warm_start");
  for (const char* key : {"input", "outcomes", "optimizer", "decay_every", "decay_factor"})
    j["training"].erase(key);
  EXPECT_EQ(run_id(c), app::sha256_hex(j.dump()).substr(0, 12));
  const auto with = [](const char* extra) {
    json k = json::parse(kMinimal);
    k.update(json::parse(extra));
    return run_id(resolve(k, "configs/x.json"));
  };
  EXPECT_EQ(with(R"({"observables": [], "save_ensembles": false})"), run_id(c));
  const std::set<std::string> ids = {
      run_id(c), with(R"({"save_ensembles": true})"),
      with(R"({"observables": [{"kind": "magnetization"}]})"),
      with(R"({"observables": [{"kind": "magnetization", "bins": 20}]})"),
      with(R"({"observables": [{"kind": "pauli", "string": "Y0"}]})")};
  EXPECT_EQ(ids.size(), 5u);
}

// Each bad `observables` entry gives one line naming the key with the entry's index.
TEST(ConfigObservables, BadEntriesAreOneLineErrorsNamingKeyAndIndex) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {R"({"kind": "magnetization"})", "'observables' must be an array of objects, found"},
      {R"([{"kind": "magnetization"}, 3])", "'observables[1]' must be an object"},
      {R"([{"bits": "0000"}])",
       "'observables[0].kind' is required (one of: basis_fidelity, "
       "pauli, magnetization)"},
      {R"([{"kind": "fidelity"}])",
       "'observables[0].kind' must be one of: basis_fidelity, pauli, magnetization"},
      {R"([{"kind": "magnetization"}, {"kind": "pauli"}])",
       "'observables[1].string' is required for an observable of kind 'pauli'"},
      {R"([{"kind": "magnetization"}, {"kind": "pauli", "string": "Y4"}])",
       "'observables[1].string' names qubit 4, but there are 4 data qubits"},
      {R"([{"kind": "pauli", "string": "Z0Z0"}])", "'observables[0].string' names qubit 0 twice"},
      {R"([{"kind": "pauli", "string": "Q0"}])", "'observables[0].string' must be a product of X"},
      {R"([{"kind": "pauli", "string": 3}])", "'observables[0].string' must be a non-empty string"},
      {R"([{"kind": "basis_fidelity", "bits": "000"}])",
       "'observables[0].bits' must be a string of 4 characters 0 or 1"},
      {R"([{"kind": "basis_fidelity", "bits": "00a0"}])", "'observables[0].bits' must be a string"},
      {R"([{"kind": "magnetization", "bits": "0000"}])",
       "unknown key 'observables[0].bits' for an observable of kind 'magnetization'"},
      {R"([{"kind": "magnetization", "bins": 0}])",
       "'observables[0].bins' must be an integer >= 1, found 0"},
      {R"([{"kind": "magnetization", "bins": 2.5}])", "'observables[0].bins' must be an integer"},
  };
  for (const auto& [list, fragment] : cases) {
    json j = json::parse(kMinimal);
    j["observables"] = json::parse(list);
    const std::string msg = resolve_error(j.dump());
    EXPECT_EQ(msg.rfind("configs/x.json: ", 0), 0u) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << list << "\n" << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  json j = json::parse(kMinimal);
  j["save_ensembles"] = "yes";
  EXPECT_NE(resolve_error(j.dump()).find("'save_ensembles' must be true or false"),
            std::string::npos)
      << resolve_error(j.dump());
}

// Each bad `loss` object (in the minimal config) gives one line naming the key.
TEST(ConfigLoss, BadValuesAreOneLineErrorsNamingTheKey) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {R"({"kind": "emd"})",
       "'loss.kind' must be one of: mmd, wasserstein, sinkhorn; found \"emd\""},
      {R"("wasserstein")", "'loss' must be an object, found \"wasserstein\""},
      {R"({"kind": "sinkhorn", "epsilon": 0})", "'loss.epsilon' must be a finite number > 0"},
      {R"({"kind": "sinkhorn", "epsilon": -1})", "'loss.epsilon' must be a finite number > 0"},
      {R"({"epsilon": 0.1})", "unknown key 'loss.epsilon' for loss kind 'mmd' (it belongs to"},
      {R"({"kind": "wasserstein", "epsilon": 1})", "for loss kind 'wasserstein' (it belongs to"},
      {R"({"kind": "sinkhorn", "epsilom": 1})", "(did you mean 'loss.epsilon'?)"}};
  for (const auto& [loss, fragment] : cases) {
    json j = json::parse(kMinimal);
    j["loss"] = json::parse(loss);
    const std::string msg = resolve_error(j.dump());
    EXPECT_EQ(msg.rfind("configs/x.json: ", 0), 0u) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(ConfigLoss, KeysParseWithTheirDefaults) {
  const ExperimentConfig mmd = resolve(json::parse(kMinimal), "configs/x.json");
  EXPECT_EQ(mmd.run.loss.kind, LossKind::Mmd);
  json j = json::parse(kMinimal);
  j["loss"] = {{"kind", "wasserstein"}};
  EXPECT_EQ(resolve(j, "configs/x.json").run.loss.kind, LossKind::Wasserstein);
  j["loss"] = {{"kind", "sinkhorn"}};
  const ExperimentConfig sk = resolve(j, "configs/x.json");
  EXPECT_EQ(sk.run.loss.kind, LossKind::Sinkhorn);
  EXPECT_EQ(sk.run.loss.epsilon, LossSettings{}.epsilon);
  EXPECT_EQ(to_json(sk)["loss"], json::parse(R"({"kind": "sinkhorn", "epsilon": 0.05})"));
  j["loss"]["epsilon"] = 0.005;
  EXPECT_EQ(resolve(j, "configs/x.json").run.loss.epsilon, 0.005);
  // Through --set, as a string value.
  TempDir dir;
  const std::string path = dir.write("x.json", kMinimal);
  EXPECT_EQ(load(path, {"loss.kind=sinkhorn", "loss.epsilon=0.2"}).run.loss.epsilon, 0.2);
  const std::string msg = load_error(path, {"loss.kind=W"});
  EXPECT_NE(msg.find("'loss.kind' must be one of: mmd, wasserstein, sinkhorn"), std::string::npos)
      << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}

TEST(ConfigOverrides, KindChangeKeepsTyposReported) {
  TempDir dir;
  const std::string path = dir.write(
      "x.json", R"({"model": "original", "qubits": {"data": 4}, "target": {"nosie": 0.1}})");
  const std::string msg = load_error(path, {"target.kind=cluster"});
  EXPECT_NE(msg.find("unknown key 'target.nosie'"), std::string::npos) << msg;
}

TEST(ConfigOverrides, BadOverridesNameSetAndTheText) {
  TempDir dir;
  const std::string path = dir.write("x.json", kMinimal);
  struct Case {
    std::string override_text, fragment;
  };
  const std::vector<Case> cases = {
      {"qubits.data", "--set 'qubits.data': expected key.path=value"},
      {"=4", "--set '=4': expected key.path=value"},
      {"training..epochs=4", "--set 'training..epochs=4': malformed key path 'training..epochs'"},
      {".seed=4", "malformed key path '.seed'"},
      {"qubits.data.x=4", "--set 'qubits.data.x=4': 'qubits.data' is 4, not an object"},
      {"model.name=x", "--set 'model.name=x': 'model' is \"original\", not an object"},
      {"training.epoch=5", "unknown key 'training.epoch' (did you mean 'training.epochs'?)"},
      {"trainig.epochs=5", "unknown key 'trainig' (did you mean 'training'?)"},
      {"qubits.data=four",
       "'qubits.data' must be an integer >= 1, found \"four\" (from --set "
       "'qubits.data=four')"},
      {"target={\"kind\": \"cluster\", \"scale\": -1}",
       "'target.scale' must be a finite number >= 0, found -1 (from --set 'target="},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.override_text);
    const std::string msg = load_error(path, {c.override_text});
    EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << msg;
    EXPECT_NE(msg.find(c.fragment), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

// ---------------------------------------------------------------------------------------------

TEST(ConfigRoundTrip, ResolveOfToJsonIsIdentity) {
  const std::vector<std::string> configs = {
      kMinimal,
      R"({"model": "improved", "qubits": {"data": 7, "ancilla": 2}})",
      R"({"model": "original", "seed": 18446744073709551615, "output": "o",
          "qubits": {"data": 3, "ancilla": 0},
          "target": {"kind": "ghz", "theta_min": 0.1, "theta_max": 0.30000000000000004,
                     "phi_min": -1, "phi_max": 1e-17, "noise": 0},
          "diffusion": {"steps": 1, "schedule": {"kind": "linear", "start": 0, "end": 0.1}},
          "prior": {"kind": "cluster", "scale": 0.123456789012345678},
          "circuit": {"layers": 1, "init": {"kind": "uniform", "c": 0.3333333333333333}},
          "training": {"samples": 2, "diffusion_size": 2, "epochs": 1,
                       "learning_rate": 0.1}})",
      R"({"model": "improved", "qubits": {"data": 1}, "target": {"kind": "cluster", "scale": 2},
          "prior": {"kind": "haar"}, "circuit": {"init": {"kind": "normal", "std": 0.01}}})",
      R"({"model": "original", "qubits": {"data": 2}, "target": {"kind": "haar"}})",
      R"({"model": "original", "qubits": {"data": 2}, "circuit": {"init": {"kind": "uniform",
          "c": 3, "ancilla_c": 20}}, "diffusion": {"schedule": {"end": "auto",
          "target_mmd_to_haar": 0.3, "calibrated_end": 0.7}}})",
      R"({"model": "improved", "qubits": {"data": 2}, "diffusion": {"schedule": {"end": 1.5}}})",
      R"({"model": "original", "qubits": {"data": 2}, "target": {"kind": "npy", "path": "s.npy"}})",
      R"({"model": "original", "qubits": {"data": 5}, "target": {"kind": "tfim",
          "boundary": "periodic", "g_min": 0, "g_max": 0.30000000000000004},
          "diffusion": {"steps": 3, "schedule": {"kind": "list", "values": [0.1, 0, 1e-17]}}})",
      R"({"model": "improved", "qubits": {"data": 1}, "target": {"kind": "circle"},
          "diffusion": {"schedule": {"kind": "quadratic", "end": 2.0000000000000004}},
          "training": {"optimizer": "sgd", "momentum": 0, "decay_every": 400,
                       "decay_factor": 0.5}})",
      R"({"model": "original", "qubits": {"data": 1}, "loss": {"kind": "wasserstein"}})",
      R"({"model": "improved", "qubits": {"data": 1}, "loss": {"kind": "sinkhorn",
          "epsilon": 0.30000000000000004}})",
      R"({"model": "original", "qubits": {"data": 3}, "save_ensembles": true,
          "observables": [{"kind": "basis_fidelity", "bits": "010"},
                          {"kind": "pauli", "string": "Y2X0", "bins": 3},
                          {"kind": "magnetization", "bins": 1}]})",
  };
  for (const auto& text : configs) {
    SCOPED_TRACE(text);
    const ExperimentConfig c = resolve(json::parse(text), "configs/x.json");
    const json j = to_json(c);
    EXPECT_EQ(resolve(j, c.source), c);
    // Also through text, and from a config living somewhere else (paths are absolute).
    const ExperimentConfig d = resolve(json::parse(j.dump(2)), "/other/dir/y.json");
    EXPECT_EQ(d, c) << j.dump();
    EXPECT_EQ(to_json(d), j);
  }
}

TEST(ConfigRoundTrip, ToJsonHoldsEveryDefaultAndOnlyTheKindsKeys) {
  const json j = to_json(resolve(json::parse(kMinimal), "configs/x.json"));
  const json expected = json::parse(R"({
    "model": "original", "seed": 1, "precision": "double", "output": "runs/x",
    "qubits": {"data": 4, "ancilla": 3},
    "diffusion": {"steps": 30, "schedule": {"kind": "linear", "start": 0.5, "end": 4.0}},
    "prior": {"kind": "haar"},
    "circuit": {"layers": 14, "init": {"kind": "normal", "std": 1.0, "warm_start": false}},
    "loss": {"kind": "mmd"},
    "training": {"samples": 100, "diffusion_size": 500, "epochs": 300, "learning_rate": 0.005,
                 "optimizer": "adam", "decay_every": 1, "decay_factor": 1.0, "input": "chain",
                 "outcomes": "sampled"},
    "checkpoint": {"every_seconds": 300.0},
    "observables": [], "save_ensembles": false
  })");
  json without_target = j;
  without_target.erase("target");
  EXPECT_EQ(without_target, expected);
  EXPECT_EQ(j["target"].size(), 6u);  // kind + the five ghz keys, no "scale" or "path"
  EXPECT_EQ(j["target"]["theta_min"].get<double>(), GhzParams{}.theta_min);
  EXPECT_TRUE(j["seed"].is_number_unsigned());
}

TEST(ConfigRoundTrip, ThroughAFile) {
  TempDir dir;
  const std::string path = dir.write("in/x.json", R"({"model": "improved", "qubits": {"data": 3},
      "target": {"kind": "npy", "path": "../data/s.npy"}})");
  const ExperimentConfig c = load(path, {"training.samples=50"});
  EXPECT_EQ(fs::path(c.target.npy_path), (dir.path() / "data" / "s.npy").lexically_normal());
  const std::string saved = dir.write("out/resolved.json", to_json(c).dump(2));
  ExperimentConfig d = load(saved);
  EXPECT_EQ(d, c);
  EXPECT_EQ(d.run.samples, 50);
}

// ---------------------------------------------------------------------------------------------

TEST(ConfigMalformed, EveryErrorNamesTheFileTheKeyAndTheExpectation) {
  struct Case {
    const char* json_text;
    const char* fragment;
  };
  // Each case is valid except for one thing.
  const std::vector<Case> cases = {
      {R"([1, 2])", "top level must be a JSON object, found an array"},
      {R"({"qubits": {"data": 4}})", "'model' is required (one of: original, improved, qgan)"},
      {R"({"model": "orig", "qubits": {"data": 4}})",
       "'model' must be one of: original, improved, qgan; found \"orig\" (did you mean "
       "'original'?)"},
      {R"({"model": 1, "qubits": {"data": 4}})",
       "'model' must be one of: original, improved, qgan"},
      {R"({"model": "original"})", "'qubits.data' is required (an integer >= 1)"},
      {R"({"model": "original", "qubits": 4})", "'qubits' must be an object, found 4"},
      {R"({"model": "original", "qubits": {"data": "four"}})",
       "'qubits.data' must be an integer >= 1, found \"four\""},
      {R"({"model": "original", "qubits": {"data": 0}})",
       "'qubits.data' must be an integer >= 1, found 0"},
      {R"({"model": "original", "qubits": {"data": 2.5}})",
       "'qubits.data' must be an integer >= 1, found 2.5"},
      {R"({"model": "original", "qubits": {"data": 4.0}})",
       "'qubits.data' must be an integer >= 1, found 4.0"},
      {R"({"model": "original", "qubits": {"data": 4, "ancilla": -1}})",
       "'qubits.ancilla' must be an integer >= 0, found -1"},
      {R"({"model": "original", "qubits": {"data": 4, "ancilla": null}})",
       "'qubits.ancilla' must be an integer >= 0, found null"},
      {R"({"model": "original", "qubits": {"data": 4}, "seed": -1})",
       "'seed' must be an unsigned 64-bit integer, found -1"},
      {R"({"model": "original", "qubits": {"data": 4}, "seed": "1"})",
       "'seed' must be an unsigned 64-bit integer, found \"1\""},
      {R"({"model": "original", "qubits": {"data": 4}, "seed": 1.5})",
       "'seed' must be an unsigned 64-bit integer, found 1.5"},
      {R"({"model": "original", "qubits": {"data": 4}, "output": ""})",
       "'output' must be a non-empty string, found \"\""},
      {R"({"model": "original", "qubits": {"data": 4}, "trainig": {}})",
       "unknown key 'trainig' (did you mean 'training'?)"},
      {R"({"model": "original", "qubits": {"data": 4}, "training": {"epoch": 3}})",
       "unknown key 'training.epoch' (did you mean 'training.epochs'?)"},
      {R"({"model": "original", "qubits": {"data": 4}, "training": []})",
       "'training' must be an object, found an array"},
      {R"({"model": "original", "qubits": {"data": 4}, "training": {"samples": 600}})",
       "'training.samples' (600) must be <= 'training.diffusion_size' (500)"},
      {R"({"model": "original", "qubits": {"data": 4}, "training": {"samples": 0}})",
       "'training.samples' must be an integer >= 2, found 0"},
      {R"({"model": "original", "qubits": {"data": 4}, "training": {"samples": 1}})",
       "'training.samples' must be an integer >= 2, found 1"},
      {R"({"model": "original", "qubits": {"data": 4}, "training": {"diffusion_size": -3}})",
       "'training.diffusion_size' must be an integer >= 2, found -3"},
      {R"({"model": "original", "qubits": {"data": 4}, "training": {"epochs": 0}})",
       "'training.epochs' must be an integer >= 1, found 0"},
      {R"({"model": "original", "qubits": {"data": 4}, "training": {"epochs": 3000000000}})",
       "'training.epochs' must be an integer >= 1 and <= 2147483647, found 3000000000"},
      {R"({"model": "original", "qubits": {"data": 4}, "training": {"learning_rate": 0}})",
       "'training.learning_rate' must be a finite number > 0, found 0"},
      {R"({"model": "original", "qubits": {"data": 4}, "training": {"learning_rate": -0.1}})",
       "'training.learning_rate' must be a finite number > 0, found -0.1"},
      {R"({"model": "original", "qubits": {"data": 4}, "training": {"learning_rate": "fast"}})",
       "'training.learning_rate' must be a finite number > 0, found \"fast\""},
      {R"({"model": "original", "qubits": {"data": 4}, "circuit": {"layers": 0}})",
       "'circuit.layers' must be an integer >= 1, found 0"},
      {R"({"model": "original", "qubits": {"data": 4}, "circuit": {"init": {"kind": "gauss"}}})",
       "'circuit.init.kind' must be one of: normal, uniform; found \"gauss\""},
      {R"({"model": "original", "qubits": {"data": 4}, "circuit": {"init": {"std": 0}}})",
       "'circuit.init.std' must be a finite number > 0, found 0"},
      {R"({"model": "improved", "qubits": {"data": 4}, "circuit": {"init": {"c": -1}}})",
       "'circuit.init.c' must be a finite number > 0, found -1"},
      {R"({"model": "original", "qubits": {"data": 4}, "circuit": {"init": {"c": 1}}})",
       "unknown key 'circuit.init.c' for init kind 'normal' (it belongs to kind 'uniform'"},
      {R"({"model": "original", "qubits": {"data": 4}, "target": "ghz"})",
       "'target' must be an object, found \"ghz\""},
      {R"({"model": "original", "qubits": {"data": 4}, "target": {"kind": "gaussian"}})",
       "'target.kind' must be one of: ghz, cluster, haar, npy, tfim, circle; found \"gaussian\""},
      {R"({"model": "original", "qubits": {"data": 4}, "target": {"scale": 0.1}})",
       "unknown key 'target.scale' for target kind 'ghz' (it belongs to kind 'cluster'"},
      {R"({"model": "original", "qubits": {"data": 4}, "target": {"theta_min": 2, "theta_max": 1}})",
       "'target.theta_min' (2.0) must be <= 'target.theta_max' (1.0)"},
      {R"({"model": "original", "qubits": {"data": 4}, "target": {"phi_min": 0.5}})",
       "'target.phi_min' (0.5) must be <= 'target.phi_max' (0.3)"},
      {R"({"model": "original", "qubits": {"data": 4}, "target": {"noise": -0.01}})",
       "'target.noise' must be a finite number >= 0, found -0.01"},
      {R"({"model": "original", "qubits": {"data": 4}, "target": {"theta_max": true}})",
       "'target.theta_max' must be a finite number, found true"},
      {R"({"model": "original", "qubits": {"data": 4}, "target": {"kind": "cluster", "scale": -1}})",
       "'target.scale' must be a finite number >= 0, found -1"},
      {R"({"model": "original", "qubits": {"data": 4}, "target": {"kind": "npy"}})",
       "'target.path' is required for a target of kind 'npy'"},
      {R"({"model": "original", "qubits": {"data": 4}, "target": {"kind": "npy", "path": ""}})",
       "'target.path' must be a non-empty string, found \"\""},
      {R"({"model": "original", "qubits": {"data": 4}, "diffusion": {"steps": 0}})",
       "'diffusion.steps' must be an integer >= 1, found 0"},
      {R"({"model": "original", "qubits": {"data": 4}, "diffusion": {"steps": "30"}})",
       "'diffusion.steps' must be an integer >= 1, found \"30\""},
      {R"({"model": "original", "qubits": {"data": 4}, "diffusion": {"schedule": {"start": -0.5}}})",
       "'diffusion.schedule.start' must be a finite number >= 0, found -0.5"},
      {R"({"model": "original", "qubits": {"data": 4}, "diffusion": {"schedule": {"end": "4"}}})",
       "'diffusion.schedule.end' must be a finite number >= 0 or \"auto\", found \"4\""},
      {R"({"model": "original", "qubits": {"data": 4}, "diffusion": {"schedule": {"kind": "cosine"}}})",
       "'diffusion.schedule.kind' must be one of: linear, quadratic, list; found \"cosine\""},
      {R"({"model": "original", "qubits": {"data": 4}, "prior": {"kind": "gauss"}})",
       "'prior.kind' must be one of: haar, diffused, cluster; found \"gauss\""},
      {R"({"model": "original", "qubits": {"data": 4}, "prior": {"kind": "haar", "scale": 0.1}})",
       "unknown key 'prior.scale' for prior kind 'haar' (it belongs to kind 'cluster'"},
      {R"({"model": "original", "qubits": {"data": 4}, "prior": {"kind": "cluster", "scale": "big"}})",
       "'prior.scale' must be a finite number >= 0, found \"big\""},
      {R"({"model": "original", "qubits": {"data": 28}})",
       "'qubits.data' + 'qubits.ancilla' = 31 qubits, more than the simulator's limit of 30"},
      {R"({"model": "original", "qubits": {"data": 4}, "diffusion": {"schedule": {"end": "max"}}})",
       "'diffusion.schedule.end' must be a finite number >= 0 or \"auto\", found \"max\""},
      {R"({"model": "improved", "qubits": {"data": 4},
           "diffusion": {"schedule": {"end": 1, "target_mmd_to_haar": 0.3}}})",
       "'diffusion.schedule.target_mmd_to_haar' applies only when 'diffusion.schedule.end' is "
       "\"auto\""},
      {R"({"model": "original", "qubits": {"data": 4},
           "diffusion": {"schedule": {"calibrated_end": 1}}})",
       "'diffusion.schedule.calibrated_end' applies only when 'diffusion.schedule.end' is "
       "\"auto\""},
      {R"({"model": "improved", "qubits": {"data": 4},
           "diffusion": {"schedule": {"target_mmd_to_haar": 1}}})",
       "'diffusion.schedule.target_mmd_to_haar' must be a finite number in (0, 1), found 1"},
      {R"({"model": "improved", "qubits": {"data": 4},
           "diffusion": {"schedule": {"target_mmd_to_haar": -0.2}}})",
       "'diffusion.schedule.target_mmd_to_haar' must be a finite number in (0, 1), found -0.2"},
      {R"({"model": "improved", "qubits": {"data": 4},
           "diffusion": {"schedule": {"calibrated_end": "x"}}})",
       "'diffusion.schedule.calibrated_end' must be a finite number >= 0, found \"x\""},
      {R"({"model": "improved", "qubits": {"data": 4}, "diffusion": {"schedule": {"start": 7}}})",
       "'diffusion.schedule.start' must be below 2 pi when 'diffusion.schedule.end' is \"auto\" "
       "(the calibration searches the end between them), found 7.0"},
      {R"({"model": "improved", "qubits": {"data": 4},
           "circuit": {"init": {"ancilla_c": 0}}})",
       "'circuit.init.ancilla_c' must be a finite number > 0, found 0"},
      {R"({"model": "original", "qubits": {"data": 4}, "circuit": {"init": {"ancilla_c": 2}}})",
       "unknown key 'circuit.init.ancilla_c' for init kind 'normal' (it belongs to kind 'uniform'"},
  };
  ASSERT_GE(cases.size(), 25u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.json_text);
    const std::string msg = resolve_error(c.json_text);
    EXPECT_EQ(msg.rfind("configs/x.json: ", 0), 0u) << msg;
    EXPECT_NE(msg.find(c.fragment), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(ConfigMalformed, NonFiniteNumbersFromMemory) {
  json j = json::parse(kMinimal);
  j["training"]["learning_rate"] = std::nan("");
  try {
    resolve(j, "mem");
    FAIL() << "accepted a NaN learning rate";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "mem: 'training.learning_rate' must be a finite number > 0, found nan");
  }
  json k = json::parse(kMinimal);
  k["diffusion"]["schedule"]["end"] = std::numeric_limits<double>::infinity();
  try {
    resolve(k, "mem");
    FAIL() << "accepted an infinite schedule end";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "mem: 'diffusion.schedule.end' must be a finite number >= 0, found inf");
  }
}

TEST(ConfigMalformed, FileLevelErrors) {
  TempDir dir;
  const std::string missing = (dir.path() / "nope.json").string();
  EXPECT_EQ(load_error(missing), missing + ": cannot open file (No such file or directory)");
  EXPECT_NE(load_error(dir.path().string()).find(": cannot open file"), std::string::npos);

  const std::string bad = dir.write("bad.json", "{\n  \"model\": \"original\",\n  \"qubits\": }\n");
  const std::string msg = load_error(bad);
  EXPECT_EQ(msg.rfind(bad + ": invalid JSON at line 3, column 13: ", 0), 0u) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;

  const std::string empty = dir.write("empty.json", "");
  EXPECT_NE(load_error(empty).find("invalid JSON at line 1, column 1"), std::string::npos);

  const std::string dup = dir.write(
      "dup.json", R"({"model": "original", "qubits": {"data": 4, "ancilla": 1, "data": 5}})");
  EXPECT_EQ(load_error(dup), dup + ": duplicate key 'qubits.data'");

  const std::string overflow =
      dir.write("overflow.json", R"({"model": "original", "qubits": {"data": 4}, "seed": 1e999})");
  EXPECT_EQ(load_error(overflow), overflow + ": invalid JSON: number overflow parsing '1e999'");

  const std::string arr = dir.write("arr.json", "[]");
  EXPECT_EQ(load_error(arr), arr + ": top level must be a JSON object, found an array");
}

// nlohmann's parser stops at a NUL byte as at the end of its input: a config with text after
// one (a binary file, a UTF-16 one, two files run together) used to load what came before it.
TEST(ConfigMalformed, ANulByteIsRefusedNotTakenForTheEnd) {
  TempDir dir;
  const std::string valid = kMinimal;
  const std::string after = dir.write("after.json", valid + std::string(1, '\0') + "\n{\"x\": ");
  EXPECT_EQ(load_error(after), after + ": invalid JSON: the file contains a NUL byte at offset " +
                                   std::to_string(valid.size()) + " (line 1, column " +
                                   std::to_string(valid.size() + 1) +
                                   "); a config is UTF-8 text without NUL bytes");
  const std::string inside =
      dir.write("inside.json", "{\n  \"model\": \"orig" + std::string(1, '\0') + "inal\"}");
  EXPECT_NE(load_error(inside).find(": invalid JSON: the file contains a NUL byte at offset 18 "
                                    "(line 2, column 17)"),
            std::string::npos)
      << load_error(inside);
  // And from memory (the fuzz target's way in).
  try {
    load_text(valid + std::string(1, '\0'), "mem.json");
    FAIL() << "accepted a NUL byte";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("mem.json: invalid JSON: the file contains a NUL", 0), 0u)
        << e.what();
  }
}

// ---------------------------------------------------------------------------------------------

// A key holding a newline (JSON allows it) is shown escaped: every message is one line (found
// by fuzz_config).
TEST(ConfigUnknownKey, ControlCharactersInKeysAreEscaped) {
  std::string msg = resolve_error(R"({"model": "original", "qubits": {"da\nta": 1}})");
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key 'qubits.da\\nta'"), std::string::npos) << msg;
  msg = resolve_error(R"({"model": "original", "qubits": {"\u0001": 2}})");
  EXPECT_NE(msg.find("unknown key 'qubits.\\x01'"), std::string::npos) << msg;
}

TEST(ConfigUnknownKey, SuggestsTheNearestKeyAtThatLevel) {
  auto err = [](const std::string& extra) {
    return resolve_error(R"({"model": "original", "qubits": {"data": 4}, )" + extra + "}");
  };
  EXPECT_NE(err(R"("trainig": {})").find("unknown key 'trainig' (did you mean 'training'?)"),
            std::string::npos);
  EXPECT_NE(err(R"("qubit": {})").find("(did you mean 'qubits'?)"), std::string::npos);
  EXPECT_NE(err(R"("Seed": 3)").find("unknown key 'Seed' (did you mean 'seed'?)"),
            std::string::npos);
  EXPECT_NE(err(R"("training": {"learningrate": 1})")
                .find("unknown key 'training.learningrate' (did you mean "
                      "'training.learning_rate'?)"),
            std::string::npos);
  EXPECT_NE(
      err(R"("training": {"diffusoin_size": 1})").find("did you mean 'training.diffusion_size'"),
      std::string::npos);
  EXPECT_NE(err(R"("target": {"nosie": 1})")
                .find("unknown key 'target.nosie' for target kind 'ghz' (did you mean "
                      "'target.noise'?)"),
            std::string::npos);
  EXPECT_NE(err(R"("circuit": {"layer": 1})").find("(did you mean 'circuit.layers'?)"),
            std::string::npos);
  // Nothing close: list the valid keys instead of guessing.
  const std::string far = err(R"("training": {"zzzzzzzzz": 1})");
  EXPECT_NE(far.find("unknown key 'training.zzzzzzzzz' (valid keys in 'training': samples, "
                     "diffusion_size, epochs, learning_rate, optimizer, momentum, decay_every, "
                     "decay_factor, input, outcomes)"),
            std::string::npos)
      << far;
  EXPECT_EQ(far.find("did you mean"), std::string::npos);
  // A key from another level is not suggested here.
  EXPECT_EQ(err(R"("epochs": 3)").find("did you mean"), std::string::npos);
  // Enum values get suggestions too.
  EXPECT_NE(err(R"("prior": {"kind": "difused"})").find("(did you mean 'diffused'?)"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------------

TEST(ConfigMemory, EstimateFollowsTheFormula) {
  const ExperimentConfig c = resolve(json::parse(kMinimal), "x.json");
  // (30 + 1) * 500 * 2^4 * 16 + 100 * 2^7 * 16 * 3 + 100 * 2^4 * 16 * 4
  EXPECT_EQ(estimated_bytes(c),
            31ull * 500 * 16 * 16 + 100ull * 128 * 16 * 3 + 100ull * 16 * 16 * 4);
  ExperimentConfig huge = c;
  huge.run.n_data = 60;
  huge.run.n_ancilla = 10;
  EXPECT_EQ(estimated_bytes(huge), std::numeric_limits<std::uint64_t>::max());  // saturates
  EXPECT_GT(memory_limit_bytes(), 0u);
}

TEST(ConfigMemory, RefusesTwentyEightDataQubits) {
  const std::string msg =
      resolve_error(R"({"model": "original", "qubits": {"data": 28, "ancilla": 2}})");
  EXPECT_EQ(msg.rfind("configs/x.json: 'qubits.data' = 28 with 'qubits.ancilla' = 2 needs an "
                      "estimated ",
                      0),
            0u)
      << msg;
  EXPECT_NE(msg.find(" GiB for a training run"), std::string::npos) << msg;
  EXPECT_NE(msg.find("more than the limit of "), std::string::npos) << msg;
  EXPECT_NE(msg.find("(80% of physical memory)"), std::string::npos) << msg;

  // With the default 3 ancillas the qubit cap refuses it before any memory arithmetic.
  EXPECT_NE(resolve_error(R"({"model": "original", "qubits": {"data": 28}})")
                .find("more than the simulator's limit of 30"),
            std::string::npos);
  // Small problems pass.
  EXPECT_EQ(resolve_error(R"({"model": "original", "qubits": {"data": 10}})"), "");
}

}  // namespace
}  // namespace quddpm::config

namespace quddpm::config {
namespace {

// Leaf key paths ("training.samples") of a JSON object.
void leaf_paths(const json& j, const std::string& prefix, std::set<std::string>& out) {
  for (const auto& [key, value] : j.items()) {
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (value.is_object())
      leaf_paths(value, path, out);
    else
      out.insert(path);
  }
}

TEST(ConfigDocs, ReferenceTableIsTheSchemas) {
  // docs/config.md holds the table `quddpm config --reference` prints, row for row.
  std::ifstream in(std::string(QUDDPM_SOURCE_DIR) + "/docs/config.md");
  ASSERT_TRUE(in) << "docs/config.md not found";
  std::string documented, line;
  while (std::getline(in, line))
    if (line.rfind("|", 0) == 0) documented += line + "\n";
  EXPECT_EQ(documented, reference_table())
      << "docs/config.md's key table differs from the schema: paste `quddpm config --reference`";
}

TEST(ConfigDocs, EveryResolvedKeyIsInTheReference) {
  // Every leaf of every kind's resolved config (every kind of every kind-tagged object, both
  // presets, the calibrated end) has a row, and every row is such a leaf.
  std::set<std::string> schema;
  for (const char* text :
       {R"({"model": "original", "qubits": {"data": 2}})",
        R"({"model": "improved", "qubits": {"data": 2},
               "diffusion": {"schedule": {"calibrated_end": 1.0}}})",
        R"({"model": "original", "qubits": {"data": 2}, "target": {"kind": "cluster"},
               "prior": {"kind": "cluster"}})",
        R"({"model": "original", "qubits": {"data": 2}, "target": {"kind": "haar"}})",
        R"({"model": "original", "qubits": {"data": 2}, "target": {"kind": "npy", "path": "s.npy"},
               "circuit": {"init": {"kind": "uniform"}}, "loss": {"kind": "sinkhorn"}})",
        R"({"model": "original", "qubits": {"data": 2}, "target": {"kind": "tfim"},
               "diffusion": {"steps": 2, "schedule": {"kind": "list", "values": [1, 2]}},
               "training": {"optimizer": "sgd"}})",
        R"({"model": "original", "qubits": {"data": 1}, "target": {"kind": "circle"},
               "diffusion": {"schedule": {"kind": "quadratic", "end": 3}}})",
        R"({"model": "qgan", "qubits": {"data": 2}})"}) {
    leaf_paths(to_json(resolve(json::parse(text), "/data/x.json")), "", schema);
  }
  std::set<std::string> documented;
  std::istringstream table(reference_table());
  std::string line;
  while (std::getline(table, line))
    if (line.rfind("| `", 0) == 0) documented.insert(line.substr(3, line.find('`', 3) - 3));
  EXPECT_EQ(schema, documented);
}

}  // namespace
}  // namespace quddpm::config
