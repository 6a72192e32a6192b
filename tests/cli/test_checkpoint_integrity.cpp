// Checkpoints bound to their run (issue "runs that cannot lie", item 2): a checkpoint that was
// changed, damaged, copied from another run or no longer matches its traces or its run's config
// is refused with the file and what disagrees, and nothing in the folder changes; a damaged
// newest checkpoint falls back to the one before it, and the resumed run still ends bit for bit
// where an uninterrupted run ends. A NaN stops a run (item 3) with the last finite checkpoint.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/formats/npy.hpp"
#include "app/formats/sha256.hpp"
#include "support/background_process.hpp"
#include "support/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using testing_cli::run_quddpm;
using testing_cli::slurp;

constexpr int kSteps = 3;

std::string write_config(const fs::path& dir, int seed) {
  const nlohmann::json j = {
      {"model", "improved"},
      {"seed", seed},
      {"qubits", {{"data", 2}, {"ancilla", 2}}},
      {"diffusion", {{"steps", kSteps}}},
      {"training",
       {{"samples", 100}, {"diffusion_size", 120}, {"epochs", 800}, {"learning_rate", 0.05}}}};
  const std::string path = (dir / ("seed" + std::to_string(seed) + ".json")).string();
  std::ofstream(path) << j.dump(2);
  return path;
}

nlohmann::json state_of(const fs::path& partial, const char* name = "state.json") {
  const std::string text = slurp((partial / "checkpoint" / name).string());
  return text.empty() ? nlohmann::json() : nlohmann::json::parse(text);
}

// Trains `cfg` into `run` and stops it with SIGTERM inside its second cycle, so that the newest
// checkpoint is part-way through a cycle and the previous one is the first cycle's.
void interrupted_run(const std::string& cfg, const fs::path& run) {
  const fs::path partial = run.string() + ".partial";
  const pid_t pid =
      testing_cli::start_quddpm({"train", cfg, "--threads", "1", "--out", run.string()},
                                run.string() + ".out", run.string() + ".err");
  // Some epochs into the second cycle (800 epochs a cycle), so that the stop falls inside it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto j = state_of(partial);
    const std::string epochs = slurp((partial / "epochs.csv").string());
    if (j.is_object() && j.value("next_t", kSteps) <= kSteps - 2 &&
        std::count(epochs.begin(), epochs.end(), '\n') > 800 + 20)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, SIGTERM);
  testing_cli::wait_for(pid);
  if (!state_of(partial).contains("progress")) throw std::runtime_error("stopped outside a cycle");
  if (!fs::exists(partial / "checkpoint" / "state.prev.json"))
    throw std::runtime_error("no previous checkpoint");
}

// Every file under a folder, by relative path, with its bytes (links by their target).
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string rel = fs::relative(e.path(), dir).string();
    if (e.is_symlink())
      files[rel] = "-> " + fs::read_symlink(e.path()).string();
    else if (e.is_regular_file())
      files[rel] = slurp(e.path().string());
  }
  return files;
}

void flip_a_byte(const fs::path& file) {
  std::string bytes = slurp(file.string());
  bytes[bytes.size() - 3] ^= 0x01;
  std::ofstream(file, std::ios::binary) << bytes;
}

// A state file edited and given a matching checksum (the recipe docs/model.md states).
void reseal(const fs::path& file, const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = nlohmann::json::parse(slurp(file.string()));
  edit(j);
  j.erase("checksum");
  j["checksum"] = quddpm::app::sha256_hex(j.dump());
  std::ofstream(file) << j.dump(2);
}

class CheckpointIntegrity : public testing::Test {
 protected:
  // The runs every test tampers with a copy of; a failure here fails every test (SetUp).
  static void SetUpTestSuite() {
    dir_ = new fs::path(testing_cli::scratch_dir("checkpoint_integrity"));
    cfg_ = new std::string(write_config(*dir_, 3));
    setup_error_ = new std::string;
    try {
      const auto r =
          run_quddpm("train " + *cfg_ + " --threads 1 --out " + (*dir_ / "ref").string());
      if (r.status != 0) throw std::runtime_error("reference run failed: " + r.err);
      interrupted_run(*cfg_, *dir_ / "stopped");
      interrupted_run(write_config(*dir_, 4), *dir_ / "other_seed");
    } catch (const std::exception& e) {
      *setup_error_ = e.what();
    }
  }
  void SetUp() override { ASSERT_EQ(*setup_error_, "") << "the suite's runs could not be made"; }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete cfg_;
    delete setup_error_;
  }

  // A copy of the stopped run to tamper with: its final name.
  fs::path copy(const std::string& name) {
    const fs::path run = *dir_ / name;
    fs::copy(*dir_ / "stopped.partial", run.string() + ".partial", fs::copy_options::recursive);
    return run;
  }
  static fs::path partial(const fs::path& run) { return run.string() + ".partial"; }
  static fs::path checkpoint_file(const fs::path& run, const char* state, const char* key) {
    return partial(run) / "checkpoint" / state_of(partial(run), state)[key].get<std::string>();
  }

  // Resuming is refused with a message holding each of `words`, and nothing changes.
  void expect_refused(const fs::path& run, std::initializer_list<std::string> words) {
    const auto before = snapshot(partial(run));
    const auto r = run_quddpm("train --threads 1 --resume " + run.string());
    EXPECT_EQ(r.status, 1) << r.err;
    for (const auto& w : words)
      EXPECT_NE(r.err.find(w), std::string::npos) << "missing '" << w << "' in: " << r.err;
    EXPECT_FALSE(fs::exists(run)) << "a refused resume finished the run";
    auto after = snapshot(partial(run));
    EXPECT_EQ(after.size(), before.size());
    for (const auto& [file, bytes] : before) {
      if (file == ".lock") continue;  // names the process that last held the run
      EXPECT_TRUE(after[file] == bytes) << file << " changed";
    }
  }

  void expect_same_as_reference(const fs::path& run) {
    for (const char* f : {"params.npy", "generated.npy", "epochs.csv", "layers.csv"})
      EXPECT_TRUE(slurp((*dir_ / "ref" / f).string()) == slurp((run / f).string())) << f;
  }

  static fs::path* dir_;
  static std::string* cfg_;
  static std::string* setup_error_;
};
fs::path* CheckpointIntegrity::dir_ = nullptr;
std::string* CheckpointIntegrity::cfg_ = nullptr;
std::string* CheckpointIntegrity::setup_error_ = nullptr;

TEST_F(CheckpointIntegrity, StateRecordsRunIdDigestsAndCounters) {
  const nlohmann::json j = state_of(*dir_ / "stopped.partial");
  EXPECT_EQ(j["format"], "quddpm-checkpoint-2");
  EXPECT_EQ(j["run_id"].get<std::string>().size(), 12u);
  for (const char* trace : {"diffusion.csv", "epochs.csv", "layers.csv", "cycles.csv"}) {
    EXPECT_EQ(j["traces"][trace].get<std::string>().size(), 64u) << trace;
    EXPECT_TRUE(j["rows"].contains(trace)) << trace;
  }
  const fs::path ck = *dir_ / "stopped.partial" / "checkpoint";
  for (const char* key : {"params", "current"}) {
    const std::string name = j[key];
    EXPECT_EQ(j["sha256"][name], quddpm::app::sha256_hex(slurp((ck / name).string()))) << key;
  }
  nlohmann::json rest = j;
  rest.erase("checksum");
  EXPECT_EQ(j["checksum"], quddpm::app::sha256_hex(rest.dump()));
}

TEST_F(CheckpointIntegrity, DamagedNewestFallsBackToThePreviousAndEndsBitwise) {
  const fs::path run = copy("fallback");
  flip_a_byte(checkpoint_file(run, "state.json", "params"));
  const auto r = run_quddpm("train --threads 1 --resume " + run.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("SHA-256 differs"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("resuming from the previous checkpoint"), std::string::npos) << r.err;
  expect_same_as_reference(run);
}

TEST_F(CheckpointIntegrity, BothDamagedIsRefusedAndNothingChanges) {
  const fs::path run = copy("both_damaged");
  const fs::path newest = checkpoint_file(run, "state.json", "params");
  const fs::path previous = checkpoint_file(run, "state.prev.json", "params");
  flip_a_byte(newest);
  if (previous != newest) flip_a_byte(previous);
  expect_refused(run, {newest.string(), "SHA-256 differs", "the previous checkpoint is refused too",
                       "nothing was changed"});
}

TEST_F(CheckpointIntegrity, EditedCounterIsRefusedByTheChecksumThenByTheTraces) {
  const fs::path run = copy("edited_counter");
  fs::remove(partial(run) / "checkpoint" / "state.prev.json");
  const fs::path state = partial(run) / "checkpoint" / "state.json";
  {
    nlohmann::json j = nlohmann::json::parse(slurp(state.string()));
    j["next_t"] = 0;
    std::ofstream(state) << j.dump(2);
  }
  expect_refused(run, {state.string(), "checksum does not match its contents"});
  // With a matching checksum, the counters disagree with each other.
  reseal(state, [](nlohmann::json& j) {
    j["progress"]["epochs_done"] = 5;
    j["progress"]["adam_step"] = 5;
  });
  expect_refused(run, {state.string(), "rows of epochs.csv", "means"});
}

TEST_F(CheckpointIntegrity, NanInParametersIsRefused) {
  const fs::path run = copy("nan_params");
  fs::remove(partial(run) / "checkpoint" / "state.prev.json");
  const fs::path params = checkpoint_file(run, "state.json", "params");
  quddpm::RealMatrix p = quddpm::npy::read_reals(params.string());
  p(kSteps - 1, 0) = std::nan("");
  quddpm::npy::write_reals(params.string(), p);
  const std::string digest = quddpm::app::sha256_hex(slurp(params.string()));
  reseal(partial(run) / "checkpoint" / "state.json",
         [&](nlohmann::json& j) { j["sha256"][params.filename().string()] = digest; });
  expect_refused(run, {params.string(), "non-finite value"});
}

TEST_F(CheckpointIntegrity, AnotherRunsCheckpointIsRefused) {
  const fs::path run = copy("chimera");
  fs::remove_all(partial(run) / "checkpoint");
  fs::copy(*dir_ / "other_seed.partial" / "checkpoint", partial(run) / "checkpoint");
  expect_refused(run,
                 {"state.json", "holds a checkpoint of run", "this run's config gives run id"});
}

TEST_F(CheckpointIntegrity, EditedRunConfigIsRefused) {
  const fs::path run = copy("edited_config");
  const fs::path config = partial(run) / "config.json";
  nlohmann::json j = nlohmann::json::parse(slurp(config.string()));
  j["training"]["learning_rate"] = 0.01;
  std::ofstream(config) << j.dump(2);
  expect_refused(run, {"holds a checkpoint of run", "was config.json edited"});
}

TEST_F(CheckpointIntegrity, EditedTraceIsRefused) {
  const fs::path run = copy("edited_trace");
  const fs::path trace = partial(run) / "cycles.csv";
  std::string text = slurp(trace.string());
  text[text.find('\n') + 10] ^= 0x01;  // inside the prior's row, long committed
  std::ofstream(trace, std::ios::binary) << text;
  expect_refused(run, {trace.string(), "differ from those", "changed after the checkpoint"});
}

// Links inside a run folder are never followed (item 1): a linked checkpoint folder or trace
// is refused, and the files it points at stay as they were.
TEST_F(CheckpointIntegrity, LinkedCheckpointFolderAndTraceAreRefused) {
  const fs::path mine = *dir_ / "users_folder";
  fs::create_directories(mine);
  std::ofstream(mine / "notes.txt") << "my notes\n";
  {
    const fs::path run = copy("linked_checkpoint");
    fs::copy(partial(run) / "checkpoint", mine);
    fs::remove_all(partial(run) / "checkpoint");
    fs::create_directory_symlink(mine, partial(run) / "checkpoint");
    expect_refused(run, {"checkpoint: is a symbolic link"});
    EXPECT_EQ(slurp((mine / "notes.txt").string()), "my notes\n");
  }
  {
    const fs::path run = copy("linked_trace");
    const fs::path elsewhere = *dir_ / "another_trace.csv";
    fs::copy_file(partial(run) / "epochs.csv", elsewhere);
    const std::string before = slurp(elsewhere.string());
    fs::remove(partial(run) / "epochs.csv");
    fs::create_symlink(elsewhere, partial(run) / "epochs.csv");
    expect_refused(run, {"epochs.csv: is a symbolic link"});
    EXPECT_TRUE(slurp(elsewhere.string()) == before) << "the linked file was changed";
  }
}

// Adam at 1.7e308 overflows the parameters on its second step: the run stops at once naming
// the cycle and epoch, keeps the checkpoint before the first cycle, and writes no NaN.
TEST_F(CheckpointIntegrity, NonFiniteStopsTheRunWithItsLastFiniteCheckpoint) {
  const fs::path run = *dir_ / "overflow";
  const auto r = run_quddpm("train " + *cfg_ + " --threads 1 --set training.learning_rate=1.7e308" +
                            " --out " + run.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("cycle t=2, epoch 1: the parameters after Adam's step are not finite"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("the last finite checkpoint (before the first cycle) is kept in"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(run));
  EXPECT_EQ(state_of(partial(run))["next_t"], kSteps - 1);
  for (const char* trace : {"epochs.csv", "layers.csv"})  // (the prior's cycle row has nan)
    EXPECT_EQ(slurp((partial(run) / trace).string()).find("nan,"), std::string::npos) << trace;
}

// A write that fails (here a file-size limit, as a full disk would) names the file that failed
// and what is still safe; the run then resumes, without the limit, to the same bits.
TEST(WriteErrors, NameTheFileAndTheCheckpointStillInForce) {
  const auto dir = testing_cli::scratch_dir("write_errors");
  const std::string cfg = write_config(dir, 3);
  const fs::path ref = dir / "ref", run = dir / "run";
  auto r = run_quddpm("train " + cfg + " --threads 1 --out " + ref.string());
  ASSERT_EQ(r.status, 0) << r.err;
  // 256 blocks of 512 bytes: layers.csv (8 rows of about 70 bytes an epoch) passes it in the
  // first cycle. SIGXFSZ ignored, so the write fails with EFBIG instead of killing the process.
  const std::string err = (dir / "err.txt").string();
  const std::string cmd = "bash -c 'trap \"\" XFSZ; ulimit -f 256; exec " +
                          std::string(QUDDPM_EXE) + " train " + cfg + " --threads 1 --out " +
                          run.string() + "' > /dev/null 2> " + err;
  const int raw = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(raw), 1);
  const std::string msg = slurp(err);
  EXPECT_NE(msg.find("layers.csv: write failed (File too large); the last checkpoint (before the "
                     "first cycle) is still in force in " +
                     run.string() + ".partial"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("resume with: quddpm train --resume " + run.string()), std::string::npos)
      << msg;
  r = run_quddpm("train --threads 1 --resume " + run.string());
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* f : {"params.npy", "generated.npy", "epochs.csv", "layers.csv"})
    EXPECT_TRUE(slurp((ref / f).string()) == slurp((run / f).string())) << f;
  fs::remove_all(dir);
}

}  // namespace
