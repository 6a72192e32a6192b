// Two processes never write one run: an advisory lock (flock) on DIR/.lock, held for as long
// as a process trains or resumes the run in DIR. The kernel releases it when the process ends,
// however it ends, so a crash leaves no stale lock behind.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace quddpm::app {

class Folder;

class RunLock {
 public:
  // Takes the lock on dir/.lock (creating the file) and records "PID HOST" in it; throws
  // std::runtime_error "DIR is in use by process PID on HOST" when another process holds it.
  explicit RunLock(const std::filesystem::path& dir);
  // The same for a folder held by its descriptor (the lock file opened relative to it).
  explicit RunLock(const Folder& dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  // "process PID on HOST" when another process holds dir's lock; nothing when the lock is free
  // or the folder has none.
  static std::optional<std::string> holder(const std::filesystem::path& dir);

 private:
  void take(int dirfd, const std::string& shown_dir);
  int fd_ = -1;
};

// The lock file's name inside a run folder.
inline constexpr const char* kLockFile = ".lock";

}  // namespace quddpm::app
