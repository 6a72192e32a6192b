// `quddpm train CONFIG.json`: the main job. Validates everything before writing anything,
// writes traces and a checkpoint per cycle into a staging directory, moves it into place at
// the end, and continues an interrupted run with --resume.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

#include "app/atomic_file.hpp"
#include "app/checkpoint.hpp"
#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/experiment.hpp"
#include "app/npy.hpp"
#include "app/progress.hpp"
#include "app/run_directory.hpp"
#include "app/run_observer.hpp"
#include "app/stop_signal.hpp"
#include "core/parallel.hpp"
#include "model/trainer.hpp"

namespace quddpm::app {

namespace {

struct TrainArgs {
  std::string config;
  std::string out;
  std::string resume;
  std::vector<std::string> sets;
  std::uint64_t seed = 0;
  bool seed_given = false;
  int threads = 0;
  bool force = false;
  bool quiet = false;
};

// The first key path where two JSON values differ ("" when equal).
std::string first_difference(const nlohmann::json& a, const nlohmann::json& b,
                             const std::string& path = "") {
  if (a.is_object() && b.is_object()) {
    for (const auto& [key, value] : a.items()) {
      const std::string p = path.empty() ? key : path + "." + key;
      if (!b.contains(key)) return p;
      const std::string d = first_difference(value, b[key], p);
      if (!d.empty()) return d;
    }
    for (const auto& [key, value] : b.items())
      if (!a.contains(key)) return path.empty() ? key : path + "." + key;
    return "";
  }
  return a == b ? "" : path;
}

std::string value_at(const nlohmann::json& j, const std::string& path) {
  std::string pointer = "/" + path;
  std::replace(pointer.begin(), pointer.end(), '.', '/');
  const nlohmann::json::json_pointer ptr(pointer);
  return j.contains(ptr) ? j[ptr].dump() : "absent";
}

// A resumed run must train exactly what the interrupted one trained (the output directory is
// the one being resumed, whatever its spelling).
void check_same_config(const config::ExperimentConfig& given, const config::ExperimentConfig& run,
                       const std::string& run_file) {
  nlohmann::json a = config::to_json(given), b = config::to_json(run);
  // The calibrated schedule end is the run's result, not part of what the user asked for.
  for (nlohmann::json* j : {&a, &b}) {
    j->erase("output");
    (*j)["diffusion"]["schedule"].erase("calibrated_end");
  }
  const std::string key = first_difference(a, b);
  if (key.empty()) return;
  throw std::invalid_argument(given.source + ": '" + key + "' is " + value_at(a, key) +
                              ", but the interrupted run used " + value_at(b, key) + " (" +
                              run_file + "); resume with the same config, --seed and --set");
}

// One shell word, quoted when it needs to be.
std::string shell_word(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789_./=:+-,@%") == std::string::npos)
    return s;
  std::string q = "'";
  for (char ch : s)
    q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

std::string resume_command(const TrainArgs& a, const std::string& dir) {
  std::string cmd = "quddpm train " + shell_word(a.config) + " --resume " + shell_word(dir);
  if (a.seed_given) cmd += " --seed " + std::to_string(a.seed);
  for (const auto& s : a.sets)
    cmd += " --set " + shell_word(s);
  return cmd;
}

long long epochs_left(const TrainingSettings& s, const std::optional<Checkpoint>& ck) {
  if (!ck) return static_cast<long long>(s.steps()) * s.epochs;
  const auto& st = ck->state;
  return static_cast<long long>(st.next_t + 1) * s.epochs -
         (st.progress ? st.progress->epochs_done : 0);
}

void run_train(const TrainArgs& a) {
  std::vector<std::string> overrides = a.sets;
  const std::string& out = a.resume.empty() ? a.out : a.resume;
  if (!out.empty()) overrides.push_back("output=" + nlohmann::json(out).dump());
  if (a.seed_given) overrides.push_back("seed=" + std::to_string(a.seed));
  config::ExperimentConfig c = config::load(a.config, overrides);
  apply_thread_option(a.threads);
  std::optional<TrainingSettings> settings;
  if (a.resume.empty()) {
    // Before anything is written: a schedule that cannot be calibrated leaves nothing behind.
    const double reached = calibrate_schedule(c);
    if (!std::isnan(reached)) {
      spdlog::info("schedule end calibrated: {:.6f} (terminal mmd_to_haar {:.4f}, target {})",
                   *c.calibrated_end, reached, c.target_mmd_to_haar);
    }
    settings = make_settings(c);
  }

  using Mode = RunDirectory::Mode;
  RunDirectory dir(c.output, !a.resume.empty() ? Mode::kResume
                             : a.force         ? Mode::kForce
                                               : Mode::kFresh);
  std::optional<Checkpoint> ck;
  if (!a.resume.empty()) {
    const std::string run_file = dir.file("config.json");
    const config::ExperimentConfig run = config::load(run_file);
    check_same_config(c, run, run_file);
    c.calibrated_end = run.calibrated_end;  // the same search on the same chain: not repeated
    settings = make_settings(c);
    ck = read_checkpoint(dir.staging(), *settings);
  } else {
    write_file_atomically(dir.file("config.json"), config::to_json(c).dump(2) + "\n");
  }
  spdlog::info(
      "{} {} QuDDPM: {} data + {} ancilla qubits, L = {}, T = {}, {} epochs, {} threads -> {}",
      ck ? "resuming" : "training", c.model, c.n_data, c.n_ancilla, c.layers, c.steps, c.epochs,
      par::max_threads(), dir.final_dir().string());

  StopSignals stop;
  ProgressLine progress(!a.quiet && stderr_is_terminal(), c.steps, c.epochs,
                        epochs_left(*settings, ck));
  RunObserver observer(dir, c, ck ? &ck->rows : nullptr, progress, stop);
  const TrainingResult r = train(*settings, observer, ck ? &ck->state : nullptr);
  observer.close();
  if (r.stopped) {
    const int sig = stop.signal();
    const std::string where =
        observer.last_checkpoint().empty()
            ? "the checkpoint in " + dir.staging().string() + " is unchanged"
            : "checkpoint written " + observer.last_checkpoint() + " in " + dir.staging().string();
    throw ExitError(128 + sig, std::string("interrupted by ") + signal_name(sig) + ": " + where +
                                   "; resume with: " + resume_command(a, dir.final_dir().string()));
  }
  npy::write_reals(dir.file("params.npy"), r.params);
  npy::write_states(dir.file("generated.npy"), r.generated);
  npy::write_states(dir.file("data.npy"), r.data);
  npy::write_states(dir.file("prior.npy"), r.prior);
  dir.commit();
  spdlog::info("done: results in {}", dir.final_dir().string());
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "train the original or improved QuDDPM from a config");
  auto a = std::make_shared<TrainArgs>();
  cmd->add_option("config", a->config, "experiment config (.json)")->required();
  auto* out = cmd->add_option("--out", a->out, "results directory (overrides the config's output)");
  cmd->add_option("--threads", a->threads, "worker threads (0: all cores)")->check(threads_check());
  auto* seed = cmd->add_option("--seed", a->seed, "random seed (overrides the config's seed)")
                   ->check(unsigned64_check());
  cmd->add_option("--set", a->sets, "override a config key: key.path=value (repeatable)");
  auto* force = cmd->add_flag("--force", a->force,
                              "replace an existing results directory or interrupted run");
  cmd->add_option("--resume", a->resume,
                  "continue the interrupted run DIR (from DIR.partial); give the same config, "
                  "--seed and --set as the run itself")
      ->excludes(out)
      ->excludes(force);
  cmd->add_flag("--quiet", a->quiet, "no live progress line (log lines only)");
  cmd->callback([a, seed] {
    a->seed_given = seed->count() > 0;
    run_train(*a);
  });
}

void apply_thread_option(int threads) {
  if (threads > 0) par::set_max_threads(threads);
}

}  // namespace quddpm::app
