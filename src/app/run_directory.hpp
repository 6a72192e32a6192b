// A results directory that appears only when complete: files are written into a staging
// directory "<dir>.partial" that is renamed onto <dir> by commit(). Until training has started
// a failure removes the staging directory; from then on it is kept, since its checkpoint is
// what `--resume` continues from. Nothing existing is replaced without `force`.
#pragma once

#include <filesystem>
#include <string>

namespace quddpm::app {

class RunDirectory {
 public:
  enum class Mode {
    kFresh,   // neither <dir> nor <dir>.partial may exist
    kForce,   // a stale <dir>.partial is removed, an existing <dir> replaced by commit()
    kResume,  // <dir>.partial must hold a checkpoint; <dir> must not exist
  };

  RunDirectory(const std::string& final_dir, Mode mode);
  ~RunDirectory();
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;

  // Path of a file inside the staging directory.
  std::string file(const std::string& name) const;
  const std::filesystem::path& staging() const { return staging_; }
  const std::filesystem::path& final_dir() const { return final_; }

  // From now on a failure keeps the staging directory (it holds a resumable checkpoint).
  void keep_on_failure() { keep_ = true; }

  // Removes the checkpoint and moves the staging directory onto the final one.
  void commit();

 private:
  std::filesystem::path final_, staging_;
  bool force_, keep_ = false, committed_ = false;
};

// Where a run directory keeps its checkpoint (inside the staging directory).
inline constexpr const char* kCheckpointDir = "checkpoint";

}  // namespace quddpm::app
