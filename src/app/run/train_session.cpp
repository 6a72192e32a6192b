#include "app/run/train_session.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <stdexcept>

#include "app/formats/npy.hpp"
#include "app/run/exit_error.hpp"
#include "app/run/manifest.hpp"
#include "app/run/observable_traces.hpp"
#include "app/run/progress.hpp"
#include "app/run/run_observer.hpp"
#include "core/distributed.hpp"
#include "core/kernels/kernel_table.hpp"
#include "core/parallel.hpp"

namespace quddpm::app {

namespace {

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

long long epochs_left(const TrainingSettings& s, const std::optional<Checkpoint>& ck) {
  if (!ck) return static_cast<long long>(s.steps()) * s.epochs;
  const auto& st = ck->state;
  return static_cast<long long>(st.next_t + 1) * s.epochs -
         (st.progress ? st.progress->epochs_done : 0);
}

// The run's folder records its config, seed and overrides: continuing needs nothing else.
std::string resume_command(const std::filesystem::path& dir) {
  return "quddpm train --resume " + shell_word(dir.string());
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
void train_to_end(const config::ExperimentConfig& c, const TrainingSettings& s, RunDirectory& dir,
                  const std::optional<Checkpoint>& ck, StopSignals& stop, bool show_progress) {
  spdlog::info(
      "{} {} QuDDPM: {} data + {} ancilla qubits, L = {}, T = {}, {} epochs of {} loss, {} "
      "threads, {} kernels -> {}",
      ck ? "resuming" : "training", config::name_of(c.model), c.run.n_data, c.run.n_ancilla,
      c.run.layers, c.steps, c.run.epochs, config::name_of(c.run.loss.kind), par::max_threads(),
      active_kernels().name, dir.final_dir().string());
  const std::string partial = dir.staging().string(), resume = resume_command(dir.final_dir());
  stop.set_note_for_second_signal(
      ck ? partial + " keeps its checkpoint; resume with: " + resume
         : partial + " holds no checkpoint yet (nothing to keep): run the same command again to " +
               "start over, it replaces that folder");
  ProgressLine progress(show_progress && stderr_is_terminal(), c.steps, c.run.epochs,
                        epochs_left(s, ck));
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

}  // namespace

// The files a run reads: its config and, for an npy target, the states.
std::vector<std::string> input_files(const config::ExperimentConfig& c, const std::string& config) {
  std::vector<std::string> in = {config};
  if (c.target.kind == config::TargetKind::Npy) in.push_back(c.target.npy_path);
  return in;
}

// train_to_end, with the session recorded in the run's manifest.json and its exit status
// however it ends (commit() is train_to_end's last step, so nothing fails after it).
void run_to_end(const config::ExperimentConfig& c, const TrainingSettings& s, RunDirectory& dir,
                const std::optional<Checkpoint>& ck, const std::string& config, StopSignals& stop,
                bool show_progress) {
  RunManifest manifest(dir.folder(), config::run_id(c), input_files(c, config));
  try {
    train_to_end(c, s, dir, ck, stop, show_progress);
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
std::optional<ScheduleCalibration> calibrate_with_progress(const CheckedRun& run, StopSignals& stop,
                                                           bool show_progress) {
  const std::string task = "set-up: calibrating the schedule end";
  ProgressLine line(show_progress && stderr_is_terminal(), run.config.steps, run.config.run.epochs,
                    0);
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

}  // namespace quddpm::app
