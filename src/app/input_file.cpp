#include "app/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace quddpm::app {

namespace {

std::string not_regular(mode_t mode) {
  return std::string("it is a ") + special_file_kind(mode) + ", not a regular file";
}

}  // namespace

const char* special_file_kind(mode_t mode) {
  return S_ISDIR(mode)    ? "directory"
         : S_ISLNK(mode)  ? "symbolic link"
         : S_ISFIFO(mode) ? "FIFO"
         : S_ISSOCK(mode) ? "socket"
         : S_ISCHR(mode)  ? "character device"
         : S_ISBLK(mode)  ? "block device"
                          : "special file";
}

InputFile open_input_file(const std::string& path, std::string& why) {
  // Looked at before the open, since opening a device may act on it; a missing file is left
  // to the open, whose error then names the cause.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    why = not_regular(st.st_mode);
    return nullptr;
  }
  // O_NONBLOCK: should a FIFO have taken the file's place since, the open still returns.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    why = std::strerror(errno);
    return nullptr;
  }
  if (::fstat(fd, &st) != 0) {
    why = std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  if (!S_ISREG(st.st_mode)) {
    why = not_regular(st.st_mode);
    ::close(fd);
    return nullptr;
  }
  // A regular file's reads never block; the flag is dropped so that the stream reads plainly.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  InputFile file(::fdopen(fd, "rb"));
  if (!file) {
    why = std::strerror(errno);
    ::close(fd);
  }
  return file;
}

bool read_rest(std::FILE* f, std::string& out) {
  char buf[1 << 16];
  for (std::size_t got; (got = std::fread(buf, 1, sizeof buf, f)) > 0;)
    out.append(buf, got);
  return !std::ferror(f);
}

}  // namespace quddpm::app
