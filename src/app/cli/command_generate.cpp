// `quddpm generate --model DIR --samples N --seed S --out FILE.npy`: fresh samples of a trained
// model (its prior, then its trained circuits) and their metrics against the run's data.
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>

#include "app/cli/collective.hpp"
#include "app/cli/commands.hpp"
#include "app/config/config.hpp"
#include "app/config/experiment.hpp"
#include "app/formats/atomic_file.hpp"
#include "app/formats/npy.hpp"
#include "app/run/observable_traces.hpp"
#include "app/run/run_directory.hpp"
#include "app/run/run_inputs.hpp"
#include "model/memory.hpp"
#include "model/metrics.hpp"
#include "model/qgan.hpp"
#include "model/trainer.hpp"

namespace fs = std::filesystem;

namespace quddpm::app {

namespace {

struct GenerateArgs {
  std::string model, out, observables, histograms;
  int samples = 0, threads = 0;
  std::uint64_t seed = 0;
  bool force = false;
  std::optional<OutcomeRule> outcomes;  // --outcomes: overrides the run's training.outcomes
};

// True when `p` is `dir` or lies under it (both canonical).
bool is_within(const fs::path& p, const fs::path& dir) {
  auto d = dir.begin(), q = p.begin();
  for (; d != dir.end(); ++d, ++q)
    if (q == p.end() || *q != *d) return false;
  return true;
}

// A run folder holds what `train` wrote there (and `train --force` replaces it whole), so the
// output never goes into the model's own folder, whichever spelling of it (`m/./params.npy`,
// a symbolic link to `m`) it names, with or without --force.
void check_outside_model(const std::string& out, const std::string& model) {
  const fs::path parent =
      fs::path(out).parent_path().empty() ? fs::path(".") : fs::path(out).parent_path();
  std::error_code ec_out, ec_model;
  const fs::path where = fs::canonical(parent, ec_out), dir = fs::canonical(model, ec_model);
  if (ec_out || ec_model || !is_within(where, dir)) return;  // a missing folder: checked next
  throw std::invalid_argument("--out: '" + out + "' is inside the model folder '" + model +
                              "' (generate never writes into a run folder, whose files it "
                              "reads; choose another path)");
}

// Refuses a sample count whose generation would not fit (model/memory.hpp).
void check_memory(const config::ExperimentConfig& c, int samples) {
  const double bytes =
      static_cast<double>(generation_peak_bytes(c.run.n_data, c.run.n_ancilla, samples));
  const double limit = static_cast<double>(config::memory_limit_bytes());
  if (bytes > limit)
    throw std::invalid_argument(
        "--samples: " + std::to_string(samples) + " states of " + std::to_string(c.run.n_data) +
        " + " + std::to_string(c.run.n_ancilla) + " qubits need about " +
        std::to_string(bytes / (1 << 30)) + " GiB, more than the limit of " +
        std::to_string(limit / (1 << 30)) + " GiB (80% of memory)");
}

// A QuDDPM's fresh chain: its prior through the trained circuits (measured as train measures
// its backward chain when --observables is given; the histograms to --histograms, or nowhere).
StateMatrix quddpm_samples(const GenerateArgs& a, config::ExperimentConfig& c,
                           const Folder& model) {
  // A no-op for runs of train, whose config.json holds the calibrated end already.
  if (const auto calibration = calibrate_schedule(c)) c.calibrated_end = calibration->end;
  TrainingSettings s = make_settings(c);
  s.seed = a.seed;
  s.samples = a.samples;
  if (a.outcomes) s.outcomes = *a.outcomes;
  const std::string params_file = model.shown("params.npy");
  const RealMatrix params = npy::read_reals(model, "params.npy");
  if (params.rows() != s.steps() || params.cols() != s.num_params())
    throw std::invalid_argument(params_file + ": expected " + std::to_string(s.steps()) + " x " +
                                std::to_string(s.num_params()) +
                                " parameters (diffusion.steps x 2 (n + na) L of its config), "
                                "found " +
                                std::to_string(params.rows()) + " x " +
                                std::to_string(params.cols()));
  if (a.observables.empty()) return generate_samples(s, params);
  const fs::path obs(a.observables), hist(a.histograms);
  const Folder obs_dir = Folder::parent_of(obs);
  std::optional<Folder> hist_dir;
  if (!a.histograms.empty()) hist_dir = Folder::parent_of(hist);
  std::optional<ObservableTraces> traces;
  traces.emplace(run_cells(c, a.seed), c.observables, obs_dir, obs.filename().string(),
                 hist_dir ? &*hist_dir : nullptr, hist.filename().string());
  StateMatrix samples =
      backward_chain(s, params, sample_prior(s), kTagPropagate,
                     [&](int t, const StateMatrix& x) { traces->add(Chain::Backward, t, x); });
  traces->close();
  return samples;
}

// A QGAN run's generator on fresh Haar inputs: with the training seed and sample count, the
// run's generated.npy.
StateMatrix qgan_samples(const GenerateArgs& a, const config::ExperimentConfig& c,
                         const Folder& model) {
  QganSettings s = make_qgan_settings(c);
  s.seed = a.seed;
  s.samples = a.samples;
  const std::string file = model.shown("generator.npy");
  const RealMatrix theta = npy::read_reals(model, "generator.npy");
  const HeaCircuit generator(s.n_data, s.n_ancilla, s.generator_layers);
  if (theta.rows() != 1 || theta.cols() != generator.num_params())
    throw std::invalid_argument(file + ": expected 1 x " + std::to_string(generator.num_params()) +
                                " parameters (2 (n + na) L of its config), found " +
                                std::to_string(theta.rows()) + " x " +
                                std::to_string(theta.cols()));
  return qgan_generate(s, theta.row(0).transpose(), false);
}

void run_generate(const GenerateArgs& a) {
  std::error_code ec;
  if (!fs::is_directory(a.model, ec)) {
    // Say why the folder cannot be read when the system says so (a name too long, no
    // permission), rather than calling it not a results directory.
    if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory)
      throw std::invalid_argument("--model: '" + a.model + "': " + ec.message());
    throw std::invalid_argument("--model: '" + a.model + "' is not a results directory");
  }
  for (const std::string* file : {&a.out, &a.observables, &a.histograms}) {
    if (file->empty()) continue;
    check_outside_model(*file, a.model);
    check_writable(*file, a.force, "use --force to replace it, or choose another --out");
  }
  if (!a.histograms.empty() && a.observables.empty())
    throw std::invalid_argument("--histograms: needs --observables");
  if (!a.observables.empty() &&
      (a.observables == a.out || (!a.histograms.empty() && a.histograms == a.out) ||
       a.histograms == a.observables))
    throw std::invalid_argument("--observables: --out, --observables and --histograms must be " +
                                std::string("three different files"));
  const fs::path dir(a.model);
  if (!fs::exists(dir / "params.npy", ec) && !fs::exists(dir / "generator.npy", ec) &&
      has_checkpoint(dir)) {
    throw std::invalid_argument("--model: '" + a.model +
                                "' is an interrupted run, not a trained "
                                "model (finish it first: quddpm train --resume " +
                                run_folder(a.model) + ")");
  }
  // The model's files are read through its folder's descriptor, never through a link inside it.
  const Folder model = Folder::open(dir, Links::kFollow);
  config::ExperimentConfig c = load_run_config(model);
  use_run_target(c, model);  // the run's own copy of an npy target
  check_run_id(c, model);    // the config the parameters were trained with
  if (!a.observables.empty() && c.observables.empty())
    throw std::invalid_argument("--observables: the model's config (" + model.shown("config.json") +
                                ") lists no 'observables' to measure" +
                                (c.model == ModelKind::Qgan ? " (a QGAN run measures none)" : ""));
  if (a.outcomes && c.model == ModelKind::Qgan)
    throw std::invalid_argument(
        "--outcomes: only for QuDDPM models (a QGAN's generator samples "
        "its outcomes by the Born rule)");
  check_memory(c, a.samples);
  apply_thread_option(a.threads);
  const std::string data_file = model.shown("data.npy");
  // A run folder from git keeps no data.npy (the .gitignore of results/): drawn again here, as
  // `train` drew it, from the config's target and seed.
  const bool data_kept = model.has("data.npy");
  if (!data_kept)
    spdlog::info("{}: not in the run folder; its target ensemble is drawn again from {}", data_file,
                 model.shown("config.json"));
  const StateMatrix data = data_kept ? npy::read_states(model, "data.npy") : target_ensemble(c);
  if (data.cols() != static_cast<Eigen::Index>(dim_of(c.run.n_data)) || data.rows() < 2)
    throw std::invalid_argument(data_file + ": expected at least 2 states of " +
                                std::to_string(c.run.n_data) + " qubits (its config), found " +
                                std::to_string(data.rows()) + " x " + std::to_string(data.cols()));
  const StateMatrix samples =
      c.model == ModelKind::Qgan ? qgan_samples(a, c, model) : quddpm_samples(a, c, model);
  npy::write_states(a.out, samples);
  nlohmann::json out;
  out["samples"] = a.samples;
  out["seed"] = a.seed;
  if (c.model != ModelKind::Qgan)
    out["outcomes"] = config::name_of(a.outcomes ? *a.outcomes : c.run.outcomes);
  out["mmd"] = mmd(samples, data);
  out["kl"] = kl_divergence(data, samples);
  // The names `metrics` prints for the same quantities (model = the samples, target = data).
  out["mmd_to_haar_model"] = mmd_to_haar(samples);
  out["mmd_to_haar_target"] = mmd_to_haar(data);
  std::cout << out.dump() << "\n";
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "generate", "fresh samples from a trained model, with their metrics against its data");
  auto a = std::make_shared<GenerateArgs>();
  cmd->add_option("--model", a->model, "results directory of a finished `train` run")->required();
  cmd->add_option("--samples", a->samples, "number of states to generate (>= 2)")
      ->required()
      ->check(CLI::Range(2, std::numeric_limits<int>::max()));
  cmd->add_option("--seed", a->seed, "random seed of the prior and the measurement outcomes")
      ->required()
      ->check(unsigned64_check());
  cmd->add_option("--out", a->out, "output file (.npy, complex128, N x 2^n)")->required();
  cmd->add_option("--threads", a->threads, "worker threads (0: all cores)")->check(threads_check());
  cmd->add_option("--observables", a->observables,
                  "also write the observables of the model's config, measured on the generated "
                  "chain S~_T..S~_0, to this CSV (the columns of observables.csv)");
  cmd->add_option("--histograms", a->histograms,
                  "with --observables: their histograms, to this CSV (those of histograms.csv)");
  add_outcomes_option(cmd, &a->outcomes,
                      "the measurement's outcome rule, `sampled` (Born rule) or `quenched`, "
                      "instead of the run's training.outcomes (QuDDPM models only; docs/model.md "
                      "section 4)");
  cmd->add_flag("--force", a->force, "replace existing output files");
  cmd->callback([a] {
    require_one_process("generate");
    run_generate(*a);
  });
}

}  // namespace quddpm::app
