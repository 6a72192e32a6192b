// A results directory that appears only when complete: files are written into a staging
// directory "<dir>.partial" that is renamed onto <dir> by commit(), and removed if the run
// fails. An existing <dir> is kept unless `force` is set.
#pragma once

#include <filesystem>
#include <string>

namespace quddpm::app {

class RunDirectory {
 public:
  RunDirectory(const std::string& final_dir, bool force);
  ~RunDirectory();
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;

  // Path of a file inside the staging directory.
  std::string file(const std::string& name) const;
  const std::filesystem::path& staging() const { return staging_; }
  const std::filesystem::path& final_dir() const { return final_; }

  // Moves the staging directory onto the final one (replacing it when forced).
  void commit();

 private:
  std::filesystem::path final_, staging_;
  bool force_, committed_ = false;
};

}  // namespace quddpm::app
