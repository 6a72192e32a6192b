// Files that are either wholly there or not at all: written to a temporary name, flushed to
// disk, then renamed into place (a crash or kill never leaves half a file under the real name).
#pragma once

#include <cstdio>
#include <optional>
#include <string>

namespace quddpm::app {

// Writes `text` to `path` atomically; throws std::runtime_error "<path>: cannot write (...)".
// Refuses (ensure_replaceable) to replace anything that is not a regular file.
void write_file_atomically(const std::string& path, const std::string& text);

// Throws std::runtime_error "<path>: refusing to replace a <kind> ..." when `path` exists and is
// not a regular file (a directory, symbolic link, FIFO, socket or device): every writer calls it
// before it creates its temporary file and again just before the rename, so that a file output
// can never replace, say, /dev/full or the target of a symbolic link.
void ensure_replaceable(const std::string& path);

// The reason ensure_replaceable() would give ("refusing to replace a FIFO ..."), or nothing.
std::optional<std::string> why_not_replaceable(const std::string& path);

// Creates (or empties) a writer's temporary file without following a symbolic link planted at
// its name; null with errno set on failure (ELOOP for a link, EEXIST-like for a non-file).
std::FILE* create_temporary(const std::string& tmp);

// Flushes a directory's entries (renames, removals) to disk; best effort.
void sync_directory(const std::string& dir);

}  // namespace quddpm::app
