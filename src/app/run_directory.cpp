#include "app/run_directory.hpp"

#include <stdexcept>
#include <system_error>

namespace fs = std::filesystem;

namespace quddpm::app {

RunDirectory::RunDirectory(const std::string& final_dir, bool force)
    : final_(final_dir), force_(force) {
  if (final_dir.empty()) throw std::invalid_argument("output directory is empty");
  final_ = final_.lexically_normal();
  if (final_.has_filename() == false) final_ = final_.parent_path();
  staging_ = final_;
  staging_ += ".partial";
  std::error_code ec;
  if (fs::exists(final_, ec) && !force_)
    throw std::invalid_argument(final_.string() +
                                ": results directory already exists (use --force to replace it "
                                "or --out to choose another)");
  fs::remove_all(staging_, ec);  // a stale staging directory of a killed run
  fs::create_directories(staging_, ec);
  if (ec)
    throw std::runtime_error(staging_.string() + ": cannot create directory (" + ec.message() +
                             ")");
}

RunDirectory::~RunDirectory() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
}

std::string RunDirectory::file(const std::string& name) const {
  return (staging_ / name).string();
}

void RunDirectory::commit() {
  std::error_code ec;
  if (fs::exists(final_, ec)) fs::remove_all(final_, ec);
  fs::rename(staging_, final_, ec);
  if (ec)
    throw std::runtime_error(final_.string() + ": cannot move results into place (" + ec.message() +
                             ")");
  committed_ = true;
}

}  // namespace quddpm::app
