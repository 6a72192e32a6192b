// `quddpm train CONFIG.json`: the main job. Validates everything before writing anything,
// writes traces and a checkpoint per cycle into a staging directory, moves it into place at
// the end, and continues an interrupted run with --resume.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <memory>
#include <optional>
#include <thread>

#include "app/cli/collective.hpp"
#include "app/cli/commands.hpp"
#include "app/config/config.hpp"
#include "app/config/experiment.hpp"
#include "app/formats/atomic_file.hpp"
#include "app/formats/npy.hpp"
#include "app/run/checkpoint.hpp"
#include "app/run/manifest.hpp"
#include "app/run/observable_traces.hpp"
#include "app/run/progress.hpp"
#include "app/run/qgan_run.hpp"
#include "app/run/run_directory.hpp"
#include "app/run/run_inputs.hpp"
#include "app/run/run_observer.hpp"
#include "app/run/stop_signal.hpp"
#include "core/distributed.hpp"
#include "core/kernel_table.hpp"
#include "core/parallel.hpp"
#include "model/diffusion.hpp"
#include "model/trainer.hpp"

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

// The run's folder records its config, seed and overrides: continuing needs nothing else.
std::string resume_command(const std::filesystem::path& dir) {
  return "quddpm train --resume " + shell_word(dir.string());
}

long long epochs_left(const TrainingSettings& s, const std::optional<Checkpoint>& ck) {
  if (!ck) return static_cast<long long>(s.steps()) * s.epochs;
  const auto& st = ck->state;
  return static_cast<long long>(st.next_t + 1) * s.epochs -
         (st.progress ? st.progress->epochs_done : 0);
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
  if (c.learning_rate > 1) {
    spdlog::warn(
        "warning: training.learning_rate = {:g} is above 1: Adam moves every angle by about that "
        "much per epoch, so training is unlikely to converge",
        c.learning_rate);
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
  if (c.diffusion_size > 5000) {
    const double seconds = setup_seconds(c.steps, c.diffusion_size, c.n_data, active_kernels().name,
                                         par::max_threads());
    spdlog::warn(
        "warning: training.diffusion_size = {}: the forward chain's metrics compare {:.3g} pairs "
        "of states, about {:.0f} s before the first cycle",
        c.diffusion_size, setup_pairs(c.steps, c.diffusion_size), seconds);
  }
}

// The files a run reads: its config and, for an npy target, the states.
std::vector<std::string> input_files(const config::ExperimentConfig& c, const std::string& config) {
  std::vector<std::string> in = {config};
  if (c.target.kind == config::TargetKind::Npy) in.push_back(c.target.npy_path);
  return in;
}

// Stop requests and checkpoint times decided together: every process stops (or checkpoints)
// after the same epoch, whichever process received the signal. Alone, it only forwards.
class CollectiveObserver : public TrainingObserver {
 public:
  explicit CollectiveObserver(TrainingObserver& inner) : inner_(inner) {}
  void on_diffusion(const DiffusionRecord& r) override { inner_.on_diffusion(r); }
  void on_epoch(const EpochRecord& r) override { inner_.on_epoch(r); }
  void on_cycle(const CycleRecord& r) override { inner_.on_cycle(r); }
  void on_state(const TrainingState& s) override { inner_.on_state(s); }
  void on_progress(const std::string& task, double f) override { inner_.on_progress(task, f); }
  bool stop_requested() override { return dist::processes().any(inner_.stop_requested()); }
  bool checkpoint_due() override { return dist::processes().any(inner_.checkpoint_due()); }

 private:
  TrainingObserver& inner_;
};

// What the processes other than the first see of training: nothing but the stop signals.
class WorkerObserver : public TrainingObserver {
 public:
  explicit WorkerObserver(const StopSignals& stop) : stop_(stop) {}
  bool stop_requested() override { return stop_.requested(); }

 private:
  const StopSignals& stop_;
};

// What an error during training leaves: the last checkpoint this session wrote, the one it
// resumed from, or (before any) nothing.
std::string still_safe(const RunObserver& observer, const std::optional<Checkpoint>& ck,
                       const std::string& partial, const std::string& resume) {
  if (!observer.last_checkpoint().empty())
    return "the last checkpoint (" + observer.last_checkpoint() + ") is still in force in " +
           partial + ": fix the cause (disk space?) and resume with: " + resume;
  if (ck)
    return "the checkpoint in " + partial +
           " is unchanged: fix the cause and resume with: " + resume;
  return "no checkpoint had been written, so nothing is kept: fix the cause and start again";
}

// Trains from `dir`'s state to the end, writes the results and moves them into place.
void train_to_end(const TrainArgs& a, const config::ExperimentConfig& c, const TrainingSettings& s,
                  RunDirectory& dir, const std::optional<Checkpoint>& ck, StopSignals& stop) {
  spdlog::info(
      "{} {} QuDDPM: {} data + {} ancilla qubits, L = {}, T = {}, {} epochs of {} loss, {} "
      "threads, {} kernels -> {}",
      ck ? "resuming" : "training", config::name_of(c.model), c.n_data, c.n_ancilla, c.layers,
      c.steps, c.epochs, config::name_of(c.loss_kind), par::max_threads(), active_kernels().name,
      dir.final_dir().string());
  const std::string partial = dir.staging().string(), resume = resume_command(dir.final_dir());
  stop.set_note_for_second_signal(
      ck ? partial + " keeps its checkpoint; resume with: " + resume
         : partial + " holds no checkpoint yet (nothing to keep): run the same command again to " +
               "start over, it replaces that folder");
  ProgressLine progress(!a.quiet && stderr_is_terminal(), c.steps, c.epochs, epochs_left(s, ck));
  RunObserver run_observer(dir, c, ck ? &ck->rows : nullptr, progress, stop);
  CollectiveObserver observer(run_observer);
  TrainingResult r;
  try {
    r = train(s, observer, ck ? &ck->state : nullptr);
  } catch (const NonFiniteValue& e) {
    run_observer.close();
    const std::string kept =
        run_observer.last_checkpoint().empty()
            ? "nothing was kept"
            : "the last finite checkpoint (" + run_observer.last_checkpoint() + ") is kept in " +
                  partial + "; resuming repeats the same numbers, so change the config (for " +
                  "example training.learning_rate) and start again";
    throw std::runtime_error(std::string(e.what()) + ": training stopped; " + kept);
  } catch (const SetupInterrupted& e) {
    run_observer.close();
    const int sig = stop.signal();
    // Before the first checkpoint there is nothing to keep: the staging folder goes (the
    // RunDirectory removes it as the error unwinds); a resumed run keeps its checkpoint.
    throw ExitError(
        128 + sig,
        std::string("interrupted by ") + signal_name(sig) + " in " + e.what() +
            (ck ? ": the checkpoint in " + partial + " is unchanged; resume with: " + resume
                : " (before the first checkpoint, nothing to keep): " + partial + " removed"));
  } catch (const std::exception& e) {
    // A write that failed (a full disk, a quota) or any other error: say what is still safe.
    throw std::runtime_error(std::string(e.what()) + "; " +
                             still_safe(run_observer, ck, partial, resume));
  }
  run_observer.close();
  if (r.stopped) {
    const int sig = stop.signal();
    const std::string where = run_observer.last_checkpoint().empty()
                                  ? "the checkpoint in " + dir.staging().string() + " is unchanged"
                                  : "checkpoint written " + run_observer.last_checkpoint() +
                                        " in " + dir.staging().string();
    throw ExitError(128 + sig, std::string("interrupted by ") + signal_name(sig) + ": " + where +
                                   "; resume with: " + resume);
  }
  try {
    if (records_chains(c)) record_chains(dir.folder(), c, s, r);
    npy::write_reals(dir.folder(), "params.npy", r.params);
    npy::write_states(dir.folder(), "generated.npy", r.generated);
    npy::write_states(dir.folder(), "data.npy", r.data);
    npy::write_states(dir.folder(), "prior.npy", r.prior);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + "; the checkpoint after the last cycle is " +
                             "still in force in " + partial +
                             ": free space and finish with: " + resume);
  }
  dir.commit();
  spdlog::info("done: results in {}", dir.final_dir().string());
}

// Records a failed session's end; a manifest that cannot be written then (the disk that just
// filled up) must not hide the error that ended the session.
void finish_quietly(RunManifest& manifest, int status) {
  try {
    manifest.finish(status);
  } catch (const std::exception& e) {
    spdlog::warn("warning: {} (the session's end is not recorded)", e.what());
  }
}

// train_to_end, with the session recorded in the run's manifest.json and its exit status
// however it ends (commit() is train_to_end's last step, so nothing fails after it).
void run_to_end(const TrainArgs& a, const config::ExperimentConfig& c, const TrainingSettings& s,
                RunDirectory& dir, const std::optional<Checkpoint>& ck, const std::string& config,
                StopSignals& stop) {
  RunManifest manifest(dir.folder(), config::run_id(c), input_files(c, config));
  try {
    train_to_end(a, c, s, dir, ck, stop);
    manifest.finish(0);  // committed: the folder has its final name
  } catch (const ExitError& e) {
    finish_quietly(manifest, e.status);
    throw;
  } catch (...) {
    finish_quietly(manifest, 1);
    throw;
  }
}

// calibrate_schedule with the set-up's progress line, stopped within a second by a signal.
double calibrate_with_progress(const TrainArgs& a, CheckedRun& run, StopSignals& stop) {
  const std::string task = "set-up: calibrating the schedule end";
  ProgressLine line(!a.quiet && stderr_is_terminal(), run.config.steps, run.config.epochs, 0);
  try {
    return calibrate_schedule(run, [&](double f) {
      line.task(task, f);
      if (stop.requested()) throw SetupInterrupted(task);
    });
  } catch (const SetupInterrupted&) {
    const int sig = stop.signal();
    throw ExitError(128 + sig, std::string("interrupted by ") + signal_name(sig) + " in " + task +
                                   " (nothing was written)");
  }
}

// A process other than the first (MPI): trains its shard of every epoch with the others and
// writes nothing; it stops when they stop.
void work_to_end(const config::ExperimentConfig& c, const TrainingSettings& s,
                 const std::optional<Checkpoint>& ck, StopSignals& stop) {
  WorkerObserver quiet(stop);
  CollectiveObserver observer(quiet);
  TrainingResult r;
  try {
    r = train(s, observer, ck ? &ck->state : nullptr);
  } catch (const SetupInterrupted&) {
    throw ExitError(128 + (stop.signal() ? stop.signal() : SIGTERM), "");
  }
  if (r.stopped) throw ExitError(128 + (stop.signal() ? stop.signal() : SIGTERM), "");
  // The chains run distributed: measured by the first process, computed by all.
  if (records_chains(c)) visit_chains(s, r, [](Chain, int, const StateMatrix&) {});
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
    require_states_per_process(c.samples, "training.samples");
    if (has_checkpoint(staging))
      ck = read_checkpoint(run_dir, settings, config::run_id(c));
    else
      spdlog::info("{} holds no checkpoint (the run stopped during set-up): starting it over",
                   staging.string());
  });
  if (!first_process()) return work_to_end(c, settings, ck, stop);
  run_to_end(a, c, settings, *dir, ck, config_file, stop);
}

void run_train(const TrainArgs& a) {
  StopSignals stop;  // from here on SIGINT and SIGTERM are requests, acted on within a second
  config::ExperimentConfig c;
  TrainingSettings settings;
  std::optional<QganSettings> qgan;
  double reached = std::nan("");
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
    reached = calibrate_with_progress(a, run, stop);
    if (!qgan) settings = make_settings(run);
    c = std::move(run.config);
    require_states_per_process(c.samples, "training.samples");
  });
  if (resume) return resume_train(a, stop);
  if (!std::isnan(reached)) {
    spdlog::info("schedule end calibrated: {:.6f} (terminal mmd_to_haar {:.4f}, target {})",
                 *c.calibrated_end, reached, c.target_mmd_to_haar);
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
  run_to_end(a, c, settings, *dir, std::nullopt, a.config, stop);
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
