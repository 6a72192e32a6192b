#include "app/formats/input_file.hpp"

#include "app/formats/folder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace quddpm::app {

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
  return open_input_at(AT_FDCWD, path, Links::kFollow, why);
}

InputFile open_input_at(int dirfd, const std::string& name, Links links, std::string& why) {
  InputFile file(open_stream_at(dirfd, name, O_RDONLY, "rb", links, why));
  // The one-line reasons read "it is a FIFO, not a regular file" after the path's colon.
  if (!file && why.rfind("is a ", 0) == 0) why = "it " + why;
  return file;
}

bool read_file_at(int dirfd, const std::string& name, Links links, std::string& bytes,
                  std::string& why) {
  const InputFile in = open_input_at(dirfd, name, links, why);
  if (!in) return false;
  if (read_rest(in.get(), bytes)) return true;
  why.clear();
  return false;
}

bool read_rest(std::FILE* f, std::string& out) {
  char buf[1 << 16];
  for (std::size_t got; (got = std::fread(buf, 1, sizeof buf, f)) > 0;)
    out.append(buf, got);
  return !std::ferror(f);
}

}  // namespace quddpm::app
