// Reading the CSV traces of a run in tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace testing_cli {

// Rows of a CSV as maps from column name to text.
inline std::vector<std::map<std::string, std::string>> read_csv(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::string line;
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
  auto split = [](const std::string& s) {
    std::vector<std::string> cells;
    std::stringstream ss(s);
    std::string c;
    while (std::getline(ss, c, ','))
      cells.push_back(c);
    return cells;
  };
  if (std::getline(f, line)) header = split(line);
  while (std::getline(f, line)) {
    const auto cells = split(line);
    std::map<std::string, std::string> row;
    for (std::size_t k = 0; k < header.size() && k < cells.size(); ++k)
      row[header[k]] = cells[k];
    rows.push_back(row);
  }
  return rows;
}

}  // namespace testing_cli
