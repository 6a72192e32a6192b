#include "app/csv_writer.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace quddpm::app {

std::string format_cell(const CsvWriter::Cell& c) {
  if (const auto* s = std::get_if<std::string>(&c)) return *s;
  if (const auto* i = std::get_if<long long>(&c)) return std::to_string(*i);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", std::get<double>(c));
  return buf;
}

CsvWriter::CsvWriter(const std::string& path, const std::vector<std::string>& header)
    : path_(path), columns_(header.size()) {
  f_ = std::fopen(path.c_str(), "w");
  if (!f_) throw std::runtime_error(path + ": cannot write (" + std::strerror(errno) + ")");
  std::vector<Cell> cells(header.begin(), header.end());
  row(cells);
}

CsvWriter::~CsvWriter() {
  if (f_) std::fclose(f_);
}

void CsvWriter::row(const std::vector<Cell>& cells) {
  if (cells.size() != columns_) throw std::logic_error(path_ + ": row has wrong column count");
  std::string line;
  for (std::size_t k = 0; k < cells.size(); ++k) {
    if (k) line += ',';
    line += format_cell(cells[k]);
  }
  line += '\n';
  if (std::fputs(line.c_str(), f_) < 0 || std::fflush(f_) != 0)
    throw std::runtime_error(path_ + ": write failed (" + std::strerror(errno) + ")");
}

void CsvWriter::close() {
  if (f_ && std::fclose(f_) != 0) {
    f_ = nullptr;
    throw std::runtime_error(path_ + ": write failed on close");
  }
  f_ = nullptr;
}

}  // namespace quddpm::app
