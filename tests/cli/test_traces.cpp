// The CSV traces' columns are stated once: docs/model.md section 7 holds the table `quddpm
// config --traces` prints, and every trace a run writes has exactly the columns that table
// lists for its file, in its order.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_command.hpp"

namespace {

namespace fs = std::filesystem;

// The lines of docs/model.md between the table's markers.
std::string documented_table() {
  std::ifstream in(std::string(QUDDPM_SOURCE_DIR) + "/docs/model.md");
  std::string text, line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "<!-- traces: end -->") break;
    if (inside) text += line + "\n";
    if (line == "<!-- traces: begin -->") inside = true;
  }
  return text;
}

std::vector<std::string> cells_of(const std::string& row) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(row.substr(1));  // after the leading '|'
  while (std::getline(in, cell, '|')) {
    const auto b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
    cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
  }
  return cells;
}

std::string unquote(const std::string& s) {
  return s.size() >= 2 && s.front() == '`' && s.back() == '`' ? s.substr(1, s.size() - 2) : s;
}

// File name -> its header row as the documented table gives it (the run's columns first).
std::map<std::string, std::string> documented_headers() {
  std::istringstream in(documented_table());
  std::string line, file, run_columns;
  std::map<std::string, std::string> headers;
  std::getline(in, line);  // the header row
  std::getline(in, line);  // the separator
  while (std::getline(in, line)) {
    const std::vector<std::string> c = cells_of(line);
    if (c.size() < 4) continue;
    const std::string column = unquote(c[2]);
    if (c[0] == "every trace") {
      run_columns += (run_columns.empty() ? "" : ",") + column;
      continue;
    }
    if (!c[0].empty()) {
      file = unquote(c[0]);
      headers[file] = run_columns;
    }
    headers[file] += "," + column;
  }
  return headers;
}

std::string first_line(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string write(const fs::path& dir, const std::string& name, const nlohmann::json& j) {
  std::ofstream(dir / name) << j.dump();
  return (dir / name).string();
}

TEST(TraceColumns, DocsHoldTheTableTheCodePrints) {
  const std::string documented = documented_table();
  ASSERT_FALSE(documented.empty()) << "docs/model.md has no table between the traces markers";
  const auto r = testing_cli::run_quddpm("config --traces");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(documented, r.out)
      << "docs/model.md section 7 differs from the code: paste `quddpm config --traces`";
}

TEST(TraceColumns, EveryTraceARunWritesHasTheDocumentedColumns) {
  const std::map<std::string, std::string> headers = documented_headers();
  ASSERT_EQ(headers.size(), 8u);
  const auto dir = testing_cli::scratch_dir("trace_columns");
  const nlohmann::json quddpm = {
      {"model", "improved"},
      {"seed", 2},
      {"qubits", {{"data", 2}, {"ancilla", 1}}},
      {"diffusion", {{"steps", 2}, {"schedule", {{"end", 2.0}}}}},
      {"training", {{"samples", 8}, {"diffusion_size", 12}, {"epochs", 2}}},
      {"observables", nlohmann::json::parse(R"([{"kind": "magnetization"}])")}};
  const nlohmann::json qgan = {{"model", "qgan"},
                               {"seed", 2},
                               {"qubits", {{"data", 2}, {"ancilla", 1}}},
                               {"circuit", {{"layers", 2}}},
                               {"training", {{"samples", 8}, {"diffusion_size", 12}}},
                               {"qgan",
                                {{"discriminator_layers", 1},
                                 {"cycles", 1},
                                 {"discriminator_epochs", 2},
                                 {"generator_epochs", 2}}}};
  int checked = 0;
  for (const auto& [name, config] : {std::pair{"quddpm", quddpm}, std::pair{"qgan", qgan}}) {
    const fs::path run = dir / name;
    const auto r = testing_cli::run_quddpm(
        "train " + write(dir, std::string(name) + ".json", config) + " --out " + run.string());
    ASSERT_EQ(r.status, 0) << r.err;
    for (const auto& entry : fs::directory_iterator(run)) {
      if (entry.path().extension() != ".csv") continue;
      const std::string file = entry.path().filename().string();
      ASSERT_EQ(headers.count(file), 1u) << file << " is written but not in the table";
      EXPECT_EQ(first_line(entry.path()), headers.at(file)) << file;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 8);  // six traces of the QuDDPM run, two of the game
}

}  // namespace
