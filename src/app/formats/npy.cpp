#include "app/formats/npy.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <sstream>
#include <string_view>
#include <system_error>
#include <utility>

#include "app/formats/folder.hpp"
#include "app/formats/input_file.hpp"

namespace quddpm::npy {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicLen = 6;
// numpy refuses headers over 10000 bytes by default; we only need a bound that stops a corrupt
// length field from making us allocate gigabytes.
constexpr std::uint64_t kMaxHeaderLen = std::uint64_t{1} << 20;
// Bounds recursion on hostile headers such as "((((((...".
constexpr int kMaxDepth = 32;
constexpr double kNormTolerance = 1e-6;
// numpy >= 1.24 pads the header so the first axis can grow to this many digits in place; we
// copy it so our files are byte-identical to np.save's.
constexpr std::size_t kGrowthAxisMaxDigits = 21;
constexpr std::size_t kArrayAlign = 64;

struct DType {
  const char* descr;
  const char* name;
  std::size_t itemsize;
};
constexpr DType kC16{"<c16", "complex128", 16};
constexpr DType kF8{"<f8", "float64", 8};
constexpr DType kI8{"<i8", "int64", 8};

// Renders bytes for a one-line message: control and non-ASCII bytes become \xNN, long text is
// cut, so what() never spans lines whatever the file holds.
std::string printable(std::string_view s, std::size_t max_len = 120) {
  std::string out;
  for (const char ch : s) {
    if (out.size() >= max_len) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Error(printable(path, std::string::npos) + ": " + what);
}

std::string errno_text(int err) {
  return err != 0 ? std::strerror(err) : "unknown error";
}

using File = std::unique_ptr<std::FILE, app::FileCloser>;

bool host_is_little_endian() {
  const std::uint16_t one = 1;
  unsigned char first = 0;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

// Every supported dtype is made of 8-byte words (a complex128 is two float64).
void swap_words(unsigned char* p, std::size_t nwords) {
  for (std::size_t i = 0; i < nwords; ++i)
    std::reverse(p + 8 * i, p + 8 * i + 8);
}

// ---------------------------------------------------------------------------------------------
// The header is a Python dict literal; this parses the subset numpy writes (and hand-written
// variants Python's literal_eval would accept), keeping source text for messages.

struct PyValue {
  enum class Kind { kStr, kBool, kNone, kInt, kTuple, kList, kDict };
  Kind kind = Kind::kNone;
  std::string str;              // kStr
  bool flag = false;            // kBool
  bool negative = false;        // kInt
  bool too_big = false;         // kInt: magnitude does not fit 64 bits
  std::uint64_t magnitude = 0;  // kInt
  std::vector<PyValue> items;   // kTuple, kList; kDict as key, value, key, value, ...
  std::string text;             // source text
};

struct ParseError {
  std::string what;
};

class HeaderParser {
 public:
  explicit HeaderParser(std::string_view s) : s_(s) {}

  PyValue parse() {
    PyValue v = value(0);
    skip_ws();
    if (pos_ != s_.size()) error("unexpected text after the dictionary");
    return v;
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    throw ParseError{what + " at offset " + std::to_string(pos_)};
  }
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }
  void skip_ws() {
    while (!at_end() && is_space(s_[pos_]))
      ++pos_;
  }
  static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  }
  std::string found() const {
    return at_end() ? std::string("end of header") : "'" + printable(s_.substr(pos_, 1)) + "'";
  }
  void expect(char c) {
    skip_ws();
    if (peek() != c) error(std::string("expected '") + c + "', found " + found());
    ++pos_;
  }

  PyValue value(int depth) {
    if (depth > kMaxDepth) error("nesting too deep");
    skip_ws();
    const std::size_t start = pos_;
    PyValue v;
    const char c = peek();
    if (at_end()) {
      error("expected a value, found end of header");
    } else if (c == '\'' || c == '"' ||
               ((c == 'u' || c == 'U') && pos_ + 1 < s_.size() &&
                (s_[pos_ + 1] == '\'' || s_[pos_ + 1] == '"'))) {
      parse_string(v);
    } else if (c == '{') {
      parse_sequence(v, PyValue::Kind::kDict, '}', depth);
    } else if (c == '(') {
      parse_sequence(v, PyValue::Kind::kTuple, ')', depth);
    } else if (c == '[') {
      parse_sequence(v, PyValue::Kind::kList, ']', depth);
    } else if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
      parse_int(v);
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      parse_name(v);
    } else {
      error("unexpected character '" + printable(s_.substr(pos_, 1)) + "'");
    }
    // A parenthesized single value "(3)" is that value, not a tuple; keep its own text.
    if (v.text.empty()) v.text = std::string(s_.substr(start, pos_ - start));
    return v;
  }

  void parse_string(PyValue& v) {
    if (peek() == 'u' || peek() == 'U') ++pos_;  // Python 2 headers may say u'<f8'
    const char quote = s_[pos_++];
    v.kind = PyValue::Kind::kStr;
    while (true) {
      if (at_end() || peek() == '\n') error("unterminated string");
      char c = s_[pos_++];
      if (c == quote) return;
      if (c == '\\') {
        if (at_end()) error("unterminated string");
        c = s_[pos_++];
      }
      v.str += c;
    }
  }

  void parse_int(PyValue& v) {
    v.kind = PyValue::Kind::kInt;
    if (peek() == '+' || peek() == '-') {
      v.negative = peek() == '-';
      ++pos_;
      skip_ws();
    }
    if (!(peek() >= '0' && peek() <= '9')) error("expected digits");
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    while (peek() >= '0' && peek() <= '9') {
      const auto d = static_cast<std::uint64_t>(peek() - '0');
      if (v.magnitude > (kMax - d) / 10) v.too_big = true;
      v.magnitude = v.magnitude * 10 + d;
      ++pos_;
    }
    if (peek() == 'L' || peek() == 'l') ++pos_;  // Python 2 long suffix, as numpy tolerates
    if (v.magnitude == 0) v.negative = false;
  }

  void parse_name(PyValue& v) {
    const std::size_t start = pos_;
    while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_')
      ++pos_;
    const std::string_view word = s_.substr(start, pos_ - start);
    if (word == "True" || word == "False") {
      v.kind = PyValue::Kind::kBool;
      v.flag = word == "True";
    } else if (word == "None") {
      v.kind = PyValue::Kind::kNone;
    } else {
      pos_ = start;
      error("unknown name '" + printable(word) + "'");
    }
  }

  // Parses "{k: v, ...}", "(a, ...)" or "[a, ...]" with an optional trailing comma.
  void parse_sequence(PyValue& v, PyValue::Kind kind, char close, int depth) {
    const std::size_t start = pos_;
    ++pos_;
    v.kind = kind;
    bool comma = false;
    skip_ws();
    while (peek() != close) {
      v.items.push_back(value(depth + 1));
      if (kind == PyValue::Kind::kDict) {
        expect(':');
        v.items.push_back(value(depth + 1));
      }
      skip_ws();
      if (peek() == ',') {
        comma = true;
        ++pos_;
        skip_ws();
      } else if (peek() != close) {
        error(std::string("expected ',' or '") + close + "', found " + found());
      }
    }
    ++pos_;
    if (kind == PyValue::Kind::kTuple && v.items.size() == 1 && !comma) {
      PyValue inner = std::move(v.items.front());
      v = std::move(inner);
      return;
    }
    v.text = std::string(s_.substr(start, pos_ - start));
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------

struct Header {
  bool descr_is_string = false;
  std::string descr;  // the dtype string, or the source text of a structured descr
  bool fortran_order = false;
  std::vector<std::uint64_t> shape;
};

std::string shape_repr(const std::vector<std::uint64_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

// "float32", "big-endian complex128", ... for the dtypes people are likely to hand us; empty if
// unknown, so the message just shows the descr.
std::string describe(const std::string& descr) {
  std::string prefix;
  std::string_view d = descr;
  if (!d.empty() && std::strchr("<>|=", d.front()) != nullptr) {
    if (d.front() == '>') prefix = "big-endian ";
    d.remove_prefix(1);
  }
  static const std::pair<std::string_view, const char*> kNames[] = {
      {"b1", "bool"},        {"i1", "int8"},      {"i2", "int16"},       {"i4", "int32"},
      {"i8", "int64"},       {"u1", "uint8"},     {"u2", "uint16"},      {"u4", "uint32"},
      {"u8", "uint64"},      {"f2", "float16"},   {"f4", "float32"},     {"f8", "float64"},
      {"f16", "float128"},   {"c8", "complex64"}, {"c16", "complex128"}, {"c32", "complex256"},
      {"O", "Python object"}};
  for (const auto& [code, name] : kNames) {
    if (d == code) return prefix + name;
  }
  return "";
}

std::string expected_dtype(const DType& dt) {
  return std::string("expected dtype '") + dt.descr + "' (" + dt.name + ")";
}

Header interpret(const PyValue& root) {
  if (root.kind != PyValue::Kind::kDict) throw ParseError{"not a dictionary"};
  Header h;
  bool seen[3] = {false, false, false};
  static const char* const kKeys[3] = {"descr", "fortran_order", "shape"};
  for (std::size_t i = 0; i + 1 < root.items.size(); i += 2) {
    const PyValue& key = root.items[i];
    const PyValue& val = root.items[i + 1];
    int k = -1;
    for (int j = 0; j < 3; ++j) {
      if (key.kind == PyValue::Kind::kStr && key.str == kKeys[j]) k = j;
    }
    if (k < 0) throw ParseError{"unexpected key " + printable(key.text)};
    if (seen[k]) throw ParseError{"duplicate key " + printable(key.text)};
    seen[k] = true;
    if (k == 0) {
      h.descr_is_string = val.kind == PyValue::Kind::kStr;
      h.descr = h.descr_is_string ? val.str : val.text;
    } else if (k == 1) {
      if (val.kind != PyValue::Kind::kBool) {
        throw ParseError{"'fortran_order' must be True or False, found " + printable(val.text)};
      }
      h.fortran_order = val.flag;
    } else {
      bool ok = val.kind == PyValue::Kind::kTuple;
      for (const PyValue& dim : val.items)
        ok = ok && dim.kind == PyValue::Kind::kInt;
      if (!ok) {
        throw ParseError{"'shape' must be a tuple of integers, found " + printable(val.text)};
      }
      for (const PyValue& dim : val.items) {
        if (dim.negative) throw ParseError{"negative dimension in shape " + printable(val.text)};
        if (dim.too_big) throw ParseError{"shape " + printable(val.text) + " overflows 64 bits"};
        h.shape.push_back(dim.magnitude);
      }
    }
  }
  for (int j = 0; j < 3; ++j) {
    if (!seen[j]) throw ParseError{std::string("missing key '") + kKeys[j] + "'"};
  }
  return h;
}

// An opened file positioned at the start of the data, its header checked against the dtype.
struct NpyFile {
  File file;
  Header header;
  std::string shape_text;
  std::uint64_t data_bytes = 0;            // what the shape says
  std::optional<std::uint64_t> available;  // what the file holds after the header, if known
};

std::string size_text(const NpyFile& nf, const DType& dt) {
  return "shape " + nf.shape_text + " of '" + dt.descr + "' needs " +
         std::to_string(nf.data_bytes) + " data bytes";
}

// Reads exactly n bytes unless the file ends first (returns how many); a read error fails.
std::size_t read_exact(std::FILE* f, const std::string& path, void* dst, std::size_t n) {
  errno = 0;
  const std::size_t got = n == 0 ? 0 : std::fread(dst, 1, n, f);
  if (got < n && std::ferror(f)) fail(path, "cannot read: " + errno_text(errno));
  return got;
}

// The magic string, the version and the header's length, then the header's text; sets
// nf.available to the bytes after the header when the file's size is known.
std::string read_header_text(NpyFile& nf, const std::string& path) {
  std::FILE* f = nf.file.get();
  unsigned char prefix[kMagicLen + 2];
  const std::size_t got = read_exact(f, path, prefix, sizeof prefix);
  const std::string_view prefix_view(reinterpret_cast<const char*>(prefix), got);
  if (got < kMagicLen || std::memcmp(prefix, kMagic, kMagicLen) != 0) {
    fail(path, "not a .npy file: bad magic (expected '\\x93NUMPY', found '" +
                   printable(prefix_view.substr(0, kMagicLen)) + "')");
  }
  if (got < sizeof prefix) fail(path, "truncated .npy header: file ends after the magic string");
  const int major = prefix[kMagicLen];
  const int minor = prefix[kMagicLen + 1];
  if (major < 1 || major > 3 || minor != 0) {
    fail(path, "unsupported .npy format version " + std::to_string(major) + "." +
                   std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");
  }

  // Version 1.0 stores the header length in 2 bytes, later versions in 4; little-endian.
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  unsigned char len_buf[4] = {0, 0, 0, 0};
  if (read_exact(f, path, len_buf, len_bytes) < len_bytes) {
    fail(path, "truncated .npy header: file ends inside the header length");
  }
  std::uint64_t header_len = 0;
  for (std::size_t i = len_bytes; i-- > 0;)
    header_len = header_len << 8 | len_buf[i];
  const std::uint64_t data_offset = kMagicLen + 2 + len_bytes + header_len;

  // The size of the file opened, whatever its name points to by now.
  struct stat st {};
  const bool sized = ::fstat(::fileno(f), &st) == 0;
  const auto file_size = static_cast<std::uint64_t>(st.st_size);
  if (sized && file_size < data_offset) {
    fail(path, "truncated .npy header: header declares " + std::to_string(header_len) +
                   " bytes, but the file has only " + std::to_string(file_size) + " bytes in all");
  }
  if (sized) nf.available = file_size - data_offset;
  if (header_len > kMaxHeaderLen) {
    fail(path, "broken .npy header: declared header length " + std::to_string(header_len) +
                   " is implausibly large");
  }
  std::string text(static_cast<std::size_t>(header_len), '\0');
  if (read_exact(f, path, text.data(), text.size()) < text.size()) {
    fail(path, "truncated .npy header: file ends inside the " + std::to_string(header_len) +
                   "-byte header");
  }
  return text;
}

// Only the one dtype asked for, in C order: anything else is refused, never converted.
void check_layout(const Header& h, const std::string& path, const DType& dt) {
  if (!h.descr_is_string) {
    fail(path, expected_dtype(dt) + ", found structured dtype " + printable(h.descr));
  }
  if (h.descr != dt.descr) {
    const std::string what = describe(h.descr);
    fail(path,
         expected_dtype(dt) + ", found '" + printable(h.descr) + "'" +
             (what.empty() ? "" : " (" + what + ")") +
             (!h.descr.empty() && h.descr[0] == '>' ? "; big-endian data is not supported" : ""));
  }
  if (h.fortran_order) {
    fail(path, "expected C order, found fortran_order True (Fortran-order data is not supported)");
  }
}

// The data's byte count; it must fit a signed index (Eigen::Index, file offsets), or the shape
// is a lie.
std::uint64_t data_bytes_of(const NpyFile& nf, const std::string& path, const DType& dt) {
  constexpr auto kLimit = static_cast<std::uint64_t>(std::numeric_limits<std::ptrdiff_t>::max());
  bool overflow = false;
  bool empty = false;
  for (const std::uint64_t d : nf.header.shape) {
    overflow = overflow || d > kLimit;
    empty = empty || d == 0;
  }
  std::uint64_t bytes = empty ? 0 : dt.itemsize;
  for (const std::uint64_t d : nf.header.shape) {
    if (overflow || empty) break;
    overflow = bytes > kLimit / d;
    bytes *= d;
  }
  if (overflow) fail(path, "shape " + nf.shape_text + " is too large: its size overflows");
  return bytes;
}

// A file opened for reading (never blocking: a FIFO is refused), or why it could not be.
struct Opened {
  app::InputFile file;
  std::string why;
};

Opened open_path(const std::string& path) {
  Opened o;
  o.file = app::open_input_file(path, o.why);
  return o;
}

Opened open_in(const app::Folder& dir, const std::string& name) {
  Opened o;
  o.file = app::open_input_at(dir.fd(), name, app::Links::kRefuse, o.why);
  return o;
}

NpyFile open_npy(Opened opened, const std::string& path, const DType& dt) {
  NpyFile nf;
  nf.file = std::move(opened.file);
  if (!nf.file) fail(path, "cannot open for reading: " + opened.why);
  const std::string text = read_header_text(nf, path);
  try {
    nf.header = interpret(HeaderParser(text).parse());
  } catch (const ParseError& e) {
    std::string shown = text;
    while (!shown.empty() && std::strchr(" \n", shown.back()) != nullptr)
      shown.pop_back();
    fail(path, "broken .npy header: " + e.what + " in \"" + printable(shown) + "\"");
  }
  nf.shape_text = shape_repr(nf.header.shape);
  check_layout(nf.header, path, dt);
  nf.data_bytes = data_bytes_of(nf, path, dt);
  return nf;
}

// Fails early, before anything is allocated, when the file's size disagrees with its shape.
void check_data_size(const NpyFile& nf, const std::string& path, const DType& dt) {
  if (!nf.available) return;
  if (*nf.available < nf.data_bytes) {
    fail(path, "truncated data: " + size_text(nf, dt) + ", found " + std::to_string(*nf.available));
  }
  if (*nf.available > nf.data_bytes) {
    fail(path, "data longer than its shape: " + size_text(nf, dt) + ", found " +
                   std::to_string(*nf.available));
  }
}

void read_data(NpyFile& nf, const std::string& path, const DType& dt, void* dst) {
  std::FILE* f = nf.file.get();
  const auto n = static_cast<std::size_t>(nf.data_bytes);
  errno = 0;
  const std::size_t got = n == 0 ? 0 : std::fread(dst, 1, n, f);
  if (got < n) {
    if (std::ferror(f)) fail(path, "cannot read: " + errno_text(errno));
    fail(path, "truncated data: " + size_text(nf, dt) + ", found " + std::to_string(got));
  }
  // Re-checked here as the file may have grown since its size was taken.
  if (std::fgetc(f) != EOF) {
    fail(path, "data longer than its shape: " + size_text(nf, dt) + ", found more");
  }
  if (!host_is_little_endian()) swap_words(static_cast<unsigned char*>(dst), n / 8);
}

template <typename Matrix>
Matrix allocate(const std::string& path, const NpyFile& nf, std::uint64_t rows,
                std::uint64_t cols) {
  try {
    return Matrix(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
  } catch (const std::bad_alloc&) {
    fail(path, "not enough memory for shape " + nf.shape_text);
  }
}

std::string format_double(double x) {
  std::ostringstream os;
  os << std::setprecision(12) << x;
  return os.str();
}

// ---------------------------------------------------------------------------------------------

std::string make_header(const char* descr, const std::vector<std::uint64_t>& shape) {
  std::string dict = std::string("{'descr': '") + descr +
                     "', 'fortran_order': False, 'shape': " + shape_repr(shape) + ", }";
  if (!shape.empty()) dict.append(kGrowthAxisMaxDigits - std::to_string(shape[0]).size(), ' ');
  const std::size_t hlen = dict.size() + 1;  // + the final '\n'
  // Same formula as numpy's _wrap_header: magic, 2 version bytes and the 2-byte length come
  // first, and an already aligned header still gets 64 spaces.
  const std::size_t padlen = kArrayAlign - (kMagicLen + 2 + 2 + hlen) % kArrayAlign;
  const std::size_t total = hlen + padlen;
  std::string out(kMagic, kMagicLen);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(total & 0xff);
  out += static_cast<char>((total >> 8) & 0xff);
  out += dict;
  out.append(padlen, ' ');
  out += '\n';
  return out;
}

// Writes header and data into `name` of `dir` through the folder's atomic writer (a temporary
// file renamed into place); failures become this module's one-line Error about `shown`.
void write_npy_in(const app::Folder& dir, const std::string& name, const std::string& shown,
                  const char* descr, const std::vector<std::uint64_t>& shape, const void* words,
                  std::size_t nwords) {
  const std::string header = make_header(descr, shape);
  auto body = [&](std::FILE* f) {
    bool ok = std::fwrite(header.data(), 1, header.size(), f) == header.size();
    if (!ok || nwords == 0) return ok;
    if (host_is_little_endian()) return std::fwrite(words, 8, nwords, f) == nwords;
    constexpr std::size_t kChunk = 4096;
    unsigned char buf[8 * kChunk];
    const auto* src = static_cast<const unsigned char*>(words);
    for (std::size_t i = 0; ok && i < nwords; i += kChunk) {
      const std::size_t n = std::min(kChunk, nwords - i);
      std::memcpy(buf, src + 8 * i, 8 * n);
      swap_words(buf, n);
      ok = std::fwrite(buf, 8, n, f) == n;
    }
    return ok;
  };
  try {
    dir.write_atomically(name, body);
  } catch (const std::runtime_error& e) {
    std::string why = e.what();
    const std::string prefix = dir.shown(name) + ": ";
    if (why.rfind(prefix, 0) == 0) why.erase(0, prefix.size());
    fail(shown, why.rfind("cannot write", 0) == 0 ? why : "cannot write: " + why);
  }
}

void write_npy(const std::string& path, const char* descr, const std::vector<std::uint64_t>& shape,
               const void* words, std::size_t nwords) {
  const std::filesystem::path p(path);
  if (path.empty() || !p.has_filename()) fail(path, "cannot write: not a file name");
  std::optional<app::Folder> dir;
  try {
    dir = app::Folder::parent_of(p);
  } catch (const std::runtime_error& e) {
    fail(path, std::string("cannot write: ") + e.what());
  }
  write_npy_in(*dir, p.filename().string(), path, descr, shape, words, nwords);
}

using RowMajorReal = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

StateMatrix read_states_from(Opened opened, const std::string& path) {
  NpyFile nf = open_npy(std::move(opened), path, kC16);
  const auto& s = nf.header.shape;
  if (s.size() != 1 && s.size() != 2) {
    fail(path,
         "expected a 2-D array of states (N, 2^n) or one 1-D state, found shape " + nf.shape_text);
  }
  const std::uint64_t rows = s.size() == 1 ? 1 : s[0];
  const std::uint64_t cols = s.back();
  if (rows == 0) fail(path, "expected at least one state (row), found shape " + nf.shape_text);
  if (cols == 0 || (cols & (cols - 1)) != 0) {
    fail(path, "expected a power-of-two number of amplitudes per state, found " +
                   std::to_string(cols) + " (shape " + nf.shape_text + ")");
  }
  check_data_size(nf, path, kC16);
  StateMatrix m = allocate<StateMatrix>(path, nf, rows, cols);
  read_data(nf, path, kC16, m.data());

  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      const cplx a = m(i, j);
      if (!std::isfinite(a.real()) || !std::isfinite(a.imag())) {
        fail(path, "non-finite amplitude in row " + std::to_string(i) + ", column " +
                       std::to_string(j) + ": (" + format_double(a.real()) + ", " +
                       format_double(a.imag()) + ")");
      }
    }
    const double norm = m.row(i).norm();
    if (!(std::abs(norm - 1.0) <= kNormTolerance)) {
      fail(path, "state in row " + std::to_string(i) + " has norm " + format_double(norm) +
                     " (expected 1 within 1e-6)");
    }
  }
  return m;
}

RealMatrix read_reals_from(Opened opened, const std::string& path) {
  NpyFile nf = open_npy(std::move(opened), path, kF8);
  const auto& s = nf.header.shape;
  if (s.size() != 1 && s.size() != 2) {
    fail(path, "expected a 1-D or 2-D array, found shape " + nf.shape_text);
  }
  const std::uint64_t rows = s.size() == 1 ? 1 : s[0];
  const std::uint64_t cols = s.back();
  check_data_size(nf, path, kF8);
  // The file is in C order; RealMatrix is column-major, so read row-major and convert.
  RowMajorReal tmp = allocate<RowMajorReal>(path, nf, rows, cols);
  read_data(nf, path, kF8, tmp.data());
  // Parameters, Adam moments and other reals are never NaN or infinite in a good file.
  for (Eigen::Index i = 0; i < tmp.rows(); ++i) {
    for (Eigen::Index j = 0; j < tmp.cols(); ++j) {
      if (!std::isfinite(tmp(i, j))) {
        fail(path, "non-finite value in row " + std::to_string(i) + ", column " +
                       std::to_string(j) + ": " + format_double(tmp(i, j)));
      }
    }
  }
  try {
    return RealMatrix(tmp);
  } catch (const std::bad_alloc&) {
    fail(path, "not enough memory for shape " + nf.shape_text);
  }
}

std::vector<std::int64_t> read_ints_from(Opened opened, const std::string& path) {
  NpyFile nf = open_npy(std::move(opened), path, kI8);
  const auto& s = nf.header.shape;
  if (!(s.size() == 1 || (s.size() == 2 && (s[0] == 1 || s[1] == 1)))) {
    fail(path,
         "expected a 1-D array (or 2-D with one row or column), found shape " + nf.shape_text);
  }
  check_data_size(nf, path, kI8);
  std::vector<std::int64_t> v;
  try {
    v.resize(static_cast<std::size_t>(nf.data_bytes / 8));
  } catch (const std::bad_alloc&) {
    fail(path, "not enough memory for shape " + nf.shape_text);
  }
  read_data(nf, path, kI8, v.data());
  return v;
}

}  // namespace

void write_states(const std::string& path, const StateMatrix& m) {
  // StateMatrix is row-major, so its storage already is C order.
  write_npy(path, kC16.descr,
            {static_cast<std::uint64_t>(m.rows()), static_cast<std::uint64_t>(m.cols())}, m.data(),
            static_cast<std::size_t>(m.size()) * 2);
}

void write_reals(const std::string& path, const RealMatrix& m) {
  const RowMajorReal c_order = m;  // RealMatrix is column-major; the file must be C order
  write_npy(path, kF8.descr,
            {static_cast<std::uint64_t>(m.rows()), static_cast<std::uint64_t>(m.cols())},
            c_order.data(), static_cast<std::size_t>(c_order.size()));
}

void write_ints(const std::string& path, const std::vector<std::int64_t>& v) {
  write_npy(path, kI8.descr, {static_cast<std::uint64_t>(v.size())}, v.data(), v.size());
}

StateMatrix read_states(const std::string& path) {
  return read_states_from(open_path(path), path);
}
RealMatrix read_reals(const std::string& path) {
  return read_reals_from(open_path(path), path);
}
std::vector<std::int64_t> read_ints(const std::string& path) {
  return read_ints_from(open_path(path), path);
}
StateMatrix read_states(const app::Folder& dir, const std::string& name) {
  return read_states_from(open_in(dir, name), dir.shown(name));
}
RealMatrix read_reals(const app::Folder& dir, const std::string& name) {
  return read_reals_from(open_in(dir, name), dir.shown(name));
}

void write_states(const app::Folder& dir, const std::string& name, const StateMatrix& m) {
  write_npy_in(dir, name, dir.shown(name), kC16.descr,
               {static_cast<std::uint64_t>(m.rows()), static_cast<std::uint64_t>(m.cols())},
               m.data(), static_cast<std::size_t>(m.size()) * 2);
}

void write_reals(const app::Folder& dir, const std::string& name, const RealMatrix& m) {
  const RowMajorReal c_order = m;
  write_npy_in(dir, name, dir.shown(name), kF8.descr,
               {static_cast<std::uint64_t>(m.rows()), static_cast<std::uint64_t>(m.cols())},
               c_order.data(), static_cast<std::size_t>(c_order.size()));
}

}  // namespace quddpm::npy
