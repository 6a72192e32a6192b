#include "app/atomic_file.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <stdexcept>

#include "app/folder.hpp"
#include "app/input_file.hpp"

namespace fs = std::filesystem;

namespace quddpm::app {

std::optional<std::string> why_not_replaceable(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};  // nothing there (or unreachable: open says)
  if (S_ISREG(st.st_mode)) return {};
  return std::string("refusing to replace a ") + special_file_kind(st.st_mode) +
         " with a file (quddpm writes only regular files; choose another path)";
}

void ensure_replaceable(const std::string& path) {
  if (const auto why = why_not_replaceable(path)) throw std::runtime_error(path + ": " + *why);
}

void write_file_atomically(const std::string& path, const std::string& text) {
  ensure_replaceable(path);  // named as the user gave it
  const fs::path p(path);
  if (!p.has_filename()) throw std::runtime_error(path + ": cannot write (not a file name)");
  Folder::parent_of(p).write_atomically(p.filename().string(), text);
}

}  // namespace quddpm::app
