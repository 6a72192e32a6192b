// CSV traces: header row, comma-separated, numbers at full double precision (%.17g),
// flushed per row so a running job can be followed with `tail -f`. A trace is opened without
// following a symbolic link and only as a regular file, so it never truncates or appends to a
// file outside its run; it hashes what it holds as it writes (a checkpoint records the digest).
#pragma once

#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "app/formats/sha256.hpp"

namespace quddpm::app {

class Folder;

class CsvWriter {
 public:
  using Cell = std::variant<std::string, long long, double>;

  // A new file `name` in `dir` holding the header row.
  CsvWriter(const Folder& dir, const std::string& name, const std::vector<std::string>& header);
  // Continues an existing file after its first `keep_rows` data rows: later rows (those of an
  // unfinished cycle) are cut off. The file must start with `header` and hold that many rows.
  CsvWriter(const Folder& dir, const std::string& name, const std::vector<std::string>& header,
            long long keep_rows);
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  void row(const std::vector<Cell>& cells);
  // Data rows in the file so far (the header not counted).
  long long rows() const { return rows_; }
  // SHA-256 of the file's contents so far: the header and rows() rows.
  std::string sha256() const { return hash_.hex(); }
  // Forces the rows written so far to disk (before a checkpoint counts them).
  void sync();
  void close();

 private:
  void write_line(const std::vector<Cell>& cells);

  std::string path_;
  std::size_t columns_;
  long long rows_ = 0;
  std::FILE* f_ = nullptr;
  Sha256 hash_;
};

// One cell as text: integers plainly, doubles with 17 significant digits.
std::string format_cell(const CsvWriter::Cell& c);

}  // namespace quddpm::app
