#include "app/run/run_directory.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <stdexcept>
#include <system_error>

#include "app/formats/folder.hpp"

namespace fs = std::filesystem;

namespace quddpm::app {

bool has_checkpoint(const fs::path& staging) {
  std::error_code ec;
  return fs::exists(staging / kCheckpointDir / "state.json", ec);
}

namespace {

void write_marker(const Folder& dir) {
  dir.write_atomically(kRunMarker, "a quddpm run folder: quddpm train --force may replace it\n");
}

// True when `name` in `parent` is still the folder `dir` holds open (not something put there
// since): only then is it removed or renamed as this run's.
bool still_there(const Folder& parent, const std::string& name, const Folder& dir) {
  struct stat held {};
  const auto st = parent.status(name);
  return st && ::fstat(dir.fd(), &held) == 0 && st->st_dev == held.st_dev &&
         st->st_ino == held.st_ino;
}

// A folder that --force is about to replace: one of quddpm's runs, held by no process.
void check_replaceable(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw std::invalid_argument(dir.string() + ": exists and is not a folder; quddpm will not " +
                                "replace it (choose another --out)");
  if (!is_quddpm_run(dir))
    throw std::invalid_argument(dir.string() + ": not a quddpm run folder (no " + kRunMarker +
                                " marker), so --force will not replace it; move it away or " +
                                "choose another --out");
  if (const auto who = RunLock::holder(dir))
    throw std::invalid_argument(dir.string() + " is in use by " + *who + " (one process per run)");
}

// A run folder, or its staging folder, reached through a symbolic link would put the results
// somewhere the user did not name, and a later run would remove them through the link.
void refuse_link(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_symlink(fs::symlink_status(p, ec))) return;
  const fs::path target = fs::read_symlink(p, ec);
  throw std::invalid_argument(p.string() + ": is a symbolic link (to " + target.string() +
                              "); quddpm writes a run only into a folder it creates itself: " +
                              "give the folder itself as --out");
}

fs::path normal_final(const std::string& final_dir) {
  fs::path p = fs::path(final_dir).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  return p;
}

}  // namespace

std::string run_folder(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/')
    dir.pop_back();
  const std::string suffix = ".partial";
  if (dir.size() > suffix.size() &&
      dir.compare(dir.size() - suffix.size(), suffix.size(), suffix) == 0)
    dir.resize(dir.size() - suffix.size());
  return dir;
}

fs::path staging_folder(const std::string& final_dir) {
  fs::path p = fs::path(final_dir).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  p += ".partial";
  return p;
}

bool is_quddpm_run(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir / kRunMarker, ec)) return true;
  // A run killed while it created its folder leaves the lock file and, at most, the marker's
  // temporary file: only quddpm's own names, so still its folder.
  const std::string marker_tmp = std::string(kRunMarker) + ".tmp.";
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name != kLockFile && name.rfind(marker_tmp, 0) != 0) return false;
  }
  return !ec;
}

void RunDirectory::check(const std::string& final_dir, Mode mode) {
  if (final_dir.empty()) throw std::invalid_argument("output directory is empty");
  const fs::path final_path = normal_final(final_dir), staging = staging_folder(final_dir);
  refuse_link(final_path);
  refuse_link(staging);
  const std::string dir = final_path.string(), partial = staging.string();
  std::error_code ec;
  const bool final_exists = fs::exists(final_path, ec);
  const bool staging_exists = fs::exists(staging, ec);
  if (staging_exists) {
    if (const auto who = RunLock::holder(staging))
      throw std::invalid_argument(partial + " is in use by " + *who + " (one process per run)");
  }
  if (mode == Mode::kResume) {
    if (!staging_exists && final_exists)
      throw std::invalid_argument(dir + ": this run has already finished; nothing to resume");
    if (!staging_exists)
      throw std::invalid_argument(partial + ": not found, so there is no interrupted run to " +
                                  "resume (start one with --out " + dir + ")");
    if (!has_checkpoint(staging) && !fs::exists(staging / "config.json", ec))
      throw std::invalid_argument(partial + ": holds neither a checkpoint nor the run's " +
                                  "config.json (it stopped as it started): start the run again " +
                                  "with the same command, which replaces that folder");
    if (final_exists)
      throw std::invalid_argument(dir + ": already exists next to the interrupted run " + partial +
                                  "; move it away before resuming");
    return;
  }
  const bool force = mode == Mode::kForce;
  if (final_exists && !force)
    throw std::invalid_argument(dir +
                                ": results directory already exists (use --force to replace it "
                                "or --out to choose another)");
  if (final_exists) check_replaceable(final_path);
  if (staging_exists && !force && has_checkpoint(staging))
    throw std::invalid_argument(partial + ": an interrupted run is there (continue it with " +
                                "--resume " + dir + ", or start over with --force)");
  if (staging_exists) check_replaceable(staging);
}

RunDirectory::RunDirectory(const std::string& final_dir, Mode mode)
    : final_(final_dir), force_(mode == Mode::kForce) {
  check(final_dir, mode);
  staging_ = staging_folder(final_dir);
  final_ = normal_final(final_dir);
  const std::string partial = staging_.string(), name = staging_.filename().string();
  std::error_code ec;
  if (staging_.has_parent_path()) fs::create_directories(staging_.parent_path(), ec);
  if (ec) throw std::runtime_error(partial + ": cannot create directory (" + ec.message() + ")");
  // From here on the run's folders are reached only through the parent's descriptor, opened
  // once: a link put at <dir> or <dir>.partial later redirects nothing.
  parent_ = Folder::parent_of(staging_);
  if (mode == Mode::kResume) {
    folder_ = parent_->child(name, false);
    lock_.emplace(*folder_);
    if (!folder_->has(kRunMarker)) write_marker(*folder_);  // older runs had none
    keep_ = true;  // the folder is the user's interrupted run, with or without a checkpoint
    return;
  }
  if (parent_->has(name)) {
    // Without a checkpoint (a run stopped during set-up) there is nothing to keep: quddpm's
    // own leftover goes without --force.
    if (!force_ && is_quddpm_run(staging_))
      spdlog::info("replacing {}: left by a run stopped before its first checkpoint", partial);
    const RunLock old(staging_);  // no other process may take it while it goes
    if (!parent_->remove_tree(name))
      throw std::runtime_error(partial + ": cannot remove the old staging directory (" +
                               std::strerror(errno) + ")");
  }
  if (::mkdirat(parent_->fd(), name.c_str(), 0755) != 0) {
    if (errno == EEXIST)
      throw std::invalid_argument(partial + ": appeared while this run was starting (is another " +
                                  "process writing there?)");
    throw std::runtime_error(partial + ": cannot create directory (" + std::strerror(errno) + ")");
  }
  folder_ = parent_->child(name, false);
  lock_.emplace(*folder_);
  write_marker(*folder_);
}

RunDirectory::~RunDirectory() {
  if (!committed_ && !keep_ && folder_ &&
      still_there(*parent_, staging_.filename().string(), *folder_))
    parent_->remove_tree(staging_.filename().string());
}

void RunDirectory::commit() {
  const std::string final_name = final_.filename().string();
  const std::string staging_name = staging_.filename().string();
  // Something at <dir> now: checked before the checkpoint goes, which finishes the run again.
  const bool final_exists = parent_->has(final_name);
  const std::string where = "; the finished results are in " + staging_.string() +
                            " (with its checkpoint): move " + final_.string() +
                            " away and finish with: quddpm train --resume " + final_.string();
  if (final_exists && !force_)
    throw std::runtime_error(final_.string() + ": appeared while this run was training" + where);
  if (final_exists) {
    try {
      refuse_link(final_);
      check_replaceable(final_);  // whatever is there now, not only what was there at the start
    } catch (const std::exception& e) {
      throw std::runtime_error(e.what() + where);
    }
  }
  if (!still_there(*parent_, staging_name, *folder_))
    throw std::runtime_error(staging_.string() + ": is no longer this run's folder (it was " +
                             "moved or replaced while the run trained); the results stay in the " +
                             "folder that was moved");
  folder_->remove_tree(kCheckpointDir);
  // A finished run being replaced is moved aside, and removed only once the new one is in place.
  std::string old;
  if (final_exists) {
    old = final_name + ".replaced." + std::to_string(::getpid());
    if (!parent_->rename(final_name, old))
      throw std::runtime_error(final_.string() + ": cannot move the old run aside (" +
                               std::strerror(errno) + "); the new results are in " +
                               staging_.string());
  }
  if (!parent_->rename(staging_name, final_name)) {
    const int err = errno;
    if (!old.empty()) parent_->rename(old, final_name);
    throw std::runtime_error(final_.string() + ": cannot move results into place (" +
                             std::strerror(err) + "); they are in " + staging_.string());
  }
  committed_ = true;
  if (!old.empty()) parent_->remove_tree(old);
}

}  // namespace quddpm::app
