// quddpm: experiment runner for quantum denoising diffusion probabilistic models.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include "app/commands.hpp"
#include "app/manifest.hpp"
#include "core/kernel_table.hpp"

namespace {

// QUDDPM_ISA=NAME runs the kernels compiled for a lower instruction set than the CPU's best
// (to test or benchmark that path); unset or empty, the fastest supported one runs.
bool select_isa_from_environment() {
  const char* isa = std::getenv("QUDDPM_ISA");
  if (isa == nullptr || *isa == '\0') return true;
  try {
    quddpm::select_kernels(isa);
    return true;
  } catch (const std::invalid_argument& e) {
    std::cerr << "quddpm: QUDDPM_ISA: " << e.what() << "\n";
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // stdout carries results only; logs go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("quddpm"));
  spdlog::set_pattern("[%H:%M:%S] %v");
  if (!select_isa_from_environment()) return 2;
  quddpm::app::set_command_line(argc, argv);

  CLI::App app{"quddpm " QUDDPM_VERSION
               " - quantum denoising diffusion probabilistic models (QuDDPM), original and "
               "improved, with exact gradients"};
  app.set_version_flag("--version", quddpm::app::version_text);
  app.require_subcommand(1);
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string(e.what()) + " (see --help)\n";
  });
  quddpm::app::add_train_command(app);
  quddpm::app::add_metrics_command(app);
  quddpm::app::add_gradient_command(app);
  quddpm::app::add_generate_command(app);
  quddpm::app::add_variance_command(app);
  quddpm::app::add_config_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) std::cerr << "quddpm: ";
    return app.exit(e);
  } catch (const quddpm::app::ExitError& e) {
    std::cerr << "quddpm: " << e.what() << "\n";
    return e.status;
  } catch (const std::exception& e) {
    std::cerr << "quddpm: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
