#include "app/run_directory.hpp"

#include <stdexcept>
#include <system_error>

namespace fs = std::filesystem;

namespace quddpm::app {

namespace {

bool has_checkpoint(const fs::path& staging) {
  std::error_code ec;
  return fs::exists(staging / kCheckpointDir / "state.json", ec);
}

}  // namespace

RunDirectory::RunDirectory(const std::string& final_dir, Mode mode)
    : final_(final_dir), force_(mode == Mode::kForce) {
  if (final_dir.empty()) throw std::invalid_argument("output directory is empty");
  final_ = final_.lexically_normal();
  if (final_.has_filename() == false) final_ = final_.parent_path();
  staging_ = final_;
  staging_ += ".partial";
  const std::string dir = final_.string(), partial = staging_.string();
  std::error_code ec;
  const bool final_exists = fs::exists(final_, ec);
  const bool staging_exists = fs::exists(staging_, ec);

  if (mode == Mode::kResume) {
    if (!staging_exists && final_exists)
      throw std::invalid_argument(dir + ": this run has already finished; nothing to resume");
    if (!staging_exists)
      throw std::invalid_argument(partial + ": not found, so there is no interrupted run to " +
                                  "resume (start one with --out " + dir + ")");
    if (!has_checkpoint(staging_))
      throw std::invalid_argument(partial + ": holds no checkpoint (the run stopped before its " +
                                  "first cycle); start it again with --force");
    if (final_exists)
      throw std::invalid_argument(dir + ": already exists next to the interrupted run " + partial +
                                  "; move it away before resuming");
    keep_ = true;  // the staging directory held finished work before this process
    return;
  }

  if (final_exists && !force_)
    throw std::invalid_argument(dir +
                                ": results directory already exists (use --force to replace it "
                                "or --out to choose another)");
  if (staging_exists && !force_) {
    if (has_checkpoint(staging_))
      throw std::invalid_argument(partial + ": an interrupted run is there (continue it with " +
                                  "--resume " + dir + ", or start over with --force)");
    throw std::invalid_argument(partial + ": a stopped run's staging directory is there (it " +
                                "stopped before its first cycle; start over with --force)");
  }
  if (staging_exists) fs::remove_all(staging_, ec);
  if (ec)
    throw std::runtime_error(partial + ": cannot remove the old staging directory (" +
                             ec.message() + ")");
  fs::create_directories(staging_, ec);
  if (ec) throw std::runtime_error(partial + ": cannot create directory (" + ec.message() + ")");
}

RunDirectory::~RunDirectory() {
  if (!committed_ && !keep_) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
}

std::string RunDirectory::file(const std::string& name) const {
  return (staging_ / name).string();
}

void RunDirectory::commit() {
  std::error_code ec;
  fs::remove_all(staging_ / kCheckpointDir, ec);
  if (fs::exists(final_, ec)) fs::remove_all(final_, ec);
  fs::rename(staging_, final_, ec);
  if (ec)
    throw std::runtime_error(final_.string() + ": cannot move results into place (" + ec.message() +
                             ")");
  committed_ = true;
}

}  // namespace quddpm::app
