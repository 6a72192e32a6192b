// The subcommands of the quddpm executable; each registers itself on the CLI11 app and
// runs when selected. Failures are thrown and reported as one line by main().
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "app/run/exit_error.hpp"
#include "model/precision.hpp"
#include "model/training_settings.hpp"

namespace quddpm::app {

void add_metrics_command(CLI::App& app);
void add_gradient_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_variance_command(CLI::App& app);
void add_config_command(CLI::App& app);

// --precision double|single into *value (default: what *value holds).
CLI::Option* add_precision_option(CLI::App* cmd, Precision* value);
// --outcomes sampled|quenched into *value (unset: not given).
CLI::Option* add_outcomes_option(CLI::App* cmd, std::optional<OutcomeRule>* value,
                                 const std::string& help);
// --ancilla N (as the config's qubits.ancilla) and its old spelling --ancillas, which still
// works but warns on stderr. Returns both options, so a command can check that one was given.
std::pair<CLI::Option*, CLI::Option*> add_ancilla_option(CLI::App* cmd, int* value,
                                                         const std::string& help);

// Applies --threads: 0 keeps OpenMP's default.
void apply_thread_option(int threads);

// Option checks shared by the commands. CLI11 alone reads "-1" as 2^64 - 1 for an unsigned
// option and saturates values that overflow; these refuse both.
CLI::Validator unsigned64_check();  // digits only, at most 2^64 - 1
CLI::Validator threads_check();     // 0 (all cores) .. kMaxThreads
inline constexpr int kMaxThreads = 1024;

// An output file the command may write: not a directory, link, FIFO or device; not there
// already unless `force` (else "PATH: already exists (when_it_exists)"); in an existing,
// writable folder. Throws std::invalid_argument naming the path.
void check_writable(const std::string& path, bool force, const std::string& when_it_exists);

}  // namespace quddpm::app
