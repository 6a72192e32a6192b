#include "app/run/manifest.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/formats/folder.hpp"
#include "app/formats/input_file.hpp"
#include "app/formats/sha256.hpp"
#include "core/distributed.hpp"
#include "core/kernels/kernel_table.hpp"
#include "core/parallel.hpp"

namespace quddpm::app {

namespace {

std::vector<std::string>& command_line_storage() {
  static std::vector<std::string> args;
  return args;
}

std::string now_utc() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string host_name() {
  char buf[256] = {};
  return gethostname(buf, sizeof buf - 1) == 0 ? buf : "unknown";
}

nlohmann::json build_json() {
  return {{"version", QUDDPM_VERSION},
          {"commit", QUDDPM_GIT_COMMIT},
          {"compiler", QUDDPM_COMPILER " " __VERSION__},
          {"build_type", QUDDPM_BUILD_TYPE},
          {"flags", QUDDPM_BUILD_FLAGS},
          {"kernels", active_kernels().name},
          {"kernels_supported", supported_kernel_names()}};
}

// The manifest of `dir` (discarded JSON when it cannot be read or parsed); never through a link.
nlohmann::json read_json(const Folder& dir) {
  std::string why, text;
  if (!read_file_at(dir.fd(), kManifest, Links::kRefuse, text, why))
    return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace

void set_command_line(int argc, char** argv) {
  command_line_storage().assign(argv, argv + argc);
}

std::string version_text() {
  const nlohmann::json b = build_json();
  return "quddpm " + b["version"].get<std::string>() + " (commit " +
         b["commit"].get<std::string>() + ")\ncompiler: " + b["compiler"].get<std::string>() +
         "\nbuild: " + b["build_type"].get<std::string>() + ", " + b["flags"].get<std::string>() +
         "\nkernels: " + b["kernels"].get<std::string>() +
         " (this CPU supports: " + b["kernels_supported"].get<std::string>() +
         "; QUDDPM_ISA=NAME picks another)";
}

RunManifest::RunManifest(const Folder& dir, const std::string& run_id,
                         const std::vector<std::string>& inputs)
    : dir_(dir), start_(now_utc()), start_seconds_(seconds_now()) {
  const std::string file = dir.shown(kManifest);
  const bool exists = dir.has(kManifest);
  nlohmann::json m = exists ? read_json(dir) : nlohmann::json();
  // The manifest is the run's history: never rebuilt over an unreadable one.
  if (exists && (!m.is_object() || !m.contains("sessions") || !m["sessions"].is_array()))
    throw std::runtime_error(file + ": is not a readable quddpm manifest; it holds the " +
                             "run's history, so quddpm will not rebuild it (restore it, or move " +
                             "it away to start a new history)");
  if (!exists) {
    m = {{"run_id", run_id}, {"build", build_json()}, {"inputs", nlohmann::json::object()}};
    for (const std::string& path : inputs)
      m["inputs"][path] = {{"sha256", sha256_file(path)}};
    m["sessions"] = nlohmann::json::array();
  }
  m["sessions"].push_back({{"command", command_line_storage()},
                           {"host", host_name()},
                           {"threads", par::max_threads()},
                           {"processes", dist::processes().size()},  // MPI ranks (1 without)
                           {"kernels", active_kernels().name},
                           {"build_commit", QUDDPM_GIT_COMMIT},
                           {"start", start_},
                           {"end", nullptr},
                           {"wall_seconds", nullptr},
                           {"exit_status", nullptr}});
  dir.write_atomically(kManifest, m.dump(2) + "\n");
}

void RunManifest::finish(int exit_status) {
  nlohmann::json m = read_json(dir_);
  if (!m.is_object() || !m.contains("sessions") || m["sessions"].empty()) return;
  auto& s = m["sessions"].back();
  s["end"] = now_utc();
  s["wall_seconds"] = seconds_now() - start_seconds_;
  s["exit_status"] = exit_status;
  dir_.write_atomically(kManifest, m.dump(2) + "\n");
}

}  // namespace quddpm::app
