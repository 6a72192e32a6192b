#include "app/formats/folder.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "app/formats/input_file.hpp"

namespace fs = std::filesystem;

namespace quddpm::app {

Descriptor::Descriptor(int fd) {
  if (fd >= 0)
    fd_ = std::shared_ptr<const int>(new int(fd), [](const int* p) {
      ::close(*p);
      delete p;
    });
}

namespace {

std::string link_refused(const std::string& shown) {
  return shown + ": is a symbolic link; quddpm writes and reads inside a run folder only files " +
         "and folders it made (remove the link)";
}

Descriptor open_folder_at(int dirfd, const std::string& name, Links links,
                          const std::string& shown) {
  const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (links == Links::kRefuse ? O_NOFOLLOW : 0);
  const int fd = ::openat(dirfd, name.c_str(), flags);
  if (fd >= 0) return Descriptor(fd);
  const int err = errno;
  struct stat st {};
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(st.st_mode) && links == Links::kRefuse)
      throw std::runtime_error(link_refused(shown));
    if (!S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))
      throw std::runtime_error(shown + ": is a " + special_file_kind(st.st_mode) +
                               ", not a folder");
  }
  throw std::runtime_error(shown + ": cannot open the folder (" + std::strerror(err) + ")");
}

}  // namespace

Folder Folder::open(const fs::path& path, Links links) {
  const std::string p = path.empty() ? "." : path.string();
  return Folder(open_folder_at(AT_FDCWD, p, links, p), path);
}

Folder Folder::parent_of(const fs::path& path) {
  const fs::path parent = path.parent_path();
  return open(parent.empty() ? fs::path(".") : parent, Links::kFollow);
}

Folder Folder::child(const std::string& name, bool create) const {
  if (create && ::mkdirat(fd(), name.c_str(), 0755) != 0 && errno != EEXIST)
    throw std::runtime_error(shown(name) + ": cannot create the folder (" + std::strerror(errno) +
                             ")");
  return Folder(open_folder_at(fd(), name, Links::kRefuse, shown(name)), path_ / name);
}

std::string Folder::shown(const std::string& name) const {
  return path_.empty() || path_ == "." ? name : (path_ / name).string();
}

std::optional<struct stat> Folder::status(const std::string& name) const {
  struct stat st {};
  if (::fstatat(fd(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return {};
  return st;
}

Descriptor open_regular_at(int dirfd, const std::string& name, int flags, Links links,
                           std::string& why) {
  const bool refuse = links == Links::kRefuse;
  // Looked at first: opening a device may act on it, and a link is named as one.
  struct stat st {};
  if (::fstatat(dirfd, name.c_str(), &st, refuse ? AT_SYMLINK_NOFOLLOW : 0) == 0) {
    if (S_ISLNK(st.st_mode)) {
      why = "is a symbolic link, not a file quddpm made";
      return {};
    }
    if (!S_ISREG(st.st_mode)) {
      why = std::string("is a ") + special_file_kind(st.st_mode) + ", not a regular file";
      return {};
    }
  }
  // O_NONBLOCK: should a FIFO have taken the file's place since, the open still returns.
  const int fd =
      ::openat(dirfd, name.c_str(),
               flags | (refuse ? O_NOFOLLOW : 0) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
  if (fd < 0) {
    why = errno == ELOOP && refuse ? "is a symbolic link, not a file quddpm made"
                                   : std::strerror(errno);
    return {};
  }
  Descriptor d(fd);
  if (::fstat(fd, &st) != 0) {
    why = std::strerror(errno);
    return {};
  }
  if (!S_ISREG(st.st_mode)) {
    why = std::string("is a ") + special_file_kind(st.st_mode) + ", not a regular file";
    return {};
  }
  // A regular file's reads and writes never block: the flag is dropped for plain stdio.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return d;
}

std::FILE* open_stream_at(int dirfd, const std::string& name, int flags, const char* mode,
                          Links links, std::string& why) {
  const Descriptor d = open_regular_at(dirfd, name, flags, links, why);
  if (!d) return nullptr;
  const int fd = ::fcntl(d.get(), F_DUPFD_CLOEXEC, 0);  // the stream owns its own descriptor
  std::FILE* f = fd < 0 ? nullptr : ::fdopen(fd, mode);
  if (!f) {
    why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
  }
  return f;
}

Descriptor Folder::open_regular(const std::string& name, int flags, Links links,
                                std::string& why) const {
  return open_regular_at(fd(), name, flags, links, why);
}

std::FILE* Folder::open_stream(const std::string& name, int flags, const char* mode, Links links,
                               std::string& why) const {
  return open_stream_at(fd(), name, flags, mode, links, why);
}

std::optional<std::string> why_not_replaceable_at(int dirfd, const std::string& name) {
  struct stat st {};
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return {};  // nothing there
  if (S_ISREG(st.st_mode)) return {};
  return std::string("refusing to replace a ") + special_file_kind(st.st_mode) +
         " with a file (quddpm writes only regular files; choose another path)";
}

std::optional<std::string> Folder::why_not_replaceable(const std::string& name) const {
  return why_not_replaceable_at(fd(), name);
}

void Folder::write_atomically(const std::string& name,
                              const std::function<bool(std::FILE*)>& body) const {
  const std::string target = shown(name);
  if (const auto why = why_not_replaceable(name)) throw std::runtime_error(target + ": " + *why);
  const std::string tmp = name + ".tmp." + std::to_string(::getpid());
  auto fail = [&](const std::string& what, int err) {
    ::unlinkat(fd(), tmp.c_str(), 0);
    throw std::runtime_error(target + ": cannot write (" + what + ": " + std::strerror(err) + ")");
  };
  std::string why;
  std::FILE* f = open_stream(tmp, O_WRONLY | O_CREAT | O_TRUNC, "wb", Links::kRefuse, why);
  if (!f)
    throw std::runtime_error(target + ": cannot write (cannot create a temporary file " +
                             shown(tmp) + ": " + why + ")");
  errno = 0;
  const bool written = body(f) && std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  const int err = errno;
  if (std::fclose(f) != 0 && written) fail("close", errno);
  if (!written) fail("write", err);
  if (const auto why_now = why_not_replaceable(name)) {
    ::unlinkat(fd(), tmp.c_str(), 0);
    throw std::runtime_error(target + ": " + *why_now);
  }
  if (::renameat(fd(), tmp.c_str(), fd(), name.c_str()) != 0) fail("rename", errno);
}

void Folder::write_atomically(const std::string& name, const std::string& text) const {
  write_atomically(name, [&](std::FILE* f) {
    return std::fwrite(text.data(), 1, text.size(), f) == text.size();
  });
}

bool Folder::rename(const std::string& from, const std::string& to) const {
  return ::renameat(fd(), from.c_str(), fd(), to.c_str()) == 0;
}

bool Folder::remove(const std::string& name) const {
  return ::unlinkat(fd(), name.c_str(), 0) == 0;
}

bool Folder::remove_tree(const std::string& name) const {
  const auto st = status(name);
  if (!st) return errno == ENOENT;
  if (!S_ISDIR(st->st_mode)) return remove(name);
  bool ok = true;
  try {
    const Folder sub = child(name, false);  // O_NOFOLLOW: a folder swapped for a link is refused
    for (const auto& entry : sub.entries())
      ok = sub.remove_tree(entry) && ok;
  } catch (const std::runtime_error&) {
    errno = ELOOP;
    return false;
  }
  return ::unlinkat(fd(), name.c_str(), AT_REMOVEDIR) == 0 && ok;
}

std::vector<std::string> Folder::entries() const {
  std::vector<std::string> names;
  const int fd = ::fcntl(this->fd(), F_DUPFD_CLOEXEC, 0);  // closedir closes its own copy
  DIR* d = fd < 0 ? nullptr : ::fdopendir(fd);
  if (!d) {
    if (fd >= 0) ::close(fd);
    return names;
  }
  ::rewinddir(d);
  while (const dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

void Folder::sync() const {
  ::fsync(fd());
}

}  // namespace quddpm::app
