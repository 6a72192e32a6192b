#include "app/formats/npy.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace quddpm::npy {
namespace {

namespace fs = std::filesystem;

// Files numpy 1.24 wrote (np.lib.format.write_array), captured once with
//   /usr/bin/python3 -c 'import numpy as np, io; ...; print(buf.getvalue().hex())'
// so the tests need no Python.

// np.array([[1+2j, -0.5j]])  (complex128, shape (1, 2); -0.5j is complex(-0.0, -0.5))
constexpr std::string_view kNumpyC16x1x2 =
    "934e554d5059010076007b276465736372273a20273c633136272c2027666f727472616e5f6f72646572273a20"
    "46616c73652c20277368617065273a2028312c2032292c207d2020202020202020202020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020202020202020200a000000000000f0"
    "3f00000000000000400000000000000080000000000000e0bf";
// np.array([[1., 2., 3.], [4., 5., 6.5]])  (float64, shape (2, 3))
constexpr std::string_view kNumpyF8x2x3 =
    "934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046"
    "616c73652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020202020202020200a000000000000f0"
    "3f00000000000000400000000000000840000000000000104000000000000014400000000000001a40";
// np.array([7, -1, 1 << 40], dtype=np.int64)  (shape (3,))
constexpr std::string_view kNumpyI8x3 =
    "934e554d5059010076007b276465736372273a20273c6938272c2027666f727472616e5f6f72646572273a2046"
    "616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020202020202020200a07000000000000"
    "00ffffffffffffffff0000000000010000";
// np.array([[0.6, 0.8j], [1, 0]]) written with version=(2, 0)
constexpr std::string_view kNumpyC16V2 =
    "934e554d50590200740000007b276465736372273a20273c633136272c2027666f727472616e5f6f7264657227"
    "3a2046616c73652c20277368617065273a2028322c2032292c207d202020202020202020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020202020202020200a333333333333e3"
    "3f000000000000000000000000000000009a9999999999e93f000000000000f03f000000000000000000000000"
    "000000000000000000000000";
// np.array([0.25, -3.0]) written with version=(3, 0)
constexpr std::string_view kNumpyF8V3 =
    "934e554d50590300740000007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a"
    "2046616c73652c20277368617065273a2028322c292c207d202020202020202020202020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020202020202020200a000000000000d0"
    "3f00000000000008c0";
// np.asfortranarray(np.arange(6.).reshape(2, 3))
constexpr std::string_view kNumpyF8Fortran =
    "934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2054"
    "7275652c20277368617065273a2028322c2033292c207d20202020202020202020202020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020202020202020200a00000000000000"
    "000000000000000840000000000000f03f000000000000104000000000000000400000000000001440";

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

template <typename T>
std::string bytes_of(const T* p, std::size_t n) {
  return std::string(reinterpret_cast<const char*>(p), n * sizeof(T));
}

// A .npy file with a hand-written header dict, padded the way numpy pads.
std::string npy_bytes(const std::string& dict, const std::string& body, int major = 1) {
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  std::string header = dict;
  const std::size_t unpadded = 8 + len_bytes + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t i = 0; i < len_bytes; ++i)
    out += static_cast<char>(header.size() >> (8 * i));
  return out + header + body;
}

std::string dict_of(const std::string& descr, const std::string& shape, bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}

// Row-major amplitudes of `rows` copies of the normalized state (0.6, 0.8i, 0, ...).
std::string state_body(std::size_t rows, std::size_t cols) {
  std::vector<double> v(2 * rows * cols, 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    v[2 * r * cols] = 0.6;
    if (cols > 1) v[2 * r * cols + 3] = 0.8;
  }
  return bytes_of(v.data(), v.size());
}

class NpyTempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) / ("quddpm_npy_" + std::to_string(::getpid()) + "_" +
                                             info->test_suite_name() + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string put(const std::string& name, const std::string& bytes) const {
    const std::string p = path(name);
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }

  static std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // Names of everything in the directory, to spot leftover temporary files.
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_))
      names.push_back(e.path().filename().string());
    return names;
  }

  fs::path dir_;
};

// Runs `read`, expecting an Error whose one-line message names `file` and contains `phrase`.
template <typename F>
void expect_error(F&& read, const std::string& file, const std::string& phrase) {
  try {
    read();
    ADD_FAILURE() << "no error for " << file << " (wanted \"" << phrase << "\")";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(file), std::string::npos) << msg;
    EXPECT_NE(msg.find(phrase), std::string::npos) << "wanted \"" << phrase << "\" in: " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_EQ(msg.rfind(file + ": ", 0), 0U) << "message should start with the path: " << msg;
  }
}

// ------------------------------------------------------------------------------------------

class NpyRoundTrip : public NpyTempDir {};

TEST_F(NpyRoundTrip, States1x1) {
  StateMatrix m(1, 1);
  m(0, 0) = std::polar(1.0, 0.3);
  write_states(path("s.npy"), m);
  const StateMatrix back = read_states(path("s.npy"));
  ASSERT_EQ(back.rows(), 1);
  ASSERT_EQ(back.cols(), 1);
  EXPECT_EQ(back(0, 0), m(0, 0));
}

TEST_F(NpyRoundTrip, States3x8ExactAndInCOrder) {
  StateMatrix m(3, 8);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 8; ++c)
      m(r, c) = cplx(std::sin(1.0 + r * 8 + c), std::cos(0.3 * c - r));
    m.row(r).normalize();
  }
  write_states(path("s.npy"), m);
  const StateMatrix back = read_states(path("s.npy"));
  ASSERT_EQ(back.rows(), 3);
  ASSERT_EQ(back.cols(), 8);
  EXPECT_TRUE(back == m);  // bit-exact

  // Element (r, c) sits at complex index r * 8 + c after the 128-byte header.
  const std::string raw = slurp(path("s.npy"));
  ASSERT_EQ(raw.size(), 128 + 3 * 8 * 16U);
  cplx z;
  std::memcpy(&z, raw.data() + 128 + (2 * 8 + 5) * 16, 16);
  EXPECT_EQ(z, m(2, 5));
}

TEST_F(NpyRoundTrip, RealsNonSquareKeepCOrder) {
  RealMatrix m(2, 3);  // column-major in memory; the file must still be C order
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 3; ++c)
      m(r, c) = 10.0 * r + c + 0.5;
  }
  write_reals(path("r.npy"), m);
  const std::string raw = slurp(path("r.npy"));
  ASSERT_EQ(raw.size(), 128 + 6 * 8U);
  std::vector<double> body(6);
  std::memcpy(body.data(), raw.data() + 128, 48);
  EXPECT_EQ(body, (std::vector<double>{0.5, 1.5, 2.5, 10.5, 11.5, 12.5}));

  const RealMatrix back = read_reals(path("r.npy"));
  ASSERT_EQ(back.rows(), 2);
  ASSERT_EQ(back.cols(), 3);
  EXPECT_TRUE(back == m);
}

TEST_F(NpyRoundTrip, RealsOtherShapes) {
  for (const auto& [rows, cols] :
       std::vector<std::pair<int, int>>{{1, 1}, {3, 8}, {8, 3}, {0, 3}, {1, 0}}) {
    RealMatrix m(rows, cols);
    for (int i = 0; i < m.size(); ++i)
      m.data()[i] = -1.25 * i + 1e-300;
    write_reals(path("r.npy"), m);
    const RealMatrix back = read_reals(path("r.npy"));
    ASSERT_EQ(back.rows(), rows);
    ASSERT_EQ(back.cols(), cols);
    EXPECT_TRUE(back == m) << rows << "x" << cols;
  }
}

TEST_F(NpyRoundTrip, Ints) {
  const std::vector<std::int64_t> v = {0,
                                       7,
                                       -1,
                                       std::int64_t{1} << 40,
                                       std::numeric_limits<std::int64_t>::min(),
                                       std::numeric_limits<std::int64_t>::max()};
  write_ints(path("i.npy"), v);
  EXPECT_EQ(read_ints(path("i.npy")), v);

  write_ints(path("empty.npy"), {});
  EXPECT_TRUE(read_ints(path("empty.npy")).empty());
}

TEST_F(NpyRoundTrip, IntsAsOneRowOrColumn) {
  const std::vector<std::int64_t> v = {3, 1, 2};
  const std::string body = bytes_of(v.data(), v.size());
  EXPECT_EQ(read_ints(put("col.npy", npy_bytes(dict_of("<i8", "(3, 1)"), body))), v);
  EXPECT_EQ(read_ints(put("row.npy", npy_bytes(dict_of("<i8", "(1, 3)"), body))), v);
}

TEST_F(NpyRoundTrip, OneDimensionalStateIsOneRow) {
  const StateMatrix m =
      read_states(put("s.npy", npy_bytes(dict_of("<c16", "(4,)"), state_body(1, 4))));
  ASSERT_EQ(m.rows(), 1);
  ASSERT_EQ(m.cols(), 4);
  EXPECT_EQ(m(0, 1), cplx(0, 0.8));
}

TEST_F(NpyRoundTrip, OverwritesAndLeavesNoTemporaryFile) {
  write_ints(path("i.npy"), {1, 2, 3});
  write_ints(path("i.npy"), {4});
  EXPECT_EQ(read_ints(path("i.npy")), (std::vector<std::int64_t>{4}));
  EXPECT_EQ(listing(), (std::vector<std::string>{"i.npy"}));
}

// ------------------------------------------------------------------------------------------

class NpyNumpyCompat : public NpyTempDir {};

TEST_F(NpyNumpyCompat, WritesTheSameBytesAsNumpy) {
  StateMatrix s(1, 2);
  s << cplx(1, 2), cplx(-0.0, -0.5);  // Python's -0.5j has a real part of -0.0
  write_states(path("s.npy"), s);
  EXPECT_EQ(slurp(path("s.npy")), from_hex(kNumpyC16x1x2));

  RealMatrix r(2, 3);
  r << 1, 2, 3, 4, 5, 6.5;
  write_reals(path("r.npy"), r);
  EXPECT_EQ(slurp(path("r.npy")), from_hex(kNumpyF8x2x3));

  write_ints(path("i.npy"), {7, -1, std::int64_t{1} << 40});
  EXPECT_EQ(slurp(path("i.npy")), from_hex(kNumpyI8x3));
}

TEST_F(NpyNumpyCompat, HeaderLengthIsAMultipleOf64) {
  // The length of the first dimension's digits moves the padding; numpy aligns to 64 always.
  for (std::size_t n : {0, 1, 9, 10, 99, 100, 12345}) {
    write_ints(path("i.npy"), std::vector<std::int64_t>(n, 5));
    const std::string raw = slurp(path("i.npy"));
    const std::size_t header_end = raw.find('\n') + 1;
    EXPECT_EQ(header_end % 64, 0U) << n;
    EXPECT_EQ(raw.size(), header_end + 8 * n);
    EXPECT_EQ(read_ints(path("i.npy")).size(), n);
  }
}

TEST_F(NpyNumpyCompat, ReadsVersion2) {
  const StateMatrix m = read_states(put("v2.npy", from_hex(kNumpyC16V2)));
  ASSERT_EQ(m.rows(), 2);
  ASSERT_EQ(m.cols(), 2);
  EXPECT_EQ(m(0, 0), cplx(0.6, 0));
  EXPECT_EQ(m(0, 1), cplx(0, 0.8));
  EXPECT_EQ(m(1, 0), cplx(1, 0));
  EXPECT_EQ(m(1, 1), cplx(0, 0));
}

TEST_F(NpyNumpyCompat, ReadsVersion3AndOneDimensionalReals) {
  const RealMatrix m = read_reals(put("v3.npy", from_hex(kNumpyF8V3)));
  ASSERT_EQ(m.rows(), 1);
  ASSERT_EQ(m.cols(), 2);
  EXPECT_EQ(m(0, 0), 0.25);
  EXPECT_EQ(m(0, 1), -3.0);
}

TEST_F(NpyNumpyCompat, AcceptsHeaderVariantsPythonWouldParse) {
  const double x[3] = {1.5, -2, 3};
  const std::string body = bytes_of(x, 3);
  const std::vector<std::string> dicts = {
      "{'shape': (3,), 'fortran_order': False, 'descr': '<f8'}",
      "{ 'fortran_order' :False,'descr':'<f8' , 'shape':( 3 , ) , }",
      "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (1, 3)}",
      "{'descr': u'<f8', 'fortran_order': False, 'shape': (3L,), }",  // Python 2 numpy
      "{\n\t'descr': '<f8',\n\t'fortran_order': False,\n\t'shape': (+3,)\n}",
  };
  for (const std::string& d : dicts) {
    for (int major : {1, 2}) {
      const RealMatrix m = read_reals(put("h.npy", npy_bytes(d, body, major)));
      ASSERT_EQ(m.rows(), 1) << d;
      ASSERT_EQ(m.cols(), 3) << d;
      EXPECT_EQ(m(0, 1), -2.0) << d;
    }
  }
}

// ------------------------------------------------------------------------------------------

class NpyMalformed : public NpyTempDir {};

TEST_F(NpyMalformed, MissingFile) {
  const std::string p = path("nope.npy");
  expect_error([&] { read_states(p); }, p, "cannot open for reading: No such file");
  expect_error([&] { read_reals(p); }, p, "cannot open");
  expect_error([&] { read_ints(p); }, p, "cannot open");
}

TEST_F(NpyMalformed, Directory) {
  const std::string p = path("dir.npy");
  fs::create_directory(p);
  expect_error([&] { read_reals(p); }, p,
               "cannot open for reading: it is a directory, not a regular file");
}

TEST_F(NpyMalformed, BadMagic) {
  for (const std::string& bytes :
       {std::string(), std::string("\x93NUM"), std::string("PK\x03\x04 this is a zip"),
        std::string("\x93numpy\x01\x00")}) {
    const std::string p = put("bad.npy", bytes);
    expect_error([&] { read_states(p); }, p, "not a .npy file: bad magic");
  }
}

TEST_F(NpyMalformed, UnsupportedVersion) {
  std::string bytes = npy_bytes(dict_of("<f8", "(1,)"), std::string(8, '\0'));
  bytes[6] = 4;
  expect_error([&] { read_reals(put("v.npy", bytes)); }, path("v.npy"),
               "unsupported .npy format version 4.0");
  bytes[6] = 1;
  bytes[7] = 1;
  expect_error([&] { read_reals(put("v.npy", bytes)); }, path("v.npy"),
               "unsupported .npy format version 1.1");
}

TEST_F(NpyMalformed, TruncatedHeader) {
  const std::string full = npy_bytes(dict_of("<f8", "(1,)"), std::string(8, '\0'));
  for (std::size_t keep : {7, 8, 9, 40}) {
    const std::string p = put("t.npy", full.substr(0, keep));
    expect_error([&] { read_reals(p); }, p, "truncated .npy header");
  }
  // Version 2.0 with an absurd 4-byte header length.
  std::string huge = "\x93NUMPY\x02";
  huge += std::string("\0\xff\xff\xff\x7f", 5);
  huge += "{}";
  expect_error([&] { read_reals(put("h.npy", huge)); }, path("h.npy"), "truncated .npy header");
}

TEST_F(NpyMalformed, BrokenHeader) {
  const std::string body(24, '\0');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "expected a value"},
      {"[('descr', '<f8')]", "not a dictionary"},
      {"{'descr': '<f8', 'fortran_order': False}", "missing key 'shape'"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1}", "unexpected key 'x'"},
      {"{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (3,)}",
       "duplicate key 'descr'"},
      {"{'descr': '<f8, 'fortran_order': False, 'shape': (3,)}", "expected ',' or '}', found 'f'"},
      {"{'descr' '<f8', 'fortran_order': False, 'shape': (3,)}", "expected ':', found '''"},
      {"{'descr': '<f8}", "unterminated string"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (3,)",
       "expected ',' or '}', found end of header"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (3,)} junk", "unexpected text"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': [3]}", "must be a tuple"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (3)}", "must be a tuple"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (3.0,)}",
       "expected ',' or ')', found '.'"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': ('3',)}", "must be a tuple"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (-3,)}", "negative dimension"},
      {"{'descr': '<f8', 'fortran_order': 0, 'shape': (3,)}", "must be True or False"},
      {"{'descr': '<f8', 'fortran_order': false, 'shape': (3,)}", "unknown name 'false'"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': " + std::string(100, '(') + "}",
       "nesting too deep"},
  };
  for (const auto& [dict, phrase] : cases) {
    const std::string p = put("h.npy", npy_bytes(dict, body));
    expect_error([&] { read_reals(p); }, p, "broken .npy header: ");
    expect_error([&] { read_reals(p); }, p, phrase);
  }
  // Control bytes in a header never break the one-line message.
  const std::string p = put("c.npy", npy_bytes("{'descr': '<f8',\x01\x7f\n}", body));
  expect_error([&] { read_reals(p); }, p, "\\x01");
}

TEST_F(NpyMalformed, WrongDtype) {
  const std::string body(64, '\0');
  std::string p = put("f4.npy", npy_bytes(dict_of("<f4", "(1, 2)"), body));
  expect_error([&] { read_states(p); }, p,
               "expected dtype '<c16' (complex128), found '<f4' (float32)");
  p = put("c16.npy", npy_bytes(dict_of("<c16", "(1, 2)"), body));
  expect_error([&] { read_reals(p); }, p,
               "expected dtype '<f8' (float64), found '<c16' (complex128)");
  p = put("i4.npy", npy_bytes(dict_of("<i4", "(2,)"), body));
  expect_error([&] { read_ints(p); }, p, "expected dtype '<i8' (int64), found '<i4' (int32)");
  p = put("u.npy", npy_bytes(dict_of("<U3", "(2,)"), body));
  expect_error([&] { read_ints(p); }, p, "found '<U3'");
  p = put("rec.npy", npy_bytes("{'descr': [('re', '<f8'), ('im', '<f8')], 'fortran_order': False, "
                               "'shape': (2,), }",
                               body));
  expect_error([&] { read_states(p); }, p, "found structured dtype [('re', '<f8'), ('im', '<f8')]");
}

TEST_F(NpyMalformed, BigEndian) {
  const std::string p = put("be.npy", npy_bytes(dict_of(">c16", "(1, 2)"), state_body(1, 2)));
  expect_error([&] { read_states(p); }, p, "found '>c16' (big-endian complex128)");
  expect_error([&] { read_states(p); }, p, "big-endian data is not supported");
  const std::string q = put("be8.npy", npy_bytes(dict_of(">f8", "(2,)"), std::string(16, '\0')));
  expect_error([&] { read_reals(q); }, q, "big-endian");
}

TEST_F(NpyMalformed, FortranOrder) {
  const std::string p = put("f.npy", from_hex(kNumpyF8Fortran));
  expect_error([&] { read_reals(p); }, p, "found fortran_order True");
}

TEST_F(NpyMalformed, TruncatedAndOverlongData) {
  const std::string body = state_body(2, 4);  // 128 bytes
  std::string p = put("short.npy", npy_bytes(dict_of("<c16", "(2, 4)"), body.substr(0, 100)));
  expect_error([&] { read_states(p); }, p, "truncated data: shape (2, 4) of '<c16' needs 128");
  p = put("long.npy", npy_bytes(dict_of("<c16", "(2, 4)"), body + std::string(16, '\0')));
  expect_error([&] { read_states(p); }, p, "data longer than its shape");
  p = put("long_empty.npy", npy_bytes(dict_of("<i8", "(0,)"), std::string(8, '\0')));
  expect_error([&] { read_ints(p); }, p, "data longer than its shape");
  p = put("short_r.npy", npy_bytes(dict_of("<f8", "(3, 3)"), std::string(71, '\0')));
  expect_error([&] { read_reals(p); }, p, "truncated data");
}

// Reals are parameters and Adam moments: a NaN or infinity there is a broken file, refused
// with its position as read_states refuses non-finite amplitudes.
TEST_F(NpyMalformed, NonFiniteReals) {
  for (double bad : {std::nan(""), HUGE_VAL, -HUGE_VAL}) {
    quddpm::RealMatrix m = quddpm::RealMatrix::Zero(2, 3);
    m(1, 2) = bad;
    const std::string p = path("nonfinite.npy");
    write_reals(p, m);
    expect_error([&] { read_reals(p); }, p, "non-finite value in row 1, column 2");
  }
}

TEST_F(NpyMalformed, WrongRank) {
  std::string p = put("s3.npy", npy_bytes(dict_of("<c16", "(1, 1, 2)"), state_body(1, 2)));
  expect_error([&] { read_states(p); }, p, "found shape (1, 1, 2)");
  p = put("s0.npy", npy_bytes(dict_of("<c16", "()"), state_body(1, 1)));
  expect_error([&] { read_states(p); }, p, "found shape ()");
  p = put("r0.npy", npy_bytes(dict_of("<f8", "()"), std::string(8, '\0')));
  expect_error([&] { read_reals(p); }, p, "expected a 1-D or 2-D array, found shape ()");
  p = put("i2.npy", npy_bytes(dict_of("<i8", "(2, 2)"), std::string(32, '\0')));
  expect_error([&] { read_ints(p); }, p, "found shape (2, 2)");
}

TEST_F(NpyMalformed, ZeroRowsOfStates) {
  const std::string p = put("z.npy", npy_bytes(dict_of("<c16", "(0, 4)"), ""));
  expect_error([&] { read_states(p); }, p, "expected at least one state (row), found shape (0, 4)");
}

TEST_F(NpyMalformed, ShapeOverflow) {
  for (const std::string shape : {"(4294967296, 4294967296)", "(4611686018427387904, 2)",
                                  "(9223372036854775808, 0)", "(1, 576460752303423488)"}) {
    const std::string p = put("o.npy", npy_bytes(dict_of("<c16", shape), ""));
    expect_error([&] { read_states(p); }, p,
                 "shape " + shape + " is too large: its size overflows");
  }
  const std::string p = put("o.npy", npy_bytes(dict_of("<f8", "(99999999999999999999999,)"), ""));
  expect_error([&] { read_reals(p); }, p, "overflows");
}

TEST_F(NpyMalformed, MessagesEscapeControlCharactersInPaths) {
  const std::string p = path("bad\nname.npy");
  try {
    read_ints(p);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_NE(msg.find("bad\\x0aname.npy: cannot open"), std::string::npos) << msg;
  }
}

// ------------------------------------------------------------------------------------------

class NpyStates : public NpyTempDir {};

TEST_F(NpyStates, PowerOfTwoColumns) {
  std::string p = put("six.npy", npy_bytes(dict_of("<c16", "(2, 6)"), state_body(2, 6)));
  expect_error([&] { read_states(p); }, p,
               "expected a power-of-two number of amplitudes per state, found 6 (shape (2, 6))");
  p = put("none.npy", npy_bytes(dict_of("<c16", "(3, 0)"), ""));
  expect_error([&] { read_states(p); }, p, "power-of-two");
}

TEST_F(NpyStates, NonFiniteAmplitudes) {
  StateMatrix m = StateMatrix::Zero(3, 2);
  m.col(0).setOnes();
  m(1, 1) = cplx(0, std::nan(""));
  std::string p =
      put("nan.npy", npy_bytes(dict_of("<c16", "(3, 2)"), bytes_of(m.data(), m.size())));
  expect_error([&] { read_states(p); }, p, "non-finite amplitude in row 1, column 1");
  m(1, 1) = 0;
  m(2, 0) = std::numeric_limits<double>::infinity();
  p = put("inf.npy", npy_bytes(dict_of("<c16", "(3, 2)"), bytes_of(m.data(), m.size())));
  expect_error([&] { read_states(p); }, p, "non-finite amplitude in row 2, column 0: (inf, 0)");
}

TEST_F(NpyStates, RowsMustBeNormalized) {
  StateMatrix m = StateMatrix::Zero(3, 2);
  m.col(0).setOnes();
  m(2, 0) = 1.5;
  std::string p = put("n.npy", npy_bytes(dict_of("<c16", "(3, 2)"), bytes_of(m.data(), m.size())));
  expect_error([&] { read_states(p); }, p, "state in row 2 has norm 1.5 (expected 1 within 1e-6)");

  m(2, 0) = 1 + 5e-7;  // inside the tolerance
  p = put("ok.npy", npy_bytes(dict_of("<c16", "(3, 2)"), bytes_of(m.data(), m.size())));
  EXPECT_NO_THROW(read_states(p));
  m(2, 0) = 1 - 2e-6;
  p = put("off.npy", npy_bytes(dict_of("<c16", "(3, 2)"), bytes_of(m.data(), m.size())));
  expect_error([&] { read_states(p); }, p, "state in row 2 has norm 0.999998");
  m(2, 0) = 0;
  p = put("zero.npy", npy_bytes(dict_of("<c16", "(3, 2)"), bytes_of(m.data(), m.size())));
  expect_error([&] { read_states(p); }, p, "state in row 2 has norm 0 ");
}

// ------------------------------------------------------------------------------------------

class NpyWrite : public NpyTempDir {};

TEST_F(NpyWrite, MissingDirectoryIsAnError) {
  const std::string p = path("no/such/dir/x.npy");
  expect_error([&] { write_ints(p, {1}); }, p, "cannot write");
  expect_error([&] { write_reals(p, RealMatrix::Zero(1, 1)); }, p, "No such file or directory");
  EXPECT_EQ(listing(), std::vector<std::string>{});
}

TEST_F(NpyWrite, FailedRenameLeavesNoTemporaryAndKeepsTarget) {
  const std::string p = path("target");
  fs::create_directory(p);
  fs::create_directory(p + "/keep");  // a non-empty directory cannot be replaced by a file
  StateMatrix m(1, 1);
  m(0, 0) = 1;
  expect_error([&] { write_states(p, m); }, p, "cannot write");
  EXPECT_EQ(listing(), std::vector<std::string>{"target"});
  EXPECT_TRUE(fs::is_directory(p + "/keep"));
}

}  // namespace
}  // namespace quddpm::npy
