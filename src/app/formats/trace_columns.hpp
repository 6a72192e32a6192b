// The columns of every CSV trace a run writes, with what each holds: the one place the headers
// come from (the writers ask for theirs by file name), printed by `quddpm config --traces` and
// held equal to docs/model.md section 7 by a test.
#pragma once

#include <string>
#include <vector>

namespace quddpm::app {

struct TraceColumn {
  const char* name;
  const char* meaning;
};

struct TraceFile {
  const char* file;                  // its name in a run folder
  const char* rows;                  // which rows it holds, in order
  std::vector<TraceColumn> columns;  // after the run's columns
};

// The columns every trace starts with: which run a row belongs to. (A sweep's merged traces put
// its swept keys before them.)
const std::vector<TraceColumn>& run_columns();

// Every trace, QuDDPM's first, then the QGAN baseline's.
const std::vector<TraceFile>& trace_files();

// The header row of `file` (a name in trace_files()): the run's columns, then the file's.
// Throws std::logic_error for another name.
std::vector<std::string> trace_header(const std::string& file);

// The Markdown table of docs/model.md section 7: one row per column, file by file.
std::string traces_table();

}  // namespace quddpm::app
