// SHA-256 (FIPS 180-4) of a byte string or a file: the input hashes of a run's manifest.
#pragma once

#include <cstddef>
#include <string>

namespace quddpm::app {

// Lower-case hex digest of `bytes`.
std::string sha256_hex(const std::string& bytes);

// Lower-case hex digest of the file's contents; throws std::runtime_error naming the file when
// it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace quddpm::app
