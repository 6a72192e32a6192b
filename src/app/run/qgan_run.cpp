#include "app/run/qgan_run.hpp"

#include <spdlog/spdlog.h>

#include "app/formats/csv_writer.hpp"
#include "app/formats/npy.hpp"
#include "app/formats/trace_columns.hpp"
#include "app/run/exit_error.hpp"
#include "app/run/manifest.hpp"
#include "app/run/observable_traces.hpp"
#include "app/run/run_observer.hpp"
#include "core/kernels/kernel_table.hpp"
#include "core/parallel.hpp"

namespace quddpm::app {

namespace {

const std::vector<std::string> kEpochsHeader = trace_header("qgan_epochs.csv");
const std::vector<std::string> kPhasesHeader = trace_header("qgan_phases.csv");

// The game's records to the two traces and the log; stop requests from the signals.
class QganRunObserver : public QganObserver {
 public:
  QganRunObserver(const Folder& dir, const config::ExperimentConfig& c, StopSignals& stop)
      : head_(run_cells(c, c.run.seed)),
        epochs_(dir, "qgan_epochs.csv", kEpochsHeader),
        phases_(dir, "qgan_phases.csv", kPhasesHeader),
        stop_(stop) {}

  void on_epoch(const QganEpochRecord& r) override {
    epochs_.row(cells({(long long)r.cycle, std::string(name_of(r.phase)), (long long)r.epoch,
                       r.loss, r.grad_norm}));
  }
  void on_phase(const QganPhaseRecord& r) override {
    phases_.row(cells({(long long)r.cycle, std::string(name_of(r.phase)), r.p_real_on_data,
                       r.p_real_on_generated, r.mmd_to_data, r.wasserstein_to_data, r.kl_to_data,
                       r.seconds}));
    spdlog::info(
        "cycle {} {:<13}  P_real: data {:.4f}, generated {:.4f}  mmd_to_data {:.5f}  "
        "W {:.5f}  KL {:.4f}  ({:.1f} s)",
        r.cycle, name_of(r.phase), r.p_real_on_data, r.p_real_on_generated, r.mmd_to_data,
        r.wasserstein_to_data, r.kl_to_data, r.seconds);
  }
  bool stop_requested() override { return stop_.requested(); }

  void close() {
    epochs_.close();
    phases_.close();
  }

 private:
  std::vector<CsvWriter::Cell> cells(std::initializer_list<CsvWriter::Cell> rest) const {
    std::vector<CsvWriter::Cell> row = head_;
    row.insert(row.end(), rest.begin(), rest.end());
    return row;
  }

  std::vector<CsvWriter::Cell> head_;  // model, run id, seed, qubit counts
  CsvWriter epochs_, phases_;
  StopSignals& stop_;
};

RealMatrix as_row(const RealVector& v) {
  return v.transpose();
}

void play_to_end(const config::ExperimentConfig& c, const QganSettings& s, RunDirectory& dir,
                 StopSignals& stop) {
  spdlog::info(
      "training QGAN: {} data + {} ancilla qubits, generator L = {}, discriminator L = {}, {} "
      "cycles of {} + {} epochs, {} threads, {} kernels -> {}",
      s.n_data, s.n_ancilla, s.generator_layers, s.discriminator_layers, s.cycles,
      s.discriminator_epochs, s.generator_epochs, par::max_threads(), active_kernels().name,
      dir.final_dir().string());
  const std::string partial = dir.staging().string();
  stop.set_note_for_second_signal(partial + " is removed: a QGAN run keeps no checkpoint");
  QganRunObserver observer(dir.folder(), c, stop);
  const QganResult r = train_qgan(s, observer);
  observer.close();
  if (r.stopped) {
    const int sig = stop.signal();
    throw ExitError(128 + sig, std::string("interrupted by ") + signal_name(sig) +
                                   ": a QGAN run keeps no checkpoint, so " + partial +
                                   " is removed; run the same command again to start over");
  }
  const Folder& out = dir.folder();
  npy::write_reals(out, "generator.npy", as_row(r.generator));
  npy::write_reals(out, "discriminator.npy", as_row(r.discriminator));
  npy::write_states(out, "generated.npy", r.generated);
  npy::write_states(out, "test_generated.npy", r.test_generated);
  npy::write_states(out, "inputs.npy", r.inputs);
  npy::write_states(out, "test_inputs.npy", r.test_inputs);
  npy::write_states(out, "data.npy", r.data);
  dir.commit();
  spdlog::info("done: results in {}", dir.final_dir().string());
}

}  // namespace

void run_qgan_to_end(const config::ExperimentConfig& c, const QganSettings& s, RunDirectory& dir,
                     const std::vector<std::string>& input_files, StopSignals& stop) {
  // A failure removes the staging folder, manifest and all: only the end of a session that
  // committed is recorded (the manifest is held by its descriptor across the rename).
  RunManifest manifest(dir.folder(), config::run_id(c), input_files);
  play_to_end(c, s, dir, stop);
  manifest.finish(0);
}

}  // namespace quddpm::app
