#include "app/csv_writer.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
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
  write_line(std::vector<Cell>(header.begin(), header.end()));
}

CsvWriter::CsvWriter(const std::string& path, const std::vector<std::string>& header,
                     long long keep_rows)
    : path_(path), columns_(header.size()) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read (" + std::strerror(errno) + ")");
  std::string expected_header;
  for (std::size_t k = 0; k < header.size(); ++k)
    expected_header += (k ? "," : "") + header[k];
  std::string line;
  if (!std::getline(in, line) || in.eof() || line != expected_header)
    throw std::runtime_error(path + ": expected the header '" + expected_header +
                             "' on the first line (a run begun by another quddpm version "
                             "continues only with that version)");
  long long kept = 0;
  while (kept < keep_rows && std::getline(in, line) && !in.eof())
    ++kept;  // a last line without '\n' is a row cut short by the kill, not a row
  if (kept < keep_rows)
    throw std::runtime_error(path + ": the checkpoint counts " + std::to_string(keep_rows) +
                             " rows, the file holds only " + std::to_string(kept));
  const auto end = static_cast<std::uintmax_t>(in.tellg());
  in.close();
  std::error_code ec;
  std::filesystem::resize_file(path, end, ec);
  if (ec) throw std::runtime_error(path + ": cannot truncate (" + ec.message() + ")");
  f_ = std::fopen(path.c_str(), "a");
  if (!f_) throw std::runtime_error(path + ": cannot write (" + std::strerror(errno) + ")");
  rows_ = keep_rows;
}

CsvWriter::~CsvWriter() {
  if (f_) std::fclose(f_);
}

void CsvWriter::row(const std::vector<Cell>& cells) {
  write_line(cells);
  ++rows_;
}

void CsvWriter::write_line(const std::vector<Cell>& cells) {
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

void CsvWriter::sync() {
  if (f_ && (std::fflush(f_) != 0 || ::fsync(::fileno(f_)) != 0))
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
