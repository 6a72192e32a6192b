// The subcommands of the quddpm executable; each registers itself on the CLI11 app and
// runs when selected. Failures are thrown and reported as one line by main().
#pragma once

#include <CLI/CLI.hpp>

namespace quddpm::app {

void add_metrics_command(CLI::App& app);
void add_gradient_command(CLI::App& app);
void add_train_command(CLI::App& app);

// Applies --threads: 0 keeps OpenMP's default.
void apply_thread_option(int threads);

}  // namespace quddpm::app
