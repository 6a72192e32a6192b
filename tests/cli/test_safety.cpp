// quddpm never deletes or replaces what it did not create, and two processes never write one
// run: --force replaces only quddpm's own runs, a running run is locked against a second
// process (and a killed one is not), and file outputs replace only regular files.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/formats/atomic_file.hpp"
#include "app/formats/npy.hpp"
#include "support/background_process.hpp"
#include "support/run_command.hpp"

namespace {

using testing_cli::run_quddpm;
using testing_cli::slurp;
namespace fs = std::filesystem;

// A tiny original-model run; `epochs` sets how long it takes.
std::string write_config(const fs::path& path, int epochs) {
  const nlohmann::json j = {
      {"model", "original"},
      {"seed", 3},
      {"qubits", {{"data", 2}, {"ancilla", 1}}},
      {"diffusion", {{"steps", 3}}},
      {"training",
       {{"samples", 16}, {"diffusion_size", 32}, {"epochs", epochs}, {"learning_rate", 0.05}}}};
  fs::create_directories(path.parent_path());
  std::ofstream(path) << j.dump(2);
  return path.string();
}

std::string line_of(const std::string& err) {
  return err.substr(0, err.find('\n'));
}

// Polls until `p` exists (or the process ends).
bool wait_for_path(const fs::path& p, pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(p)) return true;
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

// Starts `train cfg --out out` in the background and SIGKILLs it once its first checkpoint is
// on disk, leaving out.partial behind; false if the run ended before that.
bool kill_after_first_checkpoint(const std::string& cfg, const fs::path& out) {
  const fs::path dir = out.parent_path();
  const pid_t pid =
      testing_cli::start_quddpm({"train", cfg, "--out", out.string(), "--threads", "1", "--quiet"},
                                (dir / "first.out").string(), (dir / "first.err").string());
  const bool reached = wait_for_path(out.string() + ".partial/checkpoint/state.json", pid);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);  // once: fails harmlessly if wait_for_path already reaped it
  return reached;
}

// `train proj/base.json --out proj --force` used to delete proj/, the config included.
TEST(ForceReplacesOnlyRuns, AFolderThatIsNotARunIsRefusedAndKept) {
  const auto dir = testing_cli::scratch_dir("safety_foreign");
  const std::string cfg = write_config(dir / "proj" / "base.json", 5);
  std::ofstream(dir / "proj" / "notes.txt") << "mine\n";
  const auto r = run_quddpm("train " + cfg + " --out " + (dir / "proj").string() + " --force");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("not a quddpm run folder"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;  // one line
  EXPECT_EQ(slurp((dir / "proj" / "notes.txt").string()), "mine\n");
  EXPECT_TRUE(fs::exists(cfg));
  EXPECT_FALSE(fs::exists(dir / "proj.partial"));
  fs::remove_all(dir);
}

TEST(ForceReplacesOnlyRuns, ItsOwnFinishedRunAndAnEmptyFolderAreReplaced) {
  const auto dir = testing_cli::scratch_dir("safety_own");
  const std::string cfg = write_config(dir / "c.json", 5);
  const std::string out = (dir / "run").string();
  ASSERT_EQ(run_quddpm("train " + cfg + " --out " + out).status, 0);
  EXPECT_TRUE(fs::exists(dir / "run" / ".quddpm-run"));
  std::ofstream(dir / "run" / "stale.txt") << "from the first run's folder\n";
  const auto r = run_quddpm("train " + cfg + " --out " + out + " --force --seed 9");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(fs::exists(dir / "run" / "stale.txt"));  // the whole old run was replaced
  EXPECT_EQ(nlohmann::json::parse(slurp(out + "/config.json"))["seed"], 9);
  for (const auto& e : fs::directory_iterator(dir))  // nothing left aside
    EXPECT_EQ(e.path().filename().string().find(".replaced"), std::string::npos) << e.path();
  fs::create_directory(dir / "empty");
  EXPECT_EQ(run_quddpm("train " + cfg + " --out " + (dir / "empty").string() + " --force").status,
            0);
  fs::remove_all(dir);
}

// Two runs on one folder: the second is refused while the first lives, whether or not it
// says --force, and the first ends with all its files.
TEST(RunLock, ASecondProcessIsRefusedWhileTheFirstRuns) {
  const auto dir = testing_cli::scratch_dir("safety_lock");
  const std::string cfg = write_config(dir / "c.json", 4000);
  const fs::path out = dir / "run";
  const pid_t pid =
      testing_cli::start_quddpm({"train", cfg, "--out", out.string(), "--threads", "1", "--quiet"},
                                (dir / "first.out").string(), (dir / "first.err").string());
  ASSERT_TRUE(wait_for_path(out.string() + ".partial/.quddpm-run", pid));
  for (const char* extra : {"", " --force"}) {
    const auto r = run_quddpm("train " + cfg + " --out " + out.string() + extra);
    EXPECT_EQ(r.status, 1) << extra;
    EXPECT_NE(
        r.err.find(out.string() + ".partial is in use by process " + std::to_string(pid) + " on "),
        std::string::npos)
        << r.err;
  }
  const int status = testing_cli::wait_for(pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << slurp((dir / "first.err").string());
  for (const char* f : {"config.json", "epochs.csv", "cycles.csv", "diffusion.csv", "params.npy",
                        "generated.npy", "data.npy", "prior.npy"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  fs::remove_all(dir);
}

// The kernel drops the lock of a killed process: the run can be resumed, or replaced.
TEST(RunLock, AKilledRunDoesNotBlock) {
  const auto dir = testing_cli::scratch_dir("safety_stale");
  const std::string cfg = write_config(dir / "c.json", 3000);
  const fs::path out = dir / "run";
  ASSERT_TRUE(kill_after_first_checkpoint(cfg, out));
  const auto r = run_quddpm("train " + cfg + " --out " + out.string() +
                            " --force --threads 1 --set training.epochs=5");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(out / "params.npy"));
  fs::remove_all(dir);
}

TEST(GenerateOutput, AnExistingFileNeedsForceAndASpecialFileIsNeverReplaced) {
  const auto dir = testing_cli::scratch_dir("safety_generate");
  const std::string cfg = write_config(dir / "c.json", 5);
  ASSERT_EQ(run_quddpm("train " + cfg + " --out " + (dir / "run").string()).status, 0);
  const std::string base = "generate --model " + (dir / "run").string() + " --samples 4 --seed 2 ";
  std::ofstream(dir / "old.npy") << "keep me";
  auto r = run_quddpm(base + "--out " + (dir / "old.npy").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("old.npy: already exists (use --force"), std::string::npos) << r.err;
  EXPECT_EQ(slurp((dir / "old.npy").string()), "keep me");
  r = run_quddpm(base + "--out " + (dir / "old.npy").string() + " --force");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(quddpm::npy::read_states((dir / "old.npy").string()).rows(), 4);

  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0644), 0);
  r = run_quddpm(base + "--out " + (dir / "fifo").string() + " --force");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(line_of(r.err).find("refusing to replace a FIFO"), std::string::npos) << r.err;
  struct stat st {};
  ASSERT_EQ(::lstat((dir / "fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  fs::remove_all(dir);
}

// Every file under `dir` with its bytes.
std::map<std::string, std::string> contents(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    files[fs::relative(e.path(), dir).string()] = e.is_regular_file() ? slurp(e.path()) : "";
  return files;
}

// `generate --model m --out m/./params.npy --force` used to replace the model's own parameters.
// Its output never goes into the model's folder, however that folder is spelled, --force or not.
TEST(GenerateOutput, NeverIntoItsOwnModelFolder) {
  const auto dir = testing_cli::scratch_dir("safety_generate_model");
  const std::string cfg = write_config(dir / "c.json", 5);
  const fs::path run = dir / "run";
  ASSERT_EQ(run_quddpm("train " + cfg + " --out " + run.string()).status, 0);
  fs::create_directory_symlink(run, dir / "link");
  const auto before = contents(run);
  for (const fs::path& model : {run, dir / "link", dir / "." / "run"}) {
    for (const fs::path& out : {run / "params.npy", run / "." / "params.npy", run / "new.npy",
                                dir / "link" / "data.npy", dir / "link" / ".." / "run" / "x.npy"}) {
      for (const char* force : {"", " --force"}) {
        const auto r = run_quddpm("generate --model " + model.string() +
                                  " --samples 4 --seed 2 --out " + out.string() + force);
        EXPECT_EQ(r.status, 1) << out << force;
        EXPECT_EQ(r.err, "quddpm: --out: '" + out.string() + "' is inside the model folder '" +
                             model.string() +
                             "' (generate never writes into a run folder, whose files it reads; "
                             "choose another path)\n");
        EXPECT_TRUE(r.out.empty()) << r.out;
      }
    }
  }
  EXPECT_EQ(contents(run), before);  // every file as train left it, and no new one
  fs::remove_all(dir);
}

// The atomic-write helper (and the .npy writer) on every kind of non-regular target: refused
// with the kind named, the target untouched, no temporary file left.
TEST(AtomicWrite, OnlyRegularFilesAreReplaced) {
  const auto dir = testing_cli::scratch_dir("safety_atomic");
  std::ofstream(dir / "real.txt") << "target of the link\n";
  fs::create_symlink(dir / "real.txt", dir / "link");
  fs::create_directory(dir / "folder");
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0644), 0);
  std::vector<std::pair<std::string, std::string>> cases = {
      {"link", "symbolic link"}, {"folder", "directory"}, {"fifo", "FIFO"}};
  // A device node of our own (never a system one), where the test may create one.
  if (::geteuid() == 0 && ::mknod((dir / "dev").c_str(), S_IFCHR | 0666, makedev(1, 7)) == 0)
    cases.push_back({"dev", "character device"});
  else
    std::cout << "[ note ] not root: no device node case\n";
  quddpm::StateMatrix m(1, 1);
  m(0, 0) = 1;
  for (const auto& [name, kind] : cases) {
    const std::string p = (dir / name).string();
    try {
      quddpm::app::write_file_atomically(p, "x");
      ADD_FAILURE() << name << " was replaced";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), p + ": refusing to replace a " + kind +
                                           " with a file (quddpm writes only regular files; "
                                           "choose another path)");
    }
    EXPECT_THROW(quddpm::npy::write_states(p, m), quddpm::npy::Error) << name;
  }
  EXPECT_EQ(slurp((dir / "real.txt").string()), "target of the link\n");
  EXPECT_TRUE(fs::is_symlink(dir / "link"));
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    ++entries;
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  }
  EXPECT_EQ(entries, cases.size() + 1);
  // A regular file is replaced as before.
  quddpm::app::write_file_atomically((dir / "real.txt").string(), "new\n");
  EXPECT_EQ(slurp((dir / "real.txt").string()), "new\n");
  fs::remove_all(dir);
}

// Suspicious values pass with a one-line warning each; an empty --out is an error; an object
// given with --set merges into the config's object instead of replacing it.
TEST(TrainTellsWhatItDoes, WarningsErrorsAndMergedObjects) {
  const auto dir = testing_cli::scratch_dir("safety_warn");
  const std::string cfg = write_config(dir / "c.json", 2);
  auto r = run_quddpm("train " + cfg + " --out " + (dir / "w").string() +
                      " --threads 64 --set training.learning_rate=1e9"
                      " --set diffusion.schedule.start=7 --set diffusion.schedule.end=0.5");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* phrase : {"--threads 64 is more than the", "learning_rate = 1e+09 is above 1",
                             "is below diffusion.schedule.start (7)", "reaches 7 > 2 pi"})
    EXPECT_NE(r.err.find(phrase), std::string::npos) << phrase << " in " << r.err;

  r = run_quddpm("train " + cfg + " --out ''");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "quddpm: --out: expected a results folder, found an empty string\n");
  EXPECT_FALSE(fs::exists("runs/c"));

  r = run_quddpm("train " + cfg + " --out " + (dir / "m").string() +
                 " --set 'qubits={\"data\": 1}'");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto resolved = nlohmann::json::parse(slurp((dir / "m" / "config.json").string()));
  EXPECT_EQ(resolved["qubits"]["data"], 1);
  EXPECT_EQ(resolved["qubits"]["ancilla"], 1);  // the file's value, not the default 3
  fs::remove_all(dir);
}

TEST(GenerateOutput, AnInterruptedRunIsNamedAsSuch) {
  const auto dir = testing_cli::scratch_dir("safety_partial");
  const std::string cfg = write_config(dir / "c.json", 3000);
  const fs::path out = dir / "run";
  ASSERT_TRUE(kill_after_first_checkpoint(cfg, out));
  const auto r = run_quddpm("generate --model " + out.string() + ".partial --samples 4 --seed 1 " +
                            "--out " + (dir / "g.npy").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("is an interrupted run, not a trained model (finish it first: quddpm "
                       "train --resume " +
                       out.string() + ")"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir / "g.npy"));
  fs::remove_all(dir);
}

}  // namespace

namespace {

// An over-long path is reported as such, not as a missing or foreign folder.
TEST(PathErrors, AnOverLongPathIsNamedAsTheCause) {
  const std::string long_name = "/tmp/" + std::string(300, 'q');
  auto r = testing_cli::run_quddpm("generate --model " + long_name +
                                   " --samples 2 --seed 1 --out /tmp/quddpm_unused.npy");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("File name too long"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("not a results directory"), std::string::npos) << r.err;
  r = testing_cli::run_quddpm("metrics --model " + long_name + ".npy --target " + long_name +
                              ".npy");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("File name too long"), std::string::npos) << r.err;
}

}  // namespace
