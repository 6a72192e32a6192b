#include "app/run/run_observer.hpp"

#include <spdlog/spdlog.h>

namespace quddpm::app {

namespace {
const std::vector<std::string> kDiffusionHeader = trace_header("diffusion.csv");
const std::vector<std::string> kEpochsHeader = trace_header("epochs.csv");
const std::vector<std::string> kLayersHeader = trace_header("layers.csv");
const std::vector<std::string> kCyclesHeader = trace_header("cycles.csv");
}  // namespace

RunObserver::RunObserver(RunDirectory& dir, const config::ExperimentConfig& c,
                         const TraceRows* resume, ProgressLine& progress, StopSignals& stop)
    : dir_(dir),
      model_(config::name_of(c.model)),
      run_id_(config::run_id(c)),
      seed_(std::to_string(c.run.seed)),
      n_(c.run.n_data),
      na_(c.run.n_ancilla),
      steps_(c.steps),
      epochs_(c.run.epochs),
      settings_precision_(c.run.precision),
      diffusion_(resume
                     ? CsvWriter(dir.folder(), "diffusion.csv", kDiffusionHeader, resume->diffusion)
                     : CsvWriter(dir.folder(), "diffusion.csv", kDiffusionHeader)),
      epochs_csv_(resume ? CsvWriter(dir.folder(), "epochs.csv", kEpochsHeader, resume->epochs)
                         : CsvWriter(dir.folder(), "epochs.csv", kEpochsHeader)),
      layers_csv_(resume ? CsvWriter(dir.folder(), "layers.csv", kLayersHeader, resume->layers)
                         : CsvWriter(dir.folder(), "layers.csv", kLayersHeader)),
      cycles_(resume ? CsvWriter(dir.folder(), "cycles.csv", kCyclesHeader, resume->cycles)
                     : CsvWriter(dir.folder(), "cycles.csv", kCyclesHeader)),
      progress_(progress),
      stop_(stop),
      start_(std::chrono::steady_clock::now()),
      last_save_(start_),
      every_seconds_(c.checkpoint_every_seconds) {}

bool RunObserver::checkpoint_due() {
  return every_seconds_ > 0 &&
         std::chrono::duration<double>(std::chrono::steady_clock::now() - last_save_).count() >=
             every_seconds_;
}

std::vector<CsvWriter::Cell> RunObserver::cells(std::initializer_list<CsvWriter::Cell> rest) const {
  std::vector<CsvWriter::Cell> row = {model_, run_id_, seed_, n_, na_};
  row.insert(row.end(), rest.begin(), rest.end());
  return row;
}

void RunObserver::on_diffusion(const DiffusionRecord& r) {
  diffusion_.row(cells({(long long)r.t, r.mmd_to_data, r.mmd_to_haar, r.h}));
}

void RunObserver::on_epoch(const EpochRecord& r) {
  epochs_csv_.row(cells({(long long)r.t, (long long)r.epoch, r.loss, r.grad_norm}));
  for (std::size_t l = 0; l < r.layer_grad_norms.size(); ++l)
    layers_csv_.row(
        cells({(long long)r.t, (long long)r.epoch, (long long)l, r.layer_grad_norms[l]}));
  progress_.epoch(r.t, r.epoch, r.loss, r.grad_norm);
}

void RunObserver::on_cycle(const CycleRecord& r) {
  cycles_.row(cells({(long long)r.t, r.mmd_to_forward, r.mmd_to_data, r.wasserstein_to_data,
                     r.kl_to_data, r.mmd_to_haar, r.mean_grad_norm, r.final_loss, r.seconds}));
  progress_.clear();
  if (r.t == steps_) {
    spdlog::info("prior S~_{}: mmd to S_{} {:.4g}, mmd to data {:.4g}, kl {:.4g}", r.t, r.t,
                 r.mmd_to_forward, r.mmd_to_data, r.kl_to_data);
    return;
  }
  ++cycles_done_;
  const int done = steps_ - r.t;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta = elapsed / cycles_done_ * r.t;
  spdlog::info(
      "cycle t={} ({}/{}): loss {:.5g}, mean grad norm {:.4g}, mmd to data {:.4g}, kl {:.4g}, "
      "{:.1f}s, elapsed {:.0f}s, ETA {}",
      r.t, done, steps_, r.final_loss, r.mean_grad_norm, r.mmd_to_data, r.kl_to_data, r.seconds,
      elapsed, format_duration(eta));
}

void RunObserver::on_state(const TrainingState& s) {
  // The traces must hold every row the checkpoint counts, even after a power cut.
  diffusion_.sync();
  epochs_csv_.sync();
  layers_csv_.sync();
  cycles_.sync();
  write_checkpoint(dir_.folder(), s, settings_precision_, run_id_,
                   {{diffusion_.rows(), diffusion_.sha256()},
                    {epochs_csv_.rows(), epochs_csv_.sha256()},
                    {layers_csv_.rows(), layers_csv_.sha256()},
                    {cycles_.rows(), cycles_.sha256()}});
  last_save_ = std::chrono::steady_clock::now();
  dir_.keep_on_failure();
  if (s.progress)
    last_checkpoint_ = "in cycle t=" + std::to_string(s.next_t) + " after epoch " +
                       std::to_string(s.progress->epochs_done) + " of " + std::to_string(epochs_);
  else if (s.next_t == steps_ - 1)
    last_checkpoint_ = "before the first cycle";
  else
    last_checkpoint_ = "after cycle t=" + std::to_string(s.next_t + 1);
  stop_.set_note_for_second_signal(dir_.staging().string() + " keeps the checkpoint " +
                                   last_checkpoint_ + "; resume with: quddpm train --resume " +
                                   dir_.final_dir().string());
}

void RunObserver::on_progress(const std::string& task, double fraction) {
  progress_.task(task, fraction);
}

void RunObserver::close() {
  progress_.clear();
  diffusion_.close();
  epochs_csv_.close();
  layers_csv_.close();
  cycles_.close();
}

}  // namespace quddpm::app
