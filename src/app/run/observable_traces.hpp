// What a finished run (or `generate --observables`) measures on its chains: observables.csv
// (mean and sd of each observable per chain and t) and histograms.csv (the counts of its
// per-state values), and with save_ensembles the backward and test chains' states as .npy
// (docs/model.md, sections 7 and 8).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/config/config.hpp"
#include "app/formats/csv_writer.hpp"
#include "app/formats/folder.hpp"
#include "model/observables.hpp"
#include "model/trainer.hpp"

namespace quddpm::app {

class ObservableTraces {
 public:
  // New files `observables_name` in `dir` and, unless `histogram_dir` is null, `histograms_name`
  // in it; every row starts with the run's columns (model, run id, seed, qubit counts:
  // `run_cells`).
  ObservableTraces(std::vector<CsvWriter::Cell> run_cells, std::vector<Observable> observables,
                   const Folder& dir, const std::string& observables_name,
                   const Folder* histogram_dir, const std::string& histograms_name);
  // The rows of one ensemble: each quantity's mean and sd, and its histogram's bins.
  void add(Chain chain, int t, const StateMatrix& states);
  void close();

 private:
  std::vector<CsvWriter::Cell> row(std::initializer_list<CsvWriter::Cell> rest) const;
  std::vector<CsvWriter::Cell> run_cells_;
  std::vector<Observable> observables_;
  CsvWriter values_;
  std::optional<CsvWriter> histograms_;
};

// The columns every trace starts with, for a run of `c` with seed `seed`.
std::vector<CsvWriter::Cell> run_cells(const config::ExperimentConfig& c, std::uint64_t seed);

// Whether a run of `c` measures or keeps its chains at the end (observables or save_ensembles).
bool records_chains(const config::ExperimentConfig& c);

// Visits the chains of a finished run (model/trainer.hpp visit_chains) and writes what `c` asks
// for into the run folder `dir`: observables.csv and histograms.csv, ensembles/*.npy. Files are
// written whole from the results, so a resumed run writes the same bytes.
void record_chains(const Folder& dir, const config::ExperimentConfig& c, const TrainingSettings& s,
                   const TrainingResult& r);

}  // namespace quddpm::app
