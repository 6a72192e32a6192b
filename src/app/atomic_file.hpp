// Files that are either wholly there or not at all: written to a temporary name, flushed to
// disk, then renamed into place (a crash or kill never leaves half a file under the real name).
#pragma once

#include <string>

namespace quddpm::app {

// Writes `text` to `path` atomically; throws std::runtime_error "<path>: cannot write (...)".
void write_file_atomically(const std::string& path, const std::string& text);

// Flushes a directory's entries (renames, removals) to disk; best effort.
void sync_directory(const std::string& dir);

}  // namespace quddpm::app
