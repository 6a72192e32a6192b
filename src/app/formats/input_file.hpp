// Input files (configs, .npy files) are read only when they are regular files. A FIFO would
// block the open and every read until some writer came, a device or socket may never end, and
// a directory is no file: each is refused with its kind named, before anything can block.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <memory>
#include <string>

namespace quddpm::app {

// The kind of a file that is not a regular one ("FIFO", "directory", "character device", ...).
const char* special_file_kind(mode_t mode);

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using InputFile = std::unique_ptr<std::FILE, FileCloser>;

// Opens `path` for reading ("rb") when it is a regular file (a symbolic link to one counts);
// nothing on the way blocks. Otherwise returns null and sets `why` to one line: "it is a FIFO,
// not a regular file" or the open's error ("No such file or directory").
InputFile open_input_file(const std::string& path, std::string& why);

// The same for `name` relative to the folder descriptor `dirfd`, with a symbolic link at `name`
// refused (Links::kRefuse, inside run folders) or followed.
enum class Links;
InputFile open_input_at(int dirfd, const std::string& name, Links links, std::string& why);

// Appends what is left of the stream to `out`; false on a read error.
bool read_rest(std::FILE* f, std::string& out);

// The whole of `name` (relative to `dirfd`, opened as open_input_at does) into `bytes`. False
// on failure, with `why` the open's one-line reason, or empty when a read failed.
bool read_file_at(int dirfd, const std::string& name, Links links, std::string& bytes,
                  std::string& why);

}  // namespace quddpm::app
