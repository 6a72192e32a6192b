// `quddpm train CONFIG.json`: the main job. Validates everything before writing anything,
// writes traces as it goes into a staging directory, and moves it into place at the end.
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>
#include <memory>

#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/csv_writer.hpp"
#include "app/experiment.hpp"
#include "app/npy.hpp"
#include "app/run_directory.hpp"
#include "core/parallel.hpp"
#include "model/trainer.hpp"

namespace quddpm::app {

namespace {

struct TrainArgs {
  std::string config;
  std::string out;
  std::vector<std::string> sets;
  long long seed = -1;
  int threads = 0;
  bool force = false;
};

// Writes the three traces and logs progress once per cycle.
class TraceWriter : public TrainingObserver {
 public:
  TraceWriter(const RunDirectory& dir, const config::ExperimentConfig& c)
      : model_(c.model),
        n_(c.n_data),
        na_(c.n_ancilla),
        steps_(c.steps),
        diffusion_(dir.file("diffusion.csv"),
                   {"model", "n_data", "n_ancilla", "t", "mmd_to_data", "mmd_to_haar"}),
        epochs_(dir.file("epochs.csv"),
                {"model", "n_data", "n_ancilla", "t", "epoch", "loss", "grad_norm"}),
        cycles_(dir.file("cycles.csv"),
                {"model", "n_data", "n_ancilla", "t", "mmd_to_forward", "mmd_to_data", "kl_to_data",
                 "mmd_to_haar", "mean_grad_norm", "final_loss", "seconds"}),
        start_(std::chrono::steady_clock::now()) {}

  void on_diffusion(const DiffusionRecord& r) override {
    diffusion_.row({model_, n_, na_, (long long)r.t, r.mmd_to_data, r.mmd_to_haar});
  }
  void on_epoch(const EpochRecord& r) override {
    epochs_.row({model_, n_, na_, (long long)r.t, (long long)r.epoch, r.loss, r.grad_norm});
  }
  void on_cycle(const CycleRecord& r) override {
    cycles_.row({model_, n_, na_, (long long)r.t, r.mmd_to_forward, r.mmd_to_data, r.kl_to_data,
                 r.mmd_to_haar, r.mean_grad_norm, r.final_loss, r.seconds});
    if (r.t == steps_) {
      spdlog::info("prior S~_{}: mmd to S_{} {:.4g}, mmd to data {:.4g}, kl {:.4g}", r.t, r.t,
                   r.mmd_to_forward, r.mmd_to_data, r.kl_to_data);
      return;
    }
    const int done = steps_ - r.t;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double eta = elapsed / done * (steps_ - done);
    spdlog::info(
        "cycle t={} ({}/{}): loss {:.5g}, mean grad norm {:.4g}, mmd to data {:.4g}, kl {:.4g}, "
        "{:.1f}s, elapsed {:.0f}s, ETA {:.0f}s",
        r.t, done, steps_, r.final_loss, r.mean_grad_norm, r.mmd_to_data, r.kl_to_data, r.seconds,
        elapsed, eta);
  }
  void close() {
    diffusion_.close();
    epochs_.close();
    cycles_.close();
  }

 private:
  std::string model_;
  long long n_, na_;
  int steps_;
  CsvWriter diffusion_, epochs_, cycles_;
  std::chrono::steady_clock::time_point start_;
};

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  if (!f.flush()) throw std::runtime_error(path + ": cannot write");
}

void run_train(const TrainArgs& a) {
  std::vector<std::string> overrides = a.sets;
  if (!a.out.empty()) overrides.push_back("output=" + nlohmann::json(a.out).dump());
  if (a.seed >= 0) overrides.push_back("seed=" + std::to_string(a.seed));
  const config::ExperimentConfig c = config::load(a.config, overrides);
  apply_thread_option(a.threads);
  const TrainingSettings settings = make_settings(c);

  RunDirectory dir(c.output, a.force);
  write_text(dir.file("config.json"), config::to_json(c).dump(2) + "\n");
  spdlog::info(
      "training {} QuDDPM: {} data + {} ancilla qubits, L = {}, T = {}, {} epochs, {} "
      "threads -> {}",
      c.model, c.n_data, c.n_ancilla, c.layers, c.steps, c.epochs, par::max_threads(),
      dir.final_dir().string());
  TraceWriter traces(dir, c);
  const TrainingResult r = train(settings, traces);
  traces.close();
  npy::write_reals(dir.file("params.npy"), r.params);
  npy::write_states(dir.file("generated.npy"), r.generated);
  npy::write_states(dir.file("data.npy"), r.data);
  dir.commit();
  spdlog::info("done: results in {}", dir.final_dir().string());
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "train the original or improved QuDDPM from a config");
  auto a = std::make_shared<TrainArgs>();
  cmd->add_option("config", a->config, "experiment config (.json)")->required();
  cmd->add_option("--out", a->out, "results directory (overrides the config's output)");
  cmd->add_option("--threads", a->threads, "worker threads (0: all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", a->seed, "random seed (overrides the config's seed)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--set", a->sets, "override a config key: key.path=value (repeatable)");
  cmd->add_flag("--force", a->force, "replace an existing results directory");
  cmd->callback([a] { run_train(*a); });
}

void apply_thread_option(int threads) {
  if (threads > 0) par::set_max_threads(threads);
}

}  // namespace quddpm::app
