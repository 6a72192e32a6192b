// `quddpm train CONFIG.json`: the main job's command line. Validates everything before writing
// anything, calibrates, creates the run folder (or reopens one for --resume, checking that the
// config agrees with the run's) and hands the session to run/train_session.cpp, which writes
// the traces and checkpoints and moves the results into place at the end.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <memory>
#include <optional>
#include <thread>

#include "app/cli/collective.hpp"
#include "app/cli/commands.hpp"
#include "app/config/config.hpp"
#include "app/config/experiment.hpp"
#include "app/run/qgan_run.hpp"
#include "app/run/run_directory.hpp"
#include "app/run/run_inputs.hpp"
#include "app/run/stop_signal.hpp"
#include "app/run/train_session.hpp"
#include "core/distributed.hpp"
#include "core/kernels/kernel_table.hpp"
#include "core/parallel.hpp"
#include "model/diffusion.hpp"

namespace quddpm::app {

namespace {

namespace fs = std::filesystem;

struct TrainArgs {
  std::string config;
  std::string out;
  std::string resume;
  std::vector<std::string> sets;
  std::uint64_t seed = 0;
  bool seed_given = false;
  bool out_given = false;
  bool resume_given = false;
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
  // Where to write and when to save may change between sessions; the calibrated schedule end
  // is the run's result, not part of what the user asked for.
  const nlohmann::json a = config::experiment_json(given), b = config::experiment_json(run);
  const std::string key = first_difference(a, b);
  if (key.empty()) return;
  throw std::invalid_argument(given.source + ": '" + key + "' is " + value_at(a, key) +
                              ", but the interrupted run used " + value_at(b, key) + " (" +
                              run_file + "); resume with the same config, --seed and --set");
}

std::vector<std::string> overrides_of(const TrainArgs& a, const std::string& out) {
  return config::option_overrides(a.sets, out, a.seed_given ? std::optional(a.seed) : std::nullopt);
}

// The pairs of states whose overlaps the forward chain's metrics take: at each of the T + 1
// steps, S_t's own (N^2 / 2) and S_t against S_0 (N^2), and S_0's own once.
double setup_pairs(int steps, int diffusion_size) {
  const double n = diffusion_size;
  return (steps + 1) * 1.5 * n * n + 0.5 * n * n;
}

// Their time: nanoseconds per pair and amplitude on one thread for each kernel table, measured
// on an AMD EPYC (Zen 4, 3.65 GHz) for the official TFIM set-up (n = 4, T = 30, 5,001 and
// 10,000 states: results/bench/setup.md), and 95% of a core per further thread (1.90-1.96x on
// two idle cores with either table).
double setup_seconds(int steps, int diffusion_size, int n_data, const std::string& kernels,
                     int threads) {
  const double ns = kernels == "avx512"     ? 0.16
                    : kernels == "avx2"     ? 0.18
                    : kernels == "sse4"     ? 0.42
                    : kernels == "portable" ? 1.05
                                            : 2.0;
  const double speedup = threads > 1 ? 0.95 * threads : 1.0;
  return setup_pairs(steps, diffusion_size) * std::ldexp(1.0, n_data) * ns * 1e-9 / speedup;
}

// One line per suspicious but legal value: the run goes on.
void warn_about(const config::ExperimentConfig& c) {
  if (c.run.learning_rate > 1) {
    spdlog::warn(
        "warning: training.learning_rate = {:g} is above 1: Adam moves every angle by about that "
        "much per epoch, so training is unlikely to converge",
        c.run.learning_rate);
  }
  if (c.model == ModelKind::Qgan) return;  // no forward chain
  if (!c.schedule_end_auto && c.schedule_end < c.schedule_start && c.steps > 1) {
    spdlog::warn(
        "warning: diffusion.schedule.end ({}) is below diffusion.schedule.start ({}): the forward "
        "diffusion weakens along the chain",
        c.schedule_end, c.schedule_start);
  }
  const double top = std::max(c.schedule_start, c.schedule_end_auto ? 0.0 : c.schedule_end);
  if (top > kMaxScheduleEnd) {
    spdlog::warn(
        "warning: diffusion.schedule reaches {} > 2 pi: the step angles h U[-pi/8, pi/8] then "
        "wrap around, and a stronger schedule scrambles no more",
        top);
  }
  // The forward chain's metrics are O(N_diff^2 2^n) per step: say so when that takes a while.
  if (c.run.diffusion_size > 5000) {
    const double seconds = setup_seconds(c.steps, c.run.diffusion_size, c.run.n_data,
                                         active_kernels().name, par::max_threads());
    spdlog::warn(
        "warning: training.diffusion_size = {}: the forward chain's metrics compare {:.3g} pairs "
        "of states, about {:.0f} s before the first cycle",
        c.run.diffusion_size, setup_pairs(c.steps, c.run.diffusion_size), seconds);
  }
}

// --resume DIR: the run's own config.json gives everything; a CONFIG, --seed or --set given
// explicitly must agree with it. Under MPI every process reads the run's files (the first
// also checks and locks the folder).
void resume_train(const TrainArgs& a, StopSignals& stop) {
  const std::string folder = run_folder(a.resume);
  std::optional<RunDirectory> dir;
  collectively([&] {
    if (first_process()) dir.emplace(folder, RunDirectory::Mode::kResume);  // checks and locks
  });
  const fs::path staging = staging_folder(folder);
  config::ExperimentConfig c;
  TrainingSettings settings;
  std::optional<Checkpoint> ck;
  std::string config_file;
  collectively([&] {
    // Every file of the run is read through the folder's descriptor, never through a link.
    const Folder run_dir = dir ? dir->folder() : Folder::open(staging, Links::kRefuse);
    const std::string run_file = run_dir.shown("config.json");
    const config::ExperimentConfig run = load_run_config(run_dir);
    if (run.model == ModelKind::Qgan)
      throw std::invalid_argument("--resume: " + folder + " is a QGAN run, which keeps no " +
                                  "checkpoint: start it again with `quddpm train CONFIG --force`");
    config_file = a.config.empty() ? run_file : a.config;
    c = config::load(config_file, overrides_of(a, folder));
    check_same_config(c, run, run_file);
    use_run_target(c, run_dir);  // the data the run started with, whatever the path holds now
    c.calibrated_end = run.calibrated_end;  // the same search on the same chain: not repeated
    warn_about(c);
    settings = make_settings(c);
    require_states_per_process(c.run.samples, "training.samples");
    if (has_checkpoint(staging))
      ck = read_checkpoint(run_dir, settings, config::run_id(c));
    else
      spdlog::info("{} holds no checkpoint (the run stopped during set-up): starting it over",
                   staging.string());
  });
  if (!first_process()) return work_to_end(c, settings, ck, stop);
  run_to_end(c, settings, *dir, ck, config_file, stop, !a.quiet);
}

void run_train(const TrainArgs& a) {
  StopSignals stop;  // from here on SIGINT and SIGTERM are requests, acted on within a second
  config::ExperimentConfig c;
  TrainingSettings settings;
  std::optional<QganSettings> qgan;
  std::optional<ScheduleCalibration> calibration;
  bool resume = false;
  collectively([&] {
    if (a.out_given && a.out.empty())
      throw std::invalid_argument("--out: expected a results folder, found an empty string");
    if (a.resume_given && a.resume.empty())
      throw std::invalid_argument(
          "--resume: expected the folder of an interrupted run, found an empty string");
    apply_thread_option(a.threads);
    resume = !a.resume.empty();
    if (resume) return;
    if (a.config.empty())
      throw std::invalid_argument(
          "CONFIG: the experiment config (.json) is required (or --resume DIR to continue an "
          "interrupted run)");
    // Before anything is written: the checks `quddpm config` makes, the output folder, then the
    // calibration, so that neither a bad input nor a schedule that cannot be calibrated leaves
    // anything behind (the calibration can take minutes).
    CheckedRun run = check_run(a.config, overrides_of(a, a.out));
    if (run.config.model == ModelKind::Qgan) {
      if (dist::processes().size() > 1)
        throw std::invalid_argument(a.config +
                                    ": model \"qgan\" runs in one process (its "
                                    "circuits are small): run it without mpirun");
      qgan.emplace(make_qgan_settings(run));
    }
    warn_about(run.config);
    if (first_process())
      RunDirectory::check(run.config.output,
                          a.force ? RunDirectory::Mode::kForce : RunDirectory::Mode::kFresh);
    calibration = calibrate_with_progress(run, stop, !a.quiet);
    if (calibration) run.config.calibrated_end = calibration->end;  // config.json records it
    if (!qgan) settings = make_settings(run);
    c = std::move(run.config);
    require_states_per_process(c.run.samples, "training.samples");
  });
  if (resume) return resume_train(a, stop);
  if (calibration) {
    spdlog::info("schedule end calibrated: {:.6f} (terminal mmd_to_haar {:.4f}, target {})",
                 calibration->end, calibration->mmd_to_haar, c.target_mmd_to_haar);
  }
  std::optional<RunDirectory> dir;
  collectively([&] {
    if (!first_process()) return;
    dir.emplace(c.output, a.force ? RunDirectory::Mode::kForce : RunDirectory::Mode::kFresh);
    dir->folder().write_atomically("config.json", config::to_json(c).dump(2) + "\n");
    keep_target_copy(c, dir->folder());
  });
  if (!first_process()) return work_to_end(c, settings, std::nullopt, stop);
  if (qgan) return run_qgan_to_end(c, *qgan, *dir, input_files(c, a.config), stop);
  run_to_end(c, settings, *dir, std::nullopt, a.config, stop, !a.quiet);
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "train the original or improved QuDDPM from a config");
  auto a = std::make_shared<TrainArgs>();
  cmd->add_option("config", a->config,
                  "experiment config (.json); with --resume, the run's own config is used");
  auto* out = cmd->add_option("--out", a->out, "results directory (overrides the config's output)");
  cmd->add_option("--threads", a->threads, "worker threads (0: all cores)")->check(threads_check());
  auto* seed = cmd->add_option("--seed", a->seed, "random seed (overrides the config's seed)")
                   ->check(unsigned64_check());
  cmd->add_option("--set", a->sets, "override a config key: key.path=value (repeatable)");
  auto* force = cmd->add_flag("--force", a->force,
                              "replace an existing results directory or interrupted run");
  auto* resume = cmd->add_option("--resume", a->resume,
                                 "continue the interrupted run DIR (or DIR.partial) with its own "
                                 "config, seed and overrides")
                     ->excludes(out)
                     ->excludes(force);
  cmd->add_flag("--quiet", a->quiet, "no live progress line (log lines only)");
  cmd->callback([a, seed, out, resume] {
    a->seed_given = seed->count() > 0;
    a->out_given = out->count() > 0;
    a->resume_given = resume->count() > 0;
    run_train(*a);
  });
}

void apply_thread_option(int threads) {
  if (threads <= 0) return;
  const unsigned cores = std::thread::hardware_concurrency();
  if (cores > 0 && static_cast<unsigned>(threads) > cores) {
    spdlog::warn(
        "warning: --threads {} is more than the {} cores here: the extra threads only compete for "
        "them",
        threads, cores);
  }
  par::set_max_threads(threads);
}

}  // namespace quddpm::app
