#include "app/run/run_inputs.hpp"

#include <fcntl.h>

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "app/formats/folder.hpp"
#include "app/formats/input_file.hpp"
#include "app/formats/sha256.hpp"
#include "app/run/manifest.hpp"

namespace fs = std::filesystem;

namespace quddpm::app {

namespace {

// A whole file, through the reader that never blocks on a FIFO or device; `shown` in errors.
std::string read_or_throw(int dirfd, const std::string& name, Links links,
                          const std::string& shown) {
  std::string why, bytes;
  if (!read_file_at(dirfd, name, links, bytes, why))
    throw std::runtime_error(shown + ": cannot read" + (why.empty() ? "" : " (" + why + ")"));
  return bytes;
}

// The run's manifest.json, which must be readable: it is the run's history.
nlohmann::json manifest_of(const Folder& dir) {
  const std::string file = dir.shown(kManifest);
  if (!dir.has(kManifest))
    throw std::invalid_argument(file + ": not found; the run's record of its inputs and " +
                                "run id is missing");
  const auto m = nlohmann::json::parse(read_run_file(dir, kManifest), nullptr, false);
  if (!m.is_object() || !m.contains("run_id") || !m["run_id"].is_string())
    throw std::invalid_argument(file + ": is not a quddpm manifest (unreadable JSON or " +
                                "no run_id)");
  return m;
}

}  // namespace

std::string read_run_file(const Folder& dir, const std::string& name) {
  return read_or_throw(dir.fd(), name, Links::kRefuse, dir.shown(name));
}

config::ExperimentConfig load_run_config(const Folder& dir) {
  return config::load_text(read_run_file(dir, "config.json"), dir.shown("config.json"));
}

void keep_target_copy(const config::ExperimentConfig& c, const Folder& dir) {
  if (c.target.kind != config::TargetKind::Npy) return;
  // Read once; the copy is those bytes, and the original must still hold them (the run id,
  // which hashes the original, then describes the copy too).
  const std::string& path = c.target.npy_path;
  const std::string bytes = read_or_throw(AT_FDCWD, path, Links::kFollow, path);
  dir.write_atomically(kTargetCopy, bytes);
  if (sha256_file(c.target.npy_path) != sha256_hex(bytes))
    throw std::runtime_error(c.target.npy_path + ": changed while the run was starting; start " +
                             "it again once the file stays as it is");
}

void use_run_target(config::ExperimentConfig& c, const Folder& dir) {
  if (c.target.kind != config::TargetKind::Npy) return;
  const std::string original = c.target.npy_path;
  const std::string copy = dir.shown(kTargetCopy);
  std::error_code ec;
  if (dir.has(kTargetCopy)) {
    const std::string kept = sha256_hex(read_run_file(dir, kTargetCopy));
    if (!fs::exists(original, ec))
      spdlog::warn("warning: target.path {} is gone; the run uses its own copy {}", original, copy);
    else if (sha256_file(original) != kept)
      spdlog::warn(
          "warning: target.path {} changed since the run started; the run uses its own "
          "copy {} (the data it started with)",
          original, copy);
    c.target.states_file = copy;
    return;
  }
  // A run of an earlier version: the original, as long as it is what the run was trained on
  // (a run stopped before its manifest was written has recorded nothing yet).
  if (!dir.has(kManifest)) return;
  const nlohmann::json m = manifest_of(dir);
  const auto& inputs = m.value("inputs", nlohmann::json::object());
  if (!inputs.contains(original) || !inputs[original].contains("sha256")) return;
  const std::string recorded = inputs[original]["sha256"].get<std::string>();
  if (!fs::exists(original, ec))
    throw std::invalid_argument("target.path " + original + ": not found, and " +
                                dir.path().string() +
                                " (a run of an earlier quddpm) keeps no copy of its target " +
                                "data: restore the file (SHA-256 " + recorded + ")");
  const std::string now = sha256_file(original);
  if (now != recorded)
    throw std::invalid_argument(
        "target.path " + original + ": its contents changed since the run started (SHA-256 " + now +
        ", manifest.json recorded " + recorded + "); restore the file the run was " +
        "trained on, or start a new run");
}

void check_run_id(const config::ExperimentConfig& c, const Folder& dir) {
  const nlohmann::json m = manifest_of(dir);
  const std::string recorded = m["run_id"], now = config::run_id(c);
  // Runs of earlier versions named an npy target by its path only.
  if (recorded != now && recorded != config::run_id_by_path(c))
    throw std::invalid_argument(dir.shown("config.json") + ": gives run id " + now +
                                ", but the run's manifest.json records " + recorded +
                                " (was config.json edited after the run?); quddpm uses a run " +
                                "only with the config it was trained with");
}

}  // namespace quddpm::app
