// SHA-256 as FIPS 180-4 specifies it: 64-byte blocks, 64 rounds of the compression function.
#include "app/formats/sha256.hpp"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>

#include "app/formats/folder.hpp"
#include "app/formats/input_file.hpp"

namespace quddpm::app {

namespace {

constexpr std::array<std::uint32_t, 64> kRound = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

std::uint32_t rotr(std::uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

void compress(std::array<std::uint32_t, 8>& h, const unsigned char* block) {
  std::uint32_t w[64];
  for (int i = 0; i < 16; ++i)
    w[i] = (std::uint32_t{block[4 * i]} << 24) | (std::uint32_t{block[4 * i + 1]} << 16) |
           (std::uint32_t{block[4 * i + 2]} << 8) | std::uint32_t{block[4 * i + 3]};
  for (int i = 16; i < 64; ++i) {
    const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (int i = 0; i < 64; ++i) {
    const std::uint32_t t1 =
        k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kRound[i] + w[i];
    const std::uint32_t t2 =
        (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  const std::uint32_t v[8] = {a, b, c, d, e, f, g, k};
  for (int i = 0; i < 8; ++i)
    h[i] += v[i];
}

}  // namespace

void Sha256::update(const char* data, std::size_t size) {
  length_ += size;
  while (size > 0) {
    const std::size_t take = std::min(size, block_.size() - used_);
    std::copy(data, data + take, block_.begin() + static_cast<std::ptrdiff_t>(used_));
    used_ += take;
    data += take;
    size -= take;
    if (used_ == block_.size()) {
      compress(h_, block_.data());
      used_ = 0;
    }
  }
}

std::string Sha256::hex() const {
  // The message, a 1 bit, zeros to 56 mod 64 bytes, then the bit length (big-endian), on a copy.
  Sha256 end = *this;
  const std::uint64_t bits = length_ * 8;
  const char one = static_cast<char>(0x80), zero = '\0';
  end.update(&one, 1);
  while (end.used_ != 56)
    end.update(&zero, 1);
  for (int i = 7; i >= 0; --i) {
    const char byte = static_cast<char>((bits >> (8 * i)) & 0xff);
    end.update(&byte, 1);
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (std::uint32_t x : end.h_)
    for (int i = 28; i >= 0; i -= 4)
      out.push_back(hex[(x >> i) & 0xf]);
  return out;
}

std::string sha256_hex(const std::string& bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex();
}

std::string sha256_file(const std::string& path) {
  return sha256_file(path, Links::kFollow);
}

std::string sha256_file(const std::string& path, Links links) {
  std::string why, bytes;  // read without blocking on a FIFO
  if (!read_file_at(AT_FDCWD, path, links, bytes, why)) {
    const std::string reason = why.empty() ? "(for its SHA-256)" : "(" + why + ") for its SHA-256";
    throw std::runtime_error(path + ": cannot read " + reason);
  }
  return sha256_hex(bytes);
}

}  // namespace quddpm::app
