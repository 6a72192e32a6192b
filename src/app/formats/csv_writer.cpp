#include "app/formats/csv_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "app/formats/folder.hpp"

namespace quddpm::app {

std::string format_cell(const CsvWriter::Cell& c) {
  if (const auto* s = std::get_if<std::string>(&c)) return *s;
  if (const auto* i = std::get_if<long long>(&c)) return std::to_string(*i);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", std::get<double>(c));
  return buf;
}

namespace {

// Opens a trace inside a run folder, relative to the folder's descriptor: never through a
// symbolic link (a link there would make quddpm truncate or append to a file of another run)
// and only a regular file (a FIFO cannot block the open).
std::FILE* open_trace(const Folder& dir, const std::string& name, int flags, const char* mode) {
  std::string why;
  std::FILE* f = dir.open_stream(name, flags, mode, Links::kRefuse, why);
  if (!f)
    throw std::runtime_error(dir.shown(name) + ": cannot open for writing: " + why +
                             " (quddpm writes its traces only as files it made)");
  return f;
}

}  // namespace

CsvWriter::CsvWriter(const Folder& dir, const std::string& name,
                     const std::vector<std::string>& header)
    : path_(dir.shown(name)), columns_(header.size()) {
  f_ = open_trace(dir, name, O_WRONLY | O_CREAT | O_TRUNC, "w");
  write_line(std::vector<Cell>(header.begin(), header.end()));
}

CsvWriter::CsvWriter(const Folder& dir, const std::string& name,
                     const std::vector<std::string>& header, long long keep_rows)
    : path_(dir.shown(name)), columns_(header.size()) {
  const std::string& path = path_;
  f_ = open_trace(dir, name, O_RDWR, "r+");
  std::string expected_header;
  for (std::size_t k = 0; k < header.size(); ++k)
    expected_header += (k ? "," : "") + header[k];
  // One line with its '\n'; false at the end of the file or for a last line without one (a row
  // cut short by a kill, not a row).
  char* buf = nullptr;
  std::size_t cap = 0;
  auto next_line = [&](std::string& line) {
    const ssize_t n = ::getline(&buf, &cap, f_);
    if (n <= 0 || buf[n - 1] != '\n') return false;
    line.assign(buf, static_cast<std::size_t>(n));
    return true;
  };
  std::string line;
  const bool has_header = next_line(line) && line == expected_header + "\n";
  if (!has_header) {
    std::free(buf);
    throw std::runtime_error(path + ": expected the header '" + expected_header +
                             "' on the first line (a run begun by another quddpm version "
                             "continues only with that version)");
  }
  hash_.update(line);
  long long kept = 0;
  while (kept < keep_rows && next_line(line)) {
    hash_.update(line);
    ++kept;
  }
  std::free(buf);
  if (kept < keep_rows)
    throw std::runtime_error(path + ": the checkpoint counts " + std::to_string(keep_rows) +
                             " rows, the file holds only " + std::to_string(kept));
  // Rows after the checkpoint's (those of an unfinished cycle) are cut off, through the
  // descriptor opened above: never through a path that might have become a link.
  const long end = std::ftell(f_);
  if (end < 0 || ::ftruncate(::fileno(f_), end) != 0 || std::fseek(f_, end, SEEK_SET) != 0)
    throw std::runtime_error(path + ": cannot truncate (" + std::strerror(errno) + ")");
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
  hash_.update(line);
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
