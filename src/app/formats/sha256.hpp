// SHA-256 (FIPS 180-4) of a byte string or a file: the input hashes of a run's manifest.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace quddpm::app {

// A digest fed piece by piece: the traces hash what they write as they write it, so that a
// checkpoint can name the hash of each trace's prefix without reading it back.
class Sha256 {
 public:
  void update(const char* data, std::size_t size);
  void update(const std::string& bytes) { update(bytes.data(), bytes.size()); }
  // Lower-case hex digest of everything fed so far (the object can go on being fed).
  std::string hex() const;

 private:
  std::array<std::uint32_t, 8> h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<unsigned char, 64> block_{};
  std::size_t used_ = 0;      // bytes waiting in block_
  std::uint64_t length_ = 0;  // bytes fed in all
};

// Lower-case hex digest of `bytes`.
std::string sha256_hex(const std::string& bytes);

enum class Links;

// Lower-case hex digest of the file's contents; throws std::runtime_error naming the file when
// it cannot be read. With Links::kRefuse a symbolic link at the path's last component is refused
// (a run's own copy of its target); by default one is followed (a user's input).
std::string sha256_file(const std::string& path);
std::string sha256_file(const std::string& path, Links links);

}  // namespace quddpm::app
