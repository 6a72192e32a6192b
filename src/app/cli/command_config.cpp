// `quddpm config CONFIG [--set k=v]... [--seed S] [--out DIR]`: makes every check `train`
// makes before it writes anything (check_run, the same code: every key, an npy target read;
// only the schedule's calibration is left to `train`) without running anything, and prints one
// JSON object: the run id, the estimated peak memory of a training run and the resolved
// config. Sweep scripts use it to check every run before submitting it and to size --mem.
// `quddpm config --reference` prints the key table of docs/config.md from the schema, and
// `quddpm config --traces` the trace columns' table of docs/model.md section 7. With
// `--target-out FILE` it also writes the config's target ensemble S_0, the data.npy a run of it
// writes (a run folder from git keeps no data.npy: this draws it again).
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/cli/collective.hpp"
#include "app/cli/commands.hpp"
#include "app/config/config.hpp"
#include "app/config/experiment.hpp"
#include "app/formats/npy.hpp"
#include "app/formats/trace_columns.hpp"

namespace quddpm::app {

namespace {

struct ConfigArgs {
  std::string config, out, target_out;
  std::vector<std::string> sets;
  std::uint64_t seed = 0;
  bool seed_given = false, out_given = false, reference = false, traces = false;
};

void run_config(const ConfigArgs& a) {
  if (a.reference) {
    std::cout << config::reference_table();
    return;
  }
  if (a.traces) {
    std::cout << traces_table();
    return;
  }
  if (a.config.empty())
    throw std::invalid_argument("config: expected a config file (or --reference, --traces)");
  if (a.out_given && a.out.empty())
    throw std::invalid_argument("--out: expected a results folder, found an empty string");
  if (!a.target_out.empty()) {
    try {
      check_writable(a.target_out, false, "choose another path");
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("--target-out: ") + e.what());
    }
  }
  // The checks `train` makes before it writes anything (its calibration aside).
  const config::ExperimentConfig c =
      check_run(a.config, config::option_overrides(
                              a.sets, a.out, a.seed_given ? std::optional(a.seed) : std::nullopt))
          .config;
  const nlohmann::json out = {{"run_id", config::run_id(c)},
                              {"estimated_bytes", config::estimated_bytes(c)},
                              {"config", config::to_json(c)}};
  if (!a.target_out.empty()) npy::write_states(a.target_out, target_ensemble(c));
  std::cout << out.dump(2) << "\n";
}

}  // namespace

void add_config_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "config", "check a config and print it resolved, with its run id and estimated memory");
  auto a = std::make_shared<ConfigArgs>();
  cmd->add_option("config", a->config, "experiment config (.json)");
  auto* reference =
      cmd->add_flag("--reference", a->reference, "print the config keys' reference table");
  auto* out = cmd->add_option("--out", a->out, "results directory (overrides the config's output)");
  auto* seed = cmd->add_option("--seed", a->seed, "random seed (overrides the config's seed)")
                   ->check(unsigned64_check());
  cmd->add_option("--set", a->sets, "override a config key: key.path=value (repeatable)");
  auto* traces = cmd->add_flag("--traces", a->traces,
                               "print the table of the CSV traces' columns (docs/model.md)");
  auto* target_out =
      cmd->add_option("--target-out", a->target_out,
                      "also write the config's target ensemble S_0 (the data.npy of its run, "
                      "drawn from its seed) to this file (.npy, complex128)");
  reference->excludes(out)->excludes(seed)->excludes(traces)->excludes(target_out);
  traces->excludes(out)->excludes(seed)->excludes(target_out);
  cmd->callback([a, seed, out] {
    require_one_process("config");
    a->seed_given = seed->count() > 0;
    a->out_given = out->count() > 0;
    run_config(*a);
  });
}

}  // namespace quddpm::app
