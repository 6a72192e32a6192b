// A folder held open by its descriptor. Everything inside a run folder is opened, created,
// renamed and removed relative to that descriptor (openat, renameat, unlinkat), never following
// a symbolic link at the name: a link planted inside the folder, or the folder renamed or
// replaced by a link while a run writes, can redirect nothing to a file outside it.
#pragma once

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace quddpm::app {

// An open file descriptor, closed with its last owner.
class Descriptor {
 public:
  Descriptor() = default;
  explicit Descriptor(int fd);
  int get() const { return fd_ ? *fd_ : -1; }
  explicit operator bool() const { return get() >= 0; }

 private:
  std::shared_ptr<const int> fd_;
};

// How a name inside a folder is opened: a symbolic link at the name is refused (run folders) or
// followed (a user's own paths, such as an input file given on the command line).
enum class Links { kRefuse, kFollow };

// open_regular and open_stream below, relative to any descriptor (AT_FDCWD: the working folder).
Descriptor open_regular_at(int dirfd, const std::string& name, int flags, Links links,
                           std::string& why);
std::FILE* open_stream_at(int dirfd, const std::string& name, int flags, const char* mode,
                          Links links, std::string& why);
// Folder::why_not_replaceable relative to any descriptor.
std::optional<std::string> why_not_replaceable_at(int dirfd, const std::string& name);

class Folder {
 public:
  // Opens the folder at `path`; with Links::kRefuse a symbolic link at its last component is
  // refused (an earlier component, chosen by the user, may be a link). Throws runtime_error
  // "<path>: ..." naming what is wrong.
  static Folder open(const std::filesystem::path& path, Links links);
  // The folder holding `path` (".", when it has none), following links.
  static Folder parent_of(const std::filesystem::path& path);

  // The sub-folder `name`, created when missing and `create`; a link or a non-folder there is
  // refused with a message naming it.
  Folder child(const std::string& name, bool create) const;

  const std::filesystem::path& path() const { return path_; }
  int fd() const { return fd_.get(); }
  // The path of `name` inside the folder, as messages show it.
  std::string shown(const std::string& name) const;

  // lstat of `name` (a link is reported as a link); nothing when it is absent.
  std::optional<struct stat> status(const std::string& name) const;
  bool has(const std::string& name) const { return status(name).has_value(); }

  // Opens `name` as a regular file with open(2) `flags` (O_CREAT makes it 0644); nothing on the
  // way blocks (O_NONBLOCK until it is known to be regular). Returns no descriptor and sets `why`
  // to one line ("is a symbolic link, ...", "is a FIFO, not a regular file", strerror) on failure.
  // With Links::kFollow a link to a regular file counts as one.
  Descriptor open_regular(const std::string& name, int flags, Links links, std::string& why) const;
  // The same, as a stdio stream in `mode`; null with `why` set on failure.
  std::FILE* open_stream(const std::string& name, int flags, const char* mode, Links links,
                         std::string& why) const;

  // Why `name` may not be replaced by a file (it is a link, a folder, a FIFO...), or nothing.
  std::optional<std::string> why_not_replaceable(const std::string& name) const;

  // Writes `name` whole or not at all: `body` writes into a temporary file of the folder, which
  // is flushed to disk and renamed onto `name`. `body` returns false on a write error (errno
  // set). Throws runtime_error "<path>: cannot write (...)"; a non-regular file at `name` is
  // refused before and again just before the rename.
  void write_atomically(const std::string& name, const std::function<bool(std::FILE*)>& body) const;
  void write_atomically(const std::string& name, const std::string& text) const;

  // renameat within the folder; false with errno set on failure.
  bool rename(const std::string& from, const std::string& to) const;
  // Removes the file or link `name` (never what a link points to); false with errno set.
  bool remove(const std::string& name) const;
  // Removes `name` and, for a folder, everything in it, without following any link; false
  // with errno set when something could not be removed.
  bool remove_tree(const std::string& name) const;
  // The names in the folder, sorted ("." and ".." left out).
  std::vector<std::string> entries() const;
  // Flushes the folder's entries (renames, removals) to disk; best effort.
  void sync() const;

 private:
  Folder(Descriptor fd, std::filesystem::path path) : fd_(std::move(fd)), path_(std::move(path)) {}
  Descriptor fd_;
  std::filesystem::path path_;
};

}  // namespace quddpm::app
