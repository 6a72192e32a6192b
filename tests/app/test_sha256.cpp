// The SHA-256 behind run ids and the manifest's input hashes, against FIPS 180-4's examples.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "app/formats/sha256.hpp"

namespace {

using quddpm::app::sha256_hex;

TEST(Sha256, MatchesTheStandardsExamples) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // Two blocks of padding (55, 56 and 64 bytes sit on the boundaries).
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Fed in pieces of every size, hex() read between pieces: the same digests as in one piece,
// the million a's included (FIPS 180-4's third long example).
TEST(Sha256, PiecesGiveTheOneShotDigest) {
  const std::string million(1000000, 'a');
  for (std::size_t piece : {1u, 3u, 55u, 56u, 63u, 64u, 65u, 4096u, 999999u}) {
    quddpm::app::Sha256 h;
    for (std::size_t at = 0; at < million.size(); at += piece) {
      h.update(million.data() + at, std::min(piece, million.size() - at));
      if (at == 0) {
        EXPECT_EQ(h.hex(), sha256_hex(million.substr(0, std::min(piece, million.size()))));
      }
    }
    EXPECT_EQ(h.hex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") << piece;
  }
  quddpm::app::Sha256 abc;
  abc.update("ab", 2);
  abc.update("c", 1);
  EXPECT_EQ(abc.hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
