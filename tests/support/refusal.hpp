// The refusal contract of the executable, shared by the tests of bad inputs: a non-zero status,
// one line on stderr, "quddpm: " and the names of what was wrong in it, nothing on stdout and
// nothing left on disk.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "support/run_command.hpp"

namespace testing_cli {

// Every path under `dir`, relative to it.
inline std::set<std::string> listing(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    names.insert(std::filesystem::relative(e.path(), dir).string());
  return names;
}

// Runs `args` (stopped after `seconds` when > 0) and checks the refusal contract in `dir`;
// every one of `names` must appear in the message. Returns the run.
inline Result expect_refused(const std::filesystem::path& dir, const std::string& args,
                             const std::vector<std::string>& names, const std::string& label,
                             int seconds = 0) {
  const auto before = listing(dir);
  const Result r = run_quddpm(args, "", seconds);
  EXPECT_NE(r.status, kTimedOut) << label << ": still running after " << seconds << " s";
  EXPECT_NE(r.status, 0) << label;
  EXPECT_EQ(r.err.rfind("quddpm: ", 0), 0u) << label << ": " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << label << ": " << r.err;
  for (const auto& n : names)
    EXPECT_NE(r.err.find(n), std::string::npos) << label << ": expected '" << n << "' in " << r.err;
  EXPECT_TRUE(r.out.empty()) << label << ": " << r.out;
  EXPECT_EQ(listing(dir), before) << label << ": files were left behind";
  return r;
}

}  // namespace testing_cli
