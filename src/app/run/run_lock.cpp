#include "app/run/run_lock.hpp"

#include "app/formats/folder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace quddpm::app {

namespace {

// "process PID on HOST" from the lock file's content ("PID HOST").
std::string describe_holder(int fd) {
  char buf[256] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  const auto space = text.find(' ');
  if (text.empty() || space == std::string::npos) return "another process";
  return "process " + text.substr(0, space) + " on " + text.substr(space + 1);
}

std::string host_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return "unknown host";
  return host;
}

}  // namespace

RunLock::RunLock(const std::filesystem::path& dir) {
  take(AT_FDCWD, dir.string());
}

RunLock::RunLock(const Folder& dir) {
  take(dir.fd(), dir.path().string());
}

void RunLock::take(int dirfd, const std::string& shown_dir) {
  const std::string path = (std::filesystem::path(shown_dir) / kLockFile).string();
  // Never through a link: the lock file is the run folder's own.
  const std::string name = dirfd == AT_FDCWD ? path : kLockFile;
  fd_ = ::openat(dirfd, name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error(path + ": cannot open the run's lock file (" + std::strerror(errno) +
                             ")");
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string who = err == EWOULDBLOCK ? describe_holder(fd_) : "";
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      throw std::runtime_error(shown_dir + " is in use by " + who + " (one process per run)");
    throw std::runtime_error(path + ": cannot lock (" + std::strerror(err) + ")");
  }
  const std::string me = std::to_string(::getpid()) + " " + host_name() + "\n";
  // Best effort: the record only improves the message another process prints.
  if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, me.data(), me.size(), 0);
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the lock
}

std::optional<std::string> RunLock::holder(const std::filesystem::path& dir) {
  const std::string path = (dir / kLockFile).string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<std::string> who;
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) who = describe_holder(fd);
  }
  ::close(fd);
  return who;
}

}  // namespace quddpm::app
