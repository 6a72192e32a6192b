// Experiment configuration: a JSON file -> a validated, fully resolved ExperimentConfig.
//
// Every key is described once, in the schema table of app/config/config_schema.cpp: its type,
// default, range and meaning. Parsing, defaults, range checks, the resolved config.json, equality
// and the key table of docs/config.md (`quddpm config --reference`) all come from that table.
//
// Rules the table does not show:
//   - JSON is parsed strictly: no comments, no duplicate keys; integers must be written as
//     integers (2, not 2.0); numbers must be finite.
//   - Unknown keys are errors (with a "did you mean" suggestion when one is close).
//   - A kind-tagged object (target, prior, circuit.init, diffusion.schedule, loss) accepts only
//     "kind", the keys of its kind and the keys every kind shares; missing values take the
//     defaults.
//   - "model" picks a preset (model/presets.hpp) for the keys where the two models differ.
//
// Overrides ("--set key.path=value"): the value is parsed as JSON when it parses, else taken as
// a string ("qubits.data=7", "target.kind=cluster", "output=runs/x"). Missing intermediate
// objects are created; "key=null" removes the key so its default applies. Setting a "kind" to a
// different kind drops the keys that belong only to other kinds, so the new kind's defaults
// apply. Overrides apply in order, before validation.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/ensembles.hpp"
#include "model/limits.hpp"
#include "model/observables.hpp"
#include "model/precision.hpp"
#include "model/presets.hpp"
#include "model/qgan.hpp"
#include "model/training_settings.hpp"

namespace quddpm::config {

// checkpoint.every_seconds when not given.
inline constexpr double kDefaultCheckpointSeconds = 300;

// The data ensemble: one of the model's (model/ensembles.hpp) or states read from a file.
enum class TargetKind { Ghz, Cluster, Haar, Npy, Tfim, Circle };
// The forward schedule's shape: linear from start to end, quadratic up to end, or listed.
enum class ScheduleKind { Linear, Quadratic, List };

struct TargetSpec {
  TargetKind kind = TargetKind::Ghz;
  GhzParams ghz;          // meaningful for kind "ghz" (defaults otherwise)
  ClusterParams cluster;  // meaningful for kind "cluster"
  TfimParams tfim;        // meaningful for kind "tfim"
  std::string npy_path;   // kind "npy": absolute path; empty otherwise
  // Where the npy states are read from when not npy_path: a run's own copy
  // (app/run/run_inputs.hpp). Not a config key: not in to_json, and the run id hashes the content
  // either way.
  std::string states_file;
  const std::string& file() const { return states_file.empty() ? npy_path : states_file; }
};

struct ExperimentConfig {
  std::string source;  // file the config came from (for messages); not part of to_json

  ModelKind model = ModelKind::Original;
  // The model's settings, in the model's own vocabulary (model/training_settings.hpp): the schema
  // fills them directly. Their schedule and target sampler are not keys: make_settings
  // (app/config/experiment.hpp) derives them from the keys below.
  TrainingSettings run;
  std::string output;

  TargetSpec target;

  int steps = 0;
  ScheduleKind schedule_kind = ScheduleKind::Linear;
  double schedule_start = 0;             // linear
  double schedule_end = 0;               // linear when !schedule_end_auto; quadratic: h_T
  bool schedule_end_auto = false;        // end "auto": calibrated to target_mmd_to_haar
  double target_mmd_to_haar = 0;         // when schedule_end_auto
  std::optional<double> calibrated_end;  // when schedule_end_auto: the search's result, once known
  std::vector<double> schedule_values;   // list: h_1..h_T

  // Measured on every chain at every t once training ends (model/observables.hpp).
  std::vector<Observable> observables;
  bool save_ensembles = false;  // S~_t of every t kept as .npy in the run folder

  // model qgan (model/qgan.hpp): the schema fills the QGAN's own keys (the discriminator's
  // layers, the game's cycles, each player's epochs per cycle) here; what it shares with the
  // QuDDPMs (qubits, layers, samples, optimizer, seed...) comes from `run` (make_qgan_settings).
  QganSettings qgan;

  // Seconds between checkpoints inside a cycle (besides the one after every cycle); 0: none.
  // Operational, not part of the experiment: left out of run_id, and may differ on --resume.
  double checkpoint_every_seconds = kDefaultCheckpointSeconds;
};

// Key by key, exact (doubles included): what the round trip resolve(to_json(c)) preserves.
// `source` and values of keys the config's kinds leave unused are not compared.
bool operator==(const ExperimentConfig& a, const ExperimentConfig& b);
inline bool operator!=(const ExperimentConfig& a, const ExperimentConfig& b) {
  return !(a == b);
}

// Every failure throws this; what() is ONE line: "<file>: <key path and what was expected>".
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The overrides the command-line options make, in the order they apply: every --set, then
// --out as `output` (unless empty), then --seed as `seed` (when given).
std::vector<std::string> option_overrides(std::vector<std::string> sets, const std::string& out,
                                          std::optional<std::uint64_t> seed);

// Reads a file, applies "key.path=value" overrides in order, resolves and validates.
ExperimentConfig load(const std::string& path, const std::vector<std::string>& overrides = {});

// Same, from the text of a config file; `path` names it in messages and locates relative paths.
ExperimentConfig load_text(const std::string& text, const std::string& path,
                           const std::vector<std::string>& overrides = {});

// Same, from an in-memory object; `source` names it in messages, gives the default output
// ("runs/" + its stem) and the directory relative npy paths start from.
ExperimentConfig resolve(nlohmann::json j, const std::string& source);

// The resolved config, every default filled in (only the keys of each object's kind);
// resolve(to_json(c), c.source) == c.
nlohmann::json to_json(const ExperimentConfig& c);

// The config as the experiment it describes: to_json without the output folder, the checkpoint
// interval and the calibrated schedule end (where to write, when to save, and what the run
// found are not what it computes). run_id hashes it; a resume must match it.
nlohmann::json experiment_json(const ExperimentConfig& c);

// The run id of the CSVs and the manifest: the first 12 hex digits of the SHA-256 of the
// resolved config without its output folder, checkpoint interval and calibrated schedule end, so
// the same experiment (config and seed) has the same id wherever it is written, and an interrupted
// run keeps its id when resumed. Keys added after runs were published (circuit.init.warm_start,
// training.input, training.outcomes, training.optimizer, training.decay_every,
// training.decay_factor, loss,
// observables, save_ensembles) are left out while at their defaults, so those runs keep their ids.
// An npy target enters by the SHA-256 of its file (read here) as well as by its path.
std::string run_id(const ExperimentConfig& c);
// The id an earlier quddpm gave the same config: an npy target by its path only.
std::string run_id_by_path(const ExperimentConfig& c);

// The name the config gives a value of ModelKind, Precision, TargetKind, ScheduleKind,
// PriorKind, InitKind, TrainingInput, TfimBoundary, OptimizerKind, LossKind or OutcomeRule (also in
// logs, checkpoints and the CSVs' model column).
template <class E>
const char* name_of(E value);
// The values of an enum the config names by their names, for command-line options that take
// them (--precision: Precision; generate --outcomes: OutcomeRule).
template <class E>
std::map<std::string, E> values_by_name();

// The key table of docs/config.md, from the schema: one Markdown row per key.
std::string reference_table();

// The schedule end a run uses: the number, or the calibrated value (which must be known).
double schedule_end_of(const ExperimentConfig& c);

// Peak memory estimate of the config's training run in bytes (model/memory.hpp).
std::uint64_t estimated_bytes(const ExperimentConfig& c);

// 80% of physical memory: the largest estimated_bytes() that resolve() accepts.
std::uint64_t memory_limit_bytes();

}  // namespace quddpm::config
