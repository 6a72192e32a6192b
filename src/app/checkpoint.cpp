#include "app/checkpoint.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "app/atomic_file.hpp"
#include "app/config.hpp"
#include "app/npy.hpp"
#include "app/run_directory.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace quddpm::app {

namespace {

constexpr const char* kFormat = "quddpm-checkpoint-1";

// Progress rows in progress.*.npy.
enum ProgressRow { kTheta = 0, kAdamM = 1, kAdamV = 2, kProgressRows = 3 };

std::string tag_of(const TrainingState& s) {
  if (s.next_t < 0) return "done";
  std::string tag = "t" + std::to_string(s.next_t);
  if (s.progress) tag += "e" + std::to_string(s.progress->epochs_done);
  return tag;
}

[[noreturn]] void bad(const fs::path& file, const std::string& what) {
  throw std::runtime_error(file.string() + ": " + what);
}

// A file the checkpoint's state.json names: a plain name inside the checkpoint directory.
std::string file_in(const fs::path& dir, const fs::path& state_file, const json& name) {
  if (!name.is_string() || fs::path(name.get<std::string>()).has_parent_path())
    bad(state_file, "expected a file name in the checkpoint directory, found " + name.dump());
  return (dir / name.get<std::string>()).string();
}

// A cycle part-way through its epochs: the counters in state.json, theta and Adam's moments
// in their own file.
CycleProgress read_progress(const json& p, const fs::path& dir, const fs::path& state_file,
                            int next_t, const TrainingSettings& s) {
  CycleProgress progress;
  std::string progress_file;
  try {
    progress_file = file_in(dir, state_file, p.at("file"));
    progress.epochs_done = p.at("epochs_done").get<int>();
    progress.adam.step = p.at("adam_step").get<int>();
    progress.norm_sum = p.at("norm_sum").get<double>();
    progress.last_loss =
        p.at("last_loss").is_null() ? std::nan("") : p.at("last_loss").get<double>();
  } catch (const json::exception& e) {
    bad(state_file, std::string("malformed checkpoint progress (") + e.what() + ")");
  }
  if (next_t < 0 || progress.epochs_done < 1 || progress.epochs_done >= s.epochs ||
      progress.adam.step != progress.epochs_done)
    bad(state_file, "'progress' does not describe a cycle part-way through its epochs");
  const RealMatrix m = npy::read_reals(progress_file);
  if (m.rows() != kProgressRows || m.cols() != s.num_params())
    bad(progress_file, "expected " + std::to_string(int{kProgressRows}) + " x " +
                           std::to_string(s.num_params()) + " values (theta, Adam m, Adam v)");
  progress.theta = m.row(kTheta).transpose();
  progress.adam.m = m.row(kAdamM).transpose();
  progress.adam.v = m.row(kAdamV).transpose();
  return progress;
}

}  // namespace

void write_checkpoint(const fs::path& staging, const TrainingState& state, Precision precision,
                      const TraceRows& rows) {
  const fs::path dir = staging / kCheckpointDir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) bad(dir, "cannot create directory (" + ec.message() + ")");
  const std::string tag = tag_of(state);
  json j = {{"format", kFormat},
            {"precision", config::name_of(precision)},
            {"next_t", state.next_t},
            {"params", "params." + tag + ".npy"},
            {"current", "current." + tag + ".npy"},
            {"rows",
             {{"diffusion.csv", rows.diffusion},
              {"epochs.csv", rows.epochs},
              {"cycles.csv", rows.cycles}}}};
  npy::write_reals((dir / j["params"].get<std::string>()).string(), state.params);
  npy::write_states((dir / j["current"].get<std::string>()).string(), state.current);
  if (const auto& p = state.progress) {
    RealMatrix m(kProgressRows, p->theta.size());
    m.row(kTheta) = p->theta.transpose();
    m.row(kAdamM) = p->adam.m.transpose();
    m.row(kAdamV) = p->adam.v.transpose();
    const std::string file = "progress." + tag + ".npy";
    npy::write_reals((dir / file).string(), m);
    // nlohmann writes doubles in their shortest round-trip form, so these come back exact.
    j["progress"] = {{"file", file},
                     {"epochs_done", p->epochs_done},
                     {"adam_step", p->adam.step},
                     {"norm_sum", p->norm_sum},
                     {"last_loss", p->last_loss}};
  }
  write_file_atomically((dir / "state.json").string(), j.dump(2) + "\n");
  sync_directory(dir.string());

  // Files of older checkpoints are no longer named by state.json.
  const std::set<std::string> keep = {
      "state.json", j["params"], j["current"],
      state.progress ? j["progress"]["file"].get<std::string>() : std::string("state.json")};
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (!keep.count(entry.path().filename().string())) fs::remove(entry.path(), ec);
}

Checkpoint read_checkpoint(const fs::path& staging, const TrainingSettings& s) {
  const fs::path dir = staging / kCheckpointDir;
  const fs::path state_file = dir / "state.json";
  std::ifstream in(state_file);
  if (!in) bad(state_file, "cannot open the checkpoint for reading");
  std::stringstream text;
  text << in.rdbuf();
  Checkpoint c;
  json j;
  try {
    j = json::parse(text.str());
    if (j.value("format", "") != kFormat)
      bad(state_file, std::string("expected 'format': ") + kFormat);
    // Checkpoints from before the precision key were all double.
    const std::string precision = j.value("precision", "double");
    if (precision != config::name_of(s.precision))
      bad(state_file, "the checkpoint holds a " + precision + "-precision run, this run is " +
                          config::name_of(s.precision) +
                          "-precision: resume it with precision = " + precision);
    c.state.next_t = j.at("next_t").get<int>();
    const json& rows = j.at("rows");
    c.rows = {rows.at("diffusion.csv").get<long long>(), rows.at("epochs.csv").get<long long>(),
              rows.at("cycles.csv").get<long long>()};
  } catch (const json::exception& e) {
    bad(state_file, std::string("malformed checkpoint (") + e.what() + ")");
  }
  if (c.state.next_t < -1 || c.state.next_t >= s.steps())
    bad(state_file, "'next_t' = " + std::to_string(c.state.next_t) + " is outside -1.." +
                        std::to_string(s.steps() - 1));

  auto file = [&](const json& name) { return file_in(dir, state_file, name); };
  const std::string params_file = file(j["params"]);
  c.state.params = npy::read_reals(params_file);
  if (c.state.params.rows() != s.steps() || c.state.params.cols() != s.num_params())
    bad(params_file, "expected " + std::to_string(s.steps()) + " x " +
                         std::to_string(s.num_params()) + " parameters for this config");
  const std::string current_file = file(j["current"]);
  c.state.current = npy::read_states(current_file);
  if (c.state.current.rows() != s.samples ||
      c.state.current.cols() != static_cast<Eigen::Index>(dim_of(s.n_data)))
    bad(current_file, "expected " + std::to_string(s.samples) + " states of " +
                          std::to_string(s.n_data) + " qubits for this config");

  if (j.contains("progress"))
    c.state.progress = read_progress(j["progress"], dir, state_file, c.state.next_t, s);
  return c;
}

}  // namespace quddpm::app
