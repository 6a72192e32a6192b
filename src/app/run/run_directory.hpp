// A results directory that appears only when complete: files are written into a staging
// directory "<dir>.partial" that is renamed onto <dir> by commit(). Until training has started
// a failure removes the staging directory; from then on it is kept, since its checkpoint is
// what `--resume` continues from. The process holds the run's lock (RunLock) throughout, and
// marks the folder as a quddpm run (kRunMarker). Nothing existing is replaced without `force`,
// and `force` replaces only quddpm's own runs (marked, or empty folders) that no process holds;
// a finished run it replaces is moved aside until the new one is in place.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "app/formats/folder.hpp"
#include "app/run/run_lock.hpp"

namespace quddpm::app {

class RunDirectory {
 public:
  enum class Mode {
    kFresh,   // <dir> may not exist; a <dir>.partial of quddpm's without a checkpoint (a run
              // stopped during set-up) is replaced, one with a checkpoint refused
    kForce,   // a stale <dir>.partial of quddpm's is removed, an existing run <dir> replaced
              // by commit()
    kResume,  // <dir>.partial must hold a checkpoint or at least the run's config.json (then
              // the run starts over from it); <dir> must not exist
  };

  RunDirectory(const std::string& final_dir, Mode mode);
  // The constructor's checks alone, changing nothing: `train` makes them before any work (the
  // schedule's calibration), so that a bad --out never costs a run. A symbolic link at <dir> or
  // <dir>.partial, dangling or not, is refused: a run folder is always one quddpm created.
  static void check(const std::string& final_dir, Mode mode);
  ~RunDirectory();
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;

  // The staging directory, held open: everything the run writes goes through it.
  const Folder& folder() const { return *folder_; }
  const std::filesystem::path& staging() const { return staging_; }
  const std::filesystem::path& final_dir() const { return final_; }

  // From now on a failure keeps the staging directory (it holds a resumable checkpoint).
  void keep_on_failure() { keep_ = true; }

  // Removes the checkpoint and moves the staging directory onto the final one.
  void commit();

 private:
  std::filesystem::path final_, staging_;
  bool force_, keep_ = false, committed_ = false;
  std::optional<Folder> parent_, folder_;  // the folder holding <dir>, and <dir>.partial
  std::optional<RunLock> lock_;            // last: released after the destructor's clean-up
};

// The file that marks a folder as one of quddpm's runs (the only folders --force replaces).
inline constexpr const char* kRunMarker = ".quddpm-run";

// The run a path names: "runs/x", "runs/x/" and "runs/x.partial" (the staging folder a user
// sees) all name runs/x.
std::string run_folder(std::string dir);

// The staging folder of the run `final_dir` names: "<final_dir>.partial", normalized.
std::filesystem::path staging_folder(const std::string& final_dir);

// True for a folder --force may replace: it carries kRunMarker, or it is empty but for what a
// run killed while creating it leaves (its lock file, the marker's temporary file).
bool is_quddpm_run(const std::filesystem::path& dir);

// Where a run directory keeps its checkpoint (inside the staging directory).
inline constexpr const char* kCheckpointDir = "checkpoint";

// True when the staging folder holds a complete checkpoint (its state.json, written last).
bool has_checkpoint(const std::filesystem::path& staging);

}  // namespace quddpm::app
