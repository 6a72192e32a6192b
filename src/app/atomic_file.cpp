#include "app/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "app/input_file.hpp"

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
  ensure_replaceable(path);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  auto fail = [&](const char* what, int err) {
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": cannot write (" + what + ": " + std::strerror(err) + ")");
  };
  std::FILE* f = create_temporary(tmp);
  if (!f) fail("cannot create a temporary file", errno);
  const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size() &&
                       std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  const int err = errno;
  if (std::fclose(f) != 0 && written) fail("close", errno);
  if (!written) fail("write", err);
  try {
    ensure_replaceable(path);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail("rename", errno);
}

std::FILE* create_temporary(const std::string& tmp) {
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK |
                                         O_CLOEXEC, 0644);
  if (fd < 0) return nullptr;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    errno = EEXIST;  // something other than a file sits at the temporary name
    return nullptr;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::FILE* f = ::fdopen(fd, "wb");
  if (!f) {
    const int err = errno;
    ::close(fd);
    errno = err;
  }
  return f;
}

void sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace quddpm::app
