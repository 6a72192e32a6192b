// Files that are either wholly there or not at all: written to a temporary name, flushed to
// disk, then renamed into place (a crash or kill never leaves half a file under the real name).
// These take a user's path; files inside a run folder go through its Folder
// (app/formats/folder.hpp).
#pragma once

#include <optional>
#include <string>

namespace quddpm::app {

// Writes `text` to `path` atomically; throws std::runtime_error "<path>: cannot write (...)".
// Refuses (ensure_replaceable) to replace anything that is not a regular file.
void write_file_atomically(const std::string& path, const std::string& text);

// Throws std::runtime_error "<path>: refusing to replace a <kind> ..." when `path` exists and is
// not a regular file (a directory, symbolic link, FIFO, socket or device): every writer checks
// before it creates its temporary file and again just before the rename, so that a file output
// can never replace, say, /dev/full or the target of a symbolic link.
void ensure_replaceable(const std::string& path);

// The reason ensure_replaceable() would give ("refusing to replace a FIFO ..."), or nothing.
std::optional<std::string> why_not_replaceable(const std::string& path);

}  // namespace quddpm::app
