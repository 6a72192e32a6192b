// Inputs that are not regular files: a FIFO given as a config or a .npy file used to block the
// open (or the read) until a writer came, so `train`, `metrics` and the others hung with no
// output. Each special file is now refused at once with one line naming it and its kind, and
// nothing is written. Every run has a time limit, so that a faulty build fails these tests
// instead of hanging the suite.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>

#include "app/formats/npy.hpp"
#include "support/refusal.hpp"

namespace {

namespace fs = std::filesystem;
using testing_cli::expect_refused;

// Long enough for a loaded machine to start the executable; a refusal takes milliseconds.
constexpr int kSeconds = 20;

// A tiny original-model config (1 data + 1 ancilla qubit, 2 steps: L = 4, 16 parameters).
std::string tiny_config(const std::string& extra = "") {
  return R"({"model": "original", "qubits": {"data": 1, "ancilla": 1}, "diffusion": {"steps": 2},
             "training": {"samples": 4, "diffusion_size": 8, "epochs": 2})" +
         extra + "}";
}

// A socket file bound at `path` (its descriptor is closed: the file stays).
bool make_socket_file(const fs::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  const bool ok = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// The special files of one folder, with the kind each message must name.
std::vector<std::pair<std::string, std::string>> special_files(const fs::path& dir) {
  std::vector<std::pair<std::string, std::string>> files;
  EXPECT_EQ(::mkfifo((dir / "fifo").c_str(), 0644), 0);
  files.push_back({(dir / "fifo").string(), "FIFO"});
  fs::create_directory(dir / "folder");
  files.push_back({(dir / "folder").string(), "directory"});
  if (make_socket_file(dir / "sock")) files.push_back({(dir / "sock").string(), "socket"});
  files.push_back({"/dev/null", "character device"});  // reads as empty, never written
  return files;
}

TEST(SpecialInputs, AConfigThatIsNotARegularFileIsRefusedAtOnce) {
  const auto dir = testing_cli::scratch_dir("special_config");
  for (const auto& [file, kind] : special_files(dir)) {
    const std::vector<std::string> names = {file + ": cannot open file (it is a " + kind +
                                            ", not a regular file)"};
    expect_refused(dir, "train " + file + " --out " + (dir / "run").string(), names,
                   "train " + kind, kSeconds);
    expect_refused(dir, "config " + file, names, "config " + kind, kSeconds);
  }
  fs::remove_all(dir);
}

TEST(SpecialInputs, AnNpyTargetThatIsNotARegularFileIsRefusedBeforeAnythingIsWritten) {
  const auto dir = testing_cli::scratch_dir("special_target");
  for (const auto& [file, kind] : special_files(dir)) {
    const fs::path cfg = dir / ("target_" + kind.substr(0, kind.find(' ')) + ".json");
    std::ofstream(cfg) << tiny_config(R"(, "target": {"kind": "npy", "path": ")" + file + "\"}");
    expect_refused(dir, "train " + cfg.string() + " --out " + (dir / "run").string(),
                   {file + ": cannot open for reading: it is a " + kind + ", not a regular file"},
                   "train " + kind, kSeconds);
    fs::remove(cfg);
  }
  fs::remove_all(dir);
}

TEST(SpecialInputs, TheNpyInputsOfMetricsGradientAndGenerateAreRefusedAtOnce) {
  const auto dir = testing_cli::scratch_dir("special_npy");
  const std::string states = (dir / "states.npy").string();
  const std::string params = (dir / "params.npy").string();
  quddpm::StateMatrix one(2, 2);
  one << 1, 0, 0, 1;
  quddpm::npy::write_states(states, one);
  quddpm::npy::write_reals(params, quddpm::RealMatrix::Zero(1, 4));  // 1 qubit, na 0, L 2
  // A model folder whose config reads, every .npy file in turn special.
  const fs::path model = dir / "model";
  fs::create_directory(model);
  std::ofstream(model / "config.json") << tiny_config();
  {  // its manifest names the run id its config gives, as a trained run's does
    const auto id = testing_cli::run_quddpm("config " + (model / "config.json").string());
    ASSERT_EQ(id.status, 0) << id.err;
    std::ofstream(model / "manifest.json") << nlohmann::json{
        {"run_id", nlohmann::json::parse(id.out)["run_id"]},
        {"sessions", nlohmann::json::array()}}.dump();
  }
  quddpm::npy::write_states((model / "data.npy").string(), one);
  quddpm::npy::write_reals((model / "params.npy").string(), quddpm::RealMatrix::Zero(2, 16));
  const std::string out = (dir / "out.npy").string();

  for (const auto& [file, kind] : special_files(dir)) {
    const std::string why = file + ": cannot open for reading: it is a " + kind;
    expect_refused(dir, "metrics --model " + file + " --target " + states, {why},
                   "metrics --model " + kind, kSeconds);
    expect_refused(dir, "metrics --model " + states + " --target " + file, {why},
                   "metrics --target " + kind, kSeconds);
    // The inputs are read first, then the targets, the parameters and the outcomes.
    const auto gradient = [&](const std::string& inputs, const std::string& outcomes) {
      return "gradient --ancilla 0 --layers 2 --inputs " + inputs + " --targets " + states +
             " --params " + params + " --outcomes " + outcomes;
    };
    expect_refused(dir, gradient(file, states), {why}, "gradient --inputs " + kind, kSeconds);
    expect_refused(dir, gradient(states, file), {why}, "gradient --outcomes " + kind, kSeconds);
    for (const char* name : {"params.npy", "data.npy", "config.json"}) {
      const fs::path inside = model / name, aside = dir / (std::string(name) + ".aside");
      fs::rename(inside, aside);
      // Inside a run folder nothing is opened through a link: refused as a link, before the
      // special file it points to is looked at.
      fs::create_symlink(file, inside);
      const std::string msg =
          inside.string() + ": cannot " +
          (std::string(name) == "config.json" ? "read (" : "open for reading: ") +
          "it is a symbolic link";
      expect_refused(dir,
                     "generate --model " + model.string() + " --samples 4 --seed 1 --out " + out,
                     {msg}, std::string("generate ") + name + " " + kind, kSeconds);
      fs::remove(inside);
      if (kind == "FIFO" || kind == "directory") {  // the special file itself in the folder
        if (kind == "FIFO")
          ASSERT_EQ(::mkfifo(inside.c_str(), 0644), 0);
        else
          fs::create_directory(inside);
        const std::string direct =
            inside.string() + ": cannot " +
            (std::string(name) == "config.json" ? "read (" : "open for reading: ") + "it is a " +
            kind;
        expect_refused(
            dir, "generate --model " + model.string() + " --samples 4 --seed 1 --out " + out,
            {direct}, std::string("generate ") + name + " " + kind + " itself", kSeconds);
        fs::remove(inside);
      }
      fs::rename(aside, inside);
    }
  }
  fs::remove_all(dir);
}

}  // namespace
