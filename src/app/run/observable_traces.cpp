#include "app/run/observable_traces.hpp"

#include "app/formats/npy.hpp"
#include "app/formats/trace_columns.hpp"

namespace quddpm::app {

ObservableTraces::ObservableTraces(std::vector<CsvWriter::Cell> run_cells,
                                   std::vector<Observable> observables, const Folder& dir,
                                   const std::string& observables_name, const Folder* histogram_dir,
                                   const std::string& histograms_name)
    : run_cells_(std::move(run_cells)),
      observables_(std::move(observables)),
      values_(dir, observables_name, trace_header("observables.csv")) {
  if (histogram_dir != nullptr)
    histograms_.emplace(*histogram_dir, histograms_name, trace_header("histograms.csv"));
}

std::vector<CsvWriter::Cell> ObservableTraces::row(
    std::initializer_list<CsvWriter::Cell> rest) const {
  std::vector<CsvWriter::Cell> r = run_cells_;
  r.insert(r.end(), rest.begin(), rest.end());
  return r;
}

void ObservableTraces::add(Chain chain, int t, const StateMatrix& states) {
  const std::string chain_name = name_of(chain);
  for (const ObservableValues& v : measure(observables_, states)) {
    const MeanSd m = mean_sd(v.values);
    values_.row(row({(long long)t, chain_name, v.name, m.mean, m.sd}));
    if (!histograms_) continue;
    const std::vector<long long> counts = histogram(v.values, v.lo, v.hi, v.bins);
    const double width = (v.hi - v.lo) / v.bins;
    for (int k = 0; k < v.bins; ++k)
      histograms_->row(row({(long long)t, chain_name, v.name, (long long)k, v.lo + k * width,
                            k + 1 == v.bins ? v.hi : v.lo + (k + 1) * width,
                            counts[static_cast<std::size_t>(k)]}));
  }
}

void ObservableTraces::close() {
  values_.close();
  if (histograms_) histograms_->close();
}

std::vector<CsvWriter::Cell> run_cells(const config::ExperimentConfig& c, std::uint64_t seed) {
  return {config::name_of(c.model), config::run_id(c), std::to_string(seed),
          (long long)c.run.n_data, (long long)c.run.n_ancilla};
}

bool records_chains(const config::ExperimentConfig& c) {
  return !c.observables.empty() || c.save_ensembles;
}

void record_chains(const Folder& dir, const config::ExperimentConfig& c, const TrainingSettings& s,
                   const TrainingResult& r) {
  std::optional<ObservableTraces> traces;
  if (!c.observables.empty())
    traces.emplace(run_cells(c, c.run.seed), c.observables, dir, "observables.csv", &dir,
                   "histograms.csv");
  std::optional<Folder> ensembles;
  if (c.save_ensembles) ensembles = dir.child("ensembles", true);
  visit_chains(s, r, [&](Chain chain, int t, const StateMatrix& states) {
    if (traces) traces->add(chain, t, states);
    if (ensembles && chain != Chain::Forward)
      npy::write_states(*ensembles, std::string(name_of(chain)) + "_t" + std::to_string(t) + ".npy",
                        states);
  });
  if (traces) traces->close();
}

}  // namespace quddpm::app
