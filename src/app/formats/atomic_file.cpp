#include "app/formats/atomic_file.hpp"

#include <fcntl.h>

#include <filesystem>
#include <stdexcept>

#include "app/formats/folder.hpp"

namespace fs = std::filesystem;

namespace quddpm::app {

std::optional<std::string> why_not_replaceable(const std::string& path) {
  return why_not_replaceable_at(AT_FDCWD, path);  // unreachable: the open says why
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
