// What `train` does with the records training hands out: the four CSV traces, a checkpoint
// after every cycle, every checkpoint.every_seconds inside a cycle and at a stop, the per-cycle log
// line and the live progress line (set-up included), and what a second stop signal says is on disk.
#pragma once

#include <chrono>
#include <initializer_list>
#include <string>

#include "app/config/config.hpp"
#include "app/formats/csv_writer.hpp"
#include "app/formats/trace_columns.hpp"
#include "app/run/checkpoint.hpp"
#include "app/run/progress.hpp"
#include "app/run/run_directory.hpp"
#include "app/run/stop_signal.hpp"
#include "model/trainer.hpp"

namespace quddpm::app {

class RunObserver : public TrainingObserver {
 public:
  // `resume`: the trace rows of the checkpoint being continued (nullptr for a new run).
  RunObserver(RunDirectory& dir, const config::ExperimentConfig& c, const TraceRows* resume,
              ProgressLine& progress, StopSignals& stop);

  void on_diffusion(const DiffusionRecord& r) override;
  void on_epoch(const EpochRecord& r) override;
  void on_cycle(const CycleRecord& r) override;
  void on_state(const TrainingState& s) override;
  void on_progress(const std::string& task, double fraction) override;
  bool stop_requested() override { return stop_.requested(); }
  // checkpoint.every_seconds since the last checkpoint (or the start) have passed.
  bool checkpoint_due() override;

  // Where the last checkpoint stands, in words: "after cycle t=3", "in cycle t=2 after epoch 5".
  const std::string& last_checkpoint() const { return last_checkpoint_; }
  void close();

 private:
  RunDirectory& dir_;
  // A trace row: the run's columns (model, run id, seed, qubits), then `rest`.
  std::vector<CsvWriter::Cell> cells(std::initializer_list<CsvWriter::Cell> rest) const;

  std::string model_, run_id_, seed_;
  long long n_, na_;
  int steps_, epochs_;
  Precision settings_precision_;  // recorded in each checkpoint
  CsvWriter diffusion_, epochs_csv_, layers_csv_, cycles_;
  ProgressLine& progress_;
  StopSignals& stop_;
  std::chrono::steady_clock::time_point start_, last_save_;
  double every_seconds_;
  int cycles_done_ = 0;  // by this process
  std::string last_checkpoint_;
};

}  // namespace quddpm::app
