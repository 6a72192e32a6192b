// CSV traces: header row, comma-separated, numbers at full double precision (%.17g),
// flushed per row so a running job can be followed with `tail -f`.
#pragma once

#include <cstdio>
#include <string>
#include <variant>
#include <vector>

namespace quddpm::app {

class CsvWriter {
 public:
  using Cell = std::variant<std::string, long long, double>;

  CsvWriter(const std::string& path, const std::vector<std::string>& header);
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  void row(const std::vector<Cell>& cells);
  void close();

 private:
  std::string path_;
  std::size_t columns_;
  std::FILE* f_ = nullptr;
};

// One cell as text: integers plainly, doubles with 17 significant digits.
std::string format_cell(const CsvWriter::Cell& c);

}  // namespace quddpm::app
