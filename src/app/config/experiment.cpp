#include "app/config/experiment.hpp"

#include <cmath>
#include <filesystem>
#include <memory>
#include <numeric>
#include <stdexcept>

#include "app/formats/folder.hpp"
#include "app/formats/npy.hpp"
#include "core/rng.hpp"
#include "model/diffusion.hpp"
#include "model/ensembles.hpp"
#include "model/trainer.hpp"

namespace quddpm::app {

namespace {

using Sampler = std::function<StateMatrix(int, std::uint64_t)>;

// Target states from a file: `count` distinct rows, chosen by the seed. The file is the
// whole target law, so "fresh" samples are re-draws of its rows.
// `own_copy`: the run folder's target.npy, read relative to its folder without following a link.
Sampler file_sampler(const std::string& path, int n_data, int needed, bool own_copy) {
  const std::filesystem::path p(path);
  auto pool = std::make_shared<StateMatrix>(
      own_copy ? npy::read_states(app::Folder::parent_of(p), p.filename().string())
               : npy::read_states(path));
  if (pool->cols() != static_cast<Eigen::Index>(dim_of(n_data)))
    throw std::invalid_argument(path + ": states have " + std::to_string(pool->cols()) +
                                " amplitudes, but qubits.data = " + std::to_string(n_data) +
                                " needs " + std::to_string(dim_of(n_data)));
  if (pool->rows() < needed)
    throw std::invalid_argument(path + ": holds " + std::to_string(pool->rows()) +
                                " states, training.diffusion_size needs " + std::to_string(needed));
  return [pool, path](int count, std::uint64_t seed) {
    if (count > pool->rows())
      throw std::invalid_argument(path + ": holds " + std::to_string(pool->rows()) +
                                  " states, cannot draw " + std::to_string(count) +
                                  " distinct ones from it");
    return draw_without_replacement(*pool, count, seed);
  };
}

// The config's settings with the target sampler: everything but the schedule.
TrainingSettings unscheduled_settings(const config::ExperimentConfig& c) {
  // The schema filled the model's settings directly; only the target sampler (and, in
  // with_schedule, the schedule) are derived here.
  TrainingSettings s = c.run;
  const int n = c.run.n_data;
  const auto& t = c.target;
  switch (t.kind) {
    case config::TargetKind::Ghz:
      s.sample_target = [n, p = t.ghz](int count, std::uint64_t seed) {
        return make_ghz(n, count, p, seed);
      };
      break;
    case config::TargetKind::Cluster:
      s.sample_target = [n, p = t.cluster](int count, std::uint64_t seed) {
        return make_cluster(n, count, p, seed);
      };
      break;
    case config::TargetKind::Haar:
      s.sample_target = [n](int count, std::uint64_t seed) { return make_haar(n, count, seed); };
      break;
    case config::TargetKind::Tfim:
      s.sample_target = [n, p = t.tfim](int count, std::uint64_t seed) {
        return make_tfim(n, count, p, seed);
      };
      break;
    case config::TargetKind::Circle:
      s.sample_target = [](int count, std::uint64_t seed) { return make_circle(count, seed); };
      break;
    case config::TargetKind::Npy:
      s.sample_target = file_sampler(t.file(), n, std::max(c.run.diffusion_size, c.run.samples),
                                     !t.states_file.empty());
      break;
  }
  return s;
}

// The schedule of the config (a linear end calibrated when "auto") added to the rest.
TrainingSettings with_schedule(TrainingSettings s, const config::ExperimentConfig& c) {
  switch (c.schedule_kind) {
    case config::ScheduleKind::Linear:
      s.schedule = linear_schedule(c.schedule_start, config::schedule_end_of(c), c.steps);
      break;
    case config::ScheduleKind::Quadratic:
      s.schedule = quadratic_schedule(c.schedule_end, c.steps);
      break;
    case config::ScheduleKind::List:
      s.schedule = c.schedule_values;
      break;
  }
  return s;
}

bool needs_calibration(const config::ExperimentConfig& c) {
  return c.schedule_end_auto && !c.calibrated_end;
}

ScheduleCalibration calibrate_with(const TrainingSettings& unscheduled,
                                   const config::ExperimentConfig& c, const Pace& pace) {
  try {
    return calibrate_run_schedule(unscheduled, c.schedule_start, c.steps, c.target_mmd_to_haar,
                                  pace);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(c.source + ": diffusion.schedule.end \"auto\" cannot reach " +
                                "target_mmd_to_haar: " + e.what());
  }
}

}  // namespace

CheckedRun check_run(const std::string& config_file, const std::vector<std::string>& overrides) {
  CheckedRun run{config::load(config_file, overrides), {}};
  run.unscheduled = unscheduled_settings(run.config);  // reads and checks an npy target
  return run;
}

TrainingSettings make_settings(const config::ExperimentConfig& c) {
  return with_schedule(unscheduled_settings(c), c);
}

TrainingSettings make_settings(const CheckedRun& run) {
  return with_schedule(run.unscheduled, run.config);
}

StateMatrix target_ensemble(const config::ExperimentConfig& c) {
  // make_qgan_settings gives the QGAN data_size = diffusion_size and the same sampler and seed.
  return quddpm::target_ensemble(unscheduled_settings(c));
}

QganSettings make_qgan_settings(const config::ExperimentConfig& c) {
  return make_qgan_settings(CheckedRun{c, unscheduled_settings(c)});
}

QganSettings make_qgan_settings(const CheckedRun& run) {
  const config::ExperimentConfig& c = run.config;
  QganSettings s = c.qgan;  // its own keys; the rest is shared with the QuDDPMs' settings
  s.n_data = c.run.n_data;
  s.n_ancilla = c.run.n_ancilla;
  s.generator_layers = c.run.layers;
  s.samples = c.run.samples;
  s.data_size = c.run.diffusion_size;
  s.optimizer = run.unscheduled.optimizer_settings();
  s.init_std = c.run.init_std;
  s.seed = c.run.seed;
  s.precision = c.run.precision;
  s.sample_target = run.unscheduled.sample_target;
  return s;
}

std::optional<ScheduleCalibration> calibrate_schedule(const config::ExperimentConfig& c,
                                                      const Pace& pace) {
  if (!needs_calibration(c)) return std::nullopt;
  return calibrate_with(unscheduled_settings(c), c, pace);
}

std::optional<ScheduleCalibration> calibrate_schedule(const CheckedRun& run, const Pace& pace) {
  if (!needs_calibration(run.config)) return std::nullopt;
  return calibrate_with(run.unscheduled, run.config, pace);
}

}  // namespace quddpm::app
