// Experiment configuration: a JSON file -> a validated, fully resolved ExperimentConfig.
//
// Schema (every key except "model" and "qubits.data" is optional; comments are not allowed in
// the file itself, JSON is parsed strictly):
//
//   {
//     "model": "original" | "improved",          // REQUIRED; a preset that fills every default
//     "seed": 1,                                  // unsigned 64-bit integer, default 1
//     "output": "runs/<config file stem>",        // results directory (relative to the cwd)
//     "qubits": {"data": 4, "ancilla": 3},        // data REQUIRED (>= 1); ancilla >= 0, default 3
//     "target": {"kind": "ghz", "theta_min": pi/2-0.3, "theta_max": pi/2+0.3,
//                "phi_min": -0.3, "phi_max": 0.3, "noise": 0.08}
//             | {"kind": "cluster", "scale": 0.24}
//             | {"kind": "haar"}
//             | {"kind": "npy", "path": "states.npy"},  // default {"kind": "ghz"}
//     "diffusion": {"steps": 30, "schedule": {"kind": "linear", "start": S, "end": E | "auto",
//                   "target_mmd_to_haar": 0.35,     // only with end "auto"
//                   "calibrated_end": x}},          // written by train; skips the search
//     "prior": {"kind": "haar"} | {"kind": "diffused"} | {"kind": "cluster", "scale": 0.24},
//     "circuit": {"layers": L, "init": {"kind": "normal", "std": 1.0}
//                                    | {"kind": "uniform", "c": 1.0, "ancilla_c": c}},
//     "training": {"samples": 100, "diffusion_size": 500, "epochs": 300, "learning_rate": 0.005}
//   }
//
// Presets ("model"):
//   original: schedule linear 0.5 -> 4.0, prior haar,     init normal  std 1.
//   improved: schedule linear kImprovedStart -> "auto" (target_mmd_to_haar
//             kImprovedTargetMmdToHaar), prior diffused, init uniform c 1.
//   Both: steps 30, ancilla 3, layers 2 * (data + ancilla), samples 100, diffusion_size 500,
//   epochs 300, learning_rate 0.005, target ghz with its defaults, checkpoint.every_seconds 300.
//
// Rules:
//   - Unknown keys are errors (with a "did you mean" suggestion when one is close).
//   - A kind-tagged object (target, prior, circuit.init, diffusion.schedule) accepts only "kind"
//     and the keys of its kind; missing values take that kind's defaults.
//   - Integers must be written as JSON integers (2, not 2.0); numbers must be finite.
//   - training.samples <= training.diffusion_size; theta_min <= theta_max; phi_min <= phi_max.
//   - target.path (npy) is relative to the config file's directory unless absolute; the resolved
//     config holds it as an absolute path.
//   - data + ancilla <= 30, and the estimated peak memory of a training run must fit in 80% of
//     physical memory.
//
// Overrides ("--set key.path=value"): the value is parsed as JSON when it parses, else taken as
// a string ("qubits.data=7", "target.kind=cluster", "output=runs/x"). Missing intermediate
// objects are created; "key=null" removes the key so its default applies. Setting a "kind" to a
// different kind drops the keys that belong only to other kinds, so the new kind's defaults
// apply. Overrides apply in order, before validation.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/ensembles.hpp"
#include "model/limits.hpp"

namespace quddpm::config {

// Improved-model default schedule: linear from kImprovedStart, its end found by bisection so
// that the run's own terminal ensemble S_T has mmd_to_haar = kImprovedTargetMmdToHaar (the
// middle of the paper's 0.3-0.4) at every n.
inline constexpr double kImprovedStart = 0.1;
inline constexpr double kImprovedTargetMmdToHaar = 0.35;

// checkpoint.every_seconds when not given.
inline constexpr double kDefaultCheckpointSeconds = 300;

// Largest data + ancilla count accepted at all, whatever the memory.
inline constexpr int kMaxTotalQubits = kMaxQubits;

struct TargetSpec {
  std::string kind;       // "ghz" | "cluster" | "haar" | "npy"
  GhzParams ghz;          // meaningful for kind "ghz" (defaults otherwise)
  ClusterParams cluster;  // meaningful for kind "cluster"
  std::string npy_path;   // kind "npy": absolute path; empty otherwise
};

struct ExperimentConfig {
  std::string source;  // file the config came from (for messages); not part of to_json

  std::string model;  // "original" | "improved"
  std::uint64_t seed = 1;
  std::string precision = "double";  // "double" | "single": the circuit's state vectors
  std::string output;

  int n_data = 0;
  int n_ancilla = 0;
  TargetSpec target;

  int steps = 0;
  std::string schedule_kind;  // "linear"
  double schedule_start = 0;
  double schedule_end = 0;               // when !schedule_end_auto
  bool schedule_end_auto = false;        // end "auto": calibrated to target_mmd_to_haar
  double target_mmd_to_haar = 0;         // when schedule_end_auto
  std::optional<double> calibrated_end;  // when schedule_end_auto: the search's result, once known

  std::string prior_kind;  // "haar" | "diffused" | "cluster"
  ClusterParams prior_cluster;

  int layers = 0;
  std::string init_kind;        // "normal" | "uniform"
  double init_std = 1.0;        // normal
  double init_c = 1.0;          // uniform: s = init_c / layers (data qubits)
  double init_ancilla_c = 1.0;  // uniform: s = init_ancilla_c / layers (ancillas); default init_c

  int samples = 0;
  int diffusion_size = 0;
  int epochs = 0;
  double learning_rate = 0;

  // Seconds between checkpoints inside a cycle (besides the one after every cycle); 0: none.
  // Operational, not part of the experiment: left out of run_id, and may differ on --resume.
  double checkpoint_every_seconds = kDefaultCheckpointSeconds;
};

// Field-wise, exact (doubles included): what the round trip resolve(to_json(c)) preserves.
// `source` is not compared.
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

// The run id of the CSVs and the manifest: the first 12 hex digits of the SHA-256 of the
// resolved config without its output folder, checkpoint interval and calibrated schedule end, so
// the same experiment (config and seed) has the same id wherever it is written, and an interrupted
// run keeps its id when resumed.
std::string run_id(const ExperimentConfig& c);

// The schedule end a run uses: the number, or the calibrated value (which must be known).
double schedule_end_of(const ExperimentConfig& c);

// Peak memory estimate of a training run in bytes (saturates instead of overflowing).
std::uint64_t estimated_bytes(const ExperimentConfig& c);

// 80% of physical memory: the largest estimated_bytes() that resolve() accepts.
std::uint64_t memory_limit_bytes();

}  // namespace quddpm::config
