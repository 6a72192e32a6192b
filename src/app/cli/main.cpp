// quddpm: experiment runner for quantum denoising diffusion probabilistic models.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include "app/cli/commands.hpp"
#include "app/run/manifest.hpp"
#include "core/allocation.hpp"
#include "core/distributed.hpp"
#include "core/kernels/kernel_table.hpp"
#ifdef QUDDPM_MPI
#include "app/cli/mpi/processes.hpp"
#endif

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

// Ends the process with `status` after an error, reported once: alone, as always; among MPI
// processes, by the first process when every process knows of the error (dist::agree, a
// collective stop, an error each sees alike), else by the process that had it, which then
// aborts them all so that none waits for it.
int fail(int status, const std::string& message, bool known_to_all) {
  const quddpm::dist::ProcessGroup& g = quddpm::dist::processes();
  const bool print = !message.empty() && (g.rank() == 0 || !known_to_all);
  if (print)
    std::cerr << "quddpm: "
              << (g.size() > 1 && g.rank() != 0 ? "(rank " + std::to_string(g.rank()) + ") " : "")
              << message << "\n";
#ifdef QUDDPM_MPI
  if (g.size() > 1 && !known_to_all) quddpm::app::mpi::abort(status);
#endif
  return status;
}

int run(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) {
  quddpm::retain_freed_memory();
#ifdef QUDDPM_MPI
  quddpm::app::mpi::init(&argc, &argv);
  // Only the first process logs; the others work silently.
  if (quddpm::dist::processes().rank() != 0) spdlog::set_level(spdlog::level::off);
  const int status = run(argc, argv);
  quddpm::app::mpi::finalize();
  return status;
#else
  return run(argc, argv);
#endif
}

namespace {

int run(int argc, char** argv) {
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
    // Every process parses the same command line.
    if (quddpm::dist::processes().rank() != 0) return e.get_exit_code();
    if (e.get_exit_code() != 0) std::cerr << "quddpm: ";
    return app.exit(e);
  } catch (const quddpm::dist::PeerFailed&) {
    return fail(1, "", true);
  } catch (const quddpm::app::ExitError& e) {
    return fail(e.status, e.what(), true);  // a stop: every process stops at the same point
  } catch (const std::exception& e) {
    return fail(1, e.what(), quddpm::dist::failure_agreed());
  }
  return 0;
}

}  // namespace
