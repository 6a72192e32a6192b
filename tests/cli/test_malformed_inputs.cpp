// Hardened inputs, end to end: each malformed config and each malformed .npy file is refused by
// the executable with one line on stderr that names the file, key or flag and what was
// expected, a non-zero status, nothing on stdout and nothing left on disk.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>

#include "support/refusal.hpp"

namespace {

namespace fs = std::filesystem;
using testing_cli::expect_refused;

// A valid tiny config, as text, with `body` spliced in after the required keys.
std::string config_with(const std::string& body) {
  return R"({"model": "original", "qubits": {"data": 1, "ancilla": 1},
             "training": {"samples": 4, "diffusion_size": 8, "epochs": 2},
             "diffusion": {"steps": 2})" +
         body + "}";
}

struct BadConfig {
  std::string name;
  std::string text;   // the config file's content
  std::string extra;  // more command-line arguments
  std::string needle;
};

TEST(MalformedConfigs, EachIsRefusedWithItsMessageAndLeavesNothing) {
  const auto dir = testing_cli::scratch_dir("bad_configs");
  const std::string ok = config_with("");
  const std::vector<BadConfig> cases = {
      {"empty_file", "", "", "invalid JSON at line 1, column 1"},
      {"truncated", "{\"model\": \"original\"", "", "invalid JSON at line 1"},
      {"trailing_comma", "{\"model\": \"original\",}", "", "invalid JSON"},
      {"comment", "// hi\n{}", "", "invalid JSON at line 1"},
      {"nan_literal", "{\"model\": NaN}", "", "invalid JSON"},
      // A valid config, then a NUL byte: what follows it was ignored.
      {"nul_byte", ok + std::string(1, '\0') + "}", "", "contains a NUL byte at offset"},
      {"bad_utf8", "{\"model\": \"orig\xff\"}", "", "invalid JSON"},
      {"number_overflow", config_with(", \"seed\": 1e999"), "", "number overflow"},
      {"top_array", "[1, 2]", "", "top level must be a JSON object, found an array"},
      {"no_model", "{\"qubits\": {\"data\": 1}}", "", "'model' is required"},
      {"model_typo", "{\"model\": \"orignal\", \"qubits\": {\"data\": 1}}", "",
       "did you mean 'original'"},
      {"model_number", "{\"model\": 3, \"qubits\": {\"data\": 1}}", "", "'model' must be one of"},
      {"duplicate_key", config_with(", \"model\": \"improved\""), "", "duplicate key 'model'"},
      {"no_data_qubits", "{\"model\": \"original\", \"qubits\": {}}", "",
       "'qubits.data' is required"},
      {"qubits_array", "{\"model\": \"original\", \"qubits\": [1]}", "",
       "'qubits' must be an object, found an array"},
      {"zero_qubits", "{\"model\": \"original\", \"qubits\": {\"data\": 0}}", "",
       "'qubits.data' must be an integer >= 1, found 0"},
      {"float_qubits", ok, "--set qubits.data=1.0",
       "'qubits.data' must be an integer >= 1, found 1.0 (from --set 'qubits.data=1.0')"},
      {"string_qubits", ok, "--set qubits.data=one",
       "'qubits.data' must be an integer >= 1, found \"one\""},
      {"too_many_qubits", ok, "--set qubits.data=28 --set qubits.ancilla=3",
       "more than the simulator's limit of 30"},
      {"too_much_memory", ok,
       "--set qubits.data=26 --set qubits.ancilla=0 --set training.diffusion_size=100000",
       "80% of physical memory"},
      {"int_overflow",
       config_with(", \"seed\": 2").replace(ok.find("\"epochs\": 2") + 10, 1, "3000000000"), "",
       "'training.epochs' must be an integer >= 1 and <= 2147483647"},
      {"unknown_top_key", config_with(", \"trainig\": {}"), "", "did you mean 'training'"},
      {"unknown_nested_key", ok, "--set training.epoch=3", "did you mean 'training.epochs'"},
      {"negative_seed", config_with(", \"seed\": -1"), "", "'seed' must be an unsigned 64-bit"},
      {"target_kind_typo", config_with(", \"target\": {\"kind\": \"ghzz\"}"), "",
       "did you mean 'ghz'"},
      {"key_of_other_kind", config_with(", \"target\": {\"kind\": \"ghz\", \"scale\": 0.1}"), "",
       "it belongs to kind 'cluster'"},
      {"theta_order", config_with(", \"target\": {\"theta_min\": 2, \"theta_max\": 1}"), "",
       "'target.theta_min' (2.0) must be <= 'target.theta_max' (1.0)"},
      {"negative_noise", config_with(", \"target\": {\"noise\": -0.1}"), "",
       "'target.noise' must be a finite number >= 0"},
      {"npy_without_path", config_with(", \"target\": {\"kind\": \"npy\"}"), "",
       "'target.path' is required"},
      {"npy_missing_file", config_with(", \"target\": {\"kind\": \"npy\", \"path\": \"no.npy\"}"),
       "", "no.npy: cannot open for reading: No such file or directory"},
      {"zero_steps", ok, "--set diffusion.steps=0", "'diffusion.steps' must be an integer >= 1"},
      {"schedule_kind", ok, "--set diffusion.schedule.kind=cosine",
       "'diffusion.schedule.kind' must be one of: linear"},
      {"schedule_string", ok, "--set diffusion.schedule.start=fast",
       "'diffusion.schedule.start' must be a finite number >= 0, found \"fast\""},
      {"prior_kind", ok, "--set prior.kind=gaussian", "'prior.kind' must be one of"},
      {"zero_layers", ok, "--set circuit.layers=0", "'circuit.layers' must be an integer >= 1"},
      {"init_other_kind", ok, "--set circuit.init.kind=uniform --set circuit.init.std=2",
       "it belongs to kind 'normal'"},
      {"zero_init_std", ok, "--set circuit.init.std=0",
       "'circuit.init.std' must be a finite number > 0"},
      {"samples_over_pool", ok, "--set training.samples=9",
       "'training.samples' (9) must be <= 'training.diffusion_size' (8)"},
      // The trainer's own limit, once found only after the run folder was made.
      {"one_sample", ok, "--set training.samples=1",
       "'training.samples' must be an integer >= 2, found 1"},
      // Found by the calibration before, after the config had passed `quddpm config`.
      {"auto_end_from_past_2pi", ok,
       "--set diffusion.schedule.end=auto --set diffusion.schedule.start=7",
       "'diffusion.schedule.start' must be below 2 pi when 'diffusion.schedule.end' is \"auto\""},
      {"zero_learning_rate", ok, "--set training.learning_rate=0",
       "'training.learning_rate' must be a finite number > 0"},
      {"seed_string", config_with(", \"seed\": \"abc\""), "",
       "'seed' must be an unsigned 64-bit integer, found \"abc\""},
      {"set_without_value", ok, "--set training.epochs", "expected key.path=value"},
      {"set_through_scalar", ok, "--set model.kind=x", "'model' is \"original\", not an object"},
      {"set_empty_segment", ok, "--set training..epochs=3", "malformed key path"},
      {"seed_flag_negative", ok, "--seed -3", "--seed"},
      {"threads_flag_text", ok, "--threads many", "--threads"},
      {"unknown_flag", ok, "--epochs 3", "--epochs"},
  };
  ASSERT_GE(cases.size(), 30u);
  for (const BadConfig& c : cases) {
    const fs::path cfg = dir / ("cfg_" + c.name + ".json");
    std::ofstream(cfg, std::ios::binary) << c.text;
    const std::string args =
        "train " + cfg.string() + " --out " + (dir / ("out_" + c.name)).string() + " " + c.extra;
    // Flag errors name the flag, a missing target file names that file, the others the config.
    const bool names_other = c.needle.rfind("--", 0) == 0 || c.name == "npy_missing_file";
    expect_refused(dir, args, {names_other ? c.needle : cfg.string() + ": ", c.needle}, c.name);
  }
  // An output directory that cannot be created.
  const fs::path good = dir / "good.json";
  std::ofstream(good) << ok;
  expect_refused(dir, "train " + good.string() + " --out " + (good / "run").string(),
                 {(good / "run.partial").string() + ": cannot create directory"}, "out_under_file");
  expect_refused(dir, "train " + good.string() + " --out /proc/quddpm/run",
                 {"/proc/quddpm/run.partial: cannot create directory"}, "out_unwritable");
  // A config that is not a readable file.
  expect_refused(dir, "train " + (dir / "absent.json").string(), {"absent.json", "cannot open"},
                 "absent");
  expect_refused(dir, "train " + dir.string(), {dir.string(), "it is a directory"}, "directory");
  fs::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------

// A .npy file: magic, version, header length, the dict padded to 64 bytes, then `body`.
std::string npy(const std::string& dict, const std::string& body, int major = 1) {
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  std::string header = dict;
  while ((6 + 2 + len_bytes + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t i = 0; i < len_bytes; ++i)
    out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return out + header + body;
}

std::string c16_header(const std::string& shape, const std::string& descr = "<c16",
                       const std::string& fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
}

// Little-endian doubles (the test hosts are little-endian, as the format requires).
std::string doubles(std::initializer_list<double> values) {
  std::string s;
  for (double v : values)
    s.append(reinterpret_cast<const char*>(&v), sizeof v);
  return s;
}

struct BadNpy {
  std::string name;
  std::string bytes;
  std::string needle;
};

TEST(MalformedNpyFiles, EachIsRefusedWithItsMessageAndLeavesNothing) {
  const auto dir = testing_cli::scratch_dir("bad_npy");
  const std::string one_state = doubles({1, 0, 0, 0});  // |0> as two complex amplitudes
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<BadNpy> cases = {
      {"empty", "", "not a .npy file: bad magic"},
      {"bad_magic", "\x93NUMPX\x01\x00", "not a .npy file: bad magic"},
      {"magic_only", "\x93NUMPY", "truncated .npy header: file ends after the magic string"},
      {"version_9", npy(c16_header("(1, 2)"), one_state, 9), "unsupported .npy format version 9.0"},
      {"header_past_end", std::string("\x93NUMPY\x01\x00\xff\x7f{", 11),
       "truncated .npy header: header declares 32767"},
      {"header_unterminated", npy("{'descr': '<c16', 'shape': (1, 2", one_state),
       "broken .npy header"},
      {"header_unknown_key",
       npy("{'descr': '<c16', 'fortran_order': False, 'shape': (1, 2), "
           "'extra': 1}",
           one_state),
       "broken .npy header: unexpected key 'extra'"},
      {"float64", npy(c16_header("(1, 2)", "<f8"), one_state),
       "expected dtype '<c16' (complex128), found '<f8' (float64)"},
      {"big_endian", npy(c16_header("(1, 2)", ">c16"), one_state),
       "big-endian data is not supported"},
      {"structured", npy("{'descr': [('re', '<f8')], 'fortran_order': False, 'shape': (1,), }", ""),
       "found structured dtype"},
      {"fortran", npy(c16_header("(1, 2)", "<c16", "True"), one_state), "Fortran-order"},
      {"three_dims", npy(c16_header("(1, 1, 2)"), one_state), "expected a 2-D array of states"},
      {"no_rows", npy(c16_header("(0, 2)"), ""), "expected at least one state"},
      {"three_columns", npy(c16_header("(1, 3)"), doubles({1, 0, 0, 0, 0, 0})),
       "expected a power-of-two number of amplitudes per state, found 3"},
      {"short_data", npy(c16_header("(2, 2)"), one_state), "truncated data"},
      {"long_data", npy(c16_header("(1, 2)"), one_state + one_state), "data longer than its shape"},
      {"huge_shape", npy(c16_header("(1099511627776, 2)"), one_state), "truncated data"},
      {"overflowing_shape", npy(c16_header("(9223372036854775807, 2)"), one_state),
       "is too large: its size overflows"},
      {"nan_amplitude", npy(c16_header("(1, 2)"), doubles({nan, 0, 0, 0})),
       "non-finite amplitude in row 0, column 0"},
      {"not_normalized", npy(c16_header("(1, 2)"), doubles({2, 0, 0, 0})),
       "state in row 0 has norm 2"},
      {"wrong_qubits", "", ""},  // filled in below
  };
  // The last case is a valid file of 2-qubit states: its rows must be normalized.
  std::string two_qubits;
  for (int i = 0; i < 8; ++i)
    two_qubits += doubles({1, 0, 0, 0, 0, 0, 0, 0});
  const std::string good = (dir / "good.npy").string();
  std::ofstream(good, std::ios::binary) << npy(c16_header("(1, 2)"), one_state);

  ASSERT_GE(cases.size(), 10u);
  for (BadNpy c : cases) {
    std::string train_needle = c.needle;
    if (c.name == "wrong_qubits") {
      c.bytes = npy(c16_header("(8, 4)"), two_qubits);
      train_needle = "states have 4 amplitudes, but qubits.data = 1 needs 2";
    }
    const fs::path file = dir / (c.name + ".npy");
    std::ofstream(file, std::ios::binary) << c.bytes;
    // As a training target (nothing may be created) and as an ensemble to measure.
    const std::string cfg = (dir / "cfg.json").string();
    std::ofstream(cfg) << config_with(", \"target\": {\"kind\": \"npy\", \"path\": \"" +
                                      file.string() + "\"}");
    expect_refused(dir, "train " + cfg + " --out " + (dir / "out").string(),
                   {file.string() + ": ", train_needle}, c.name + " (train)");
    if (c.name != "wrong_qubits") {
      expect_refused(dir, "metrics --model " + file.string() + " --target " + good,
                     {file.string() + ": ", c.needle}, c.name + " (metrics)");
    }
  }
  expect_refused(
      dir, "metrics --model " + dir.string() + " --target " + good,
      {dir.string() + ": cannot open for reading: it is a directory, not a regular file"},
      "directory");
  expect_refused(dir, "metrics --model " + (dir / "absent.npy").string() + " --target " + good,
                 {"absent.npy: cannot open for reading: No such file or directory"}, "absent");
  fs::remove_all(dir);
}

}  // namespace
