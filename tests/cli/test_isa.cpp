// QUDDPM_ISA: every kernel table this CPU supports runs the same training to round-off, a
// forced table is deterministic across thread counts, and a bad name is refused before
// anything is written.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

#include "core/kernels/kernel_table.hpp"
#include "support/csv_rows.hpp"
#include "support/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using testing_cli::read_csv;
using testing_cli::run_quddpm;
using testing_cli::slurp;

// 3 data + 1 ancilla qubits: every table's SIMD path runs (an AVX-512 register holds 4
// amplitudes of the 16), and in-register targets occur.
std::string write_tiny_config(const fs::path& dir) {
  nlohmann::json j = {{"model", "improved"},
                      {"seed", 5},
                      {"qubits", {{"data", 3}, {"ancilla", 1}}},
                      {"circuit", {{"layers", 3}}},
                      {"diffusion", {{"steps", 2}}},
                      {"training", {{"epochs", 6}, {"samples", 8}, {"diffusion_size", 8}}}};
  const fs::path p = dir / "tiny.json";
  std::ofstream(p) << j.dump(2);
  return p.string();
}

double cell(const std::map<std::string, std::string>& row, const std::string& key) {
  return std::stod(row.at(key));
}

TEST(KernelTablesEndToEnd, EveryTableTrainsTheSameRunToRoundOff) {
  const auto dir = testing_cli::scratch_dir("isa_tables");
  const std::string cfg = write_tiny_config(dir);
  auto r = run_quddpm("train " + cfg + " --threads 1 --out " + (dir / "default").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find(std::string(quddpm::active_kernels().name) + " kernels"), std::string::npos)
      << "the run's log names its kernels: " << r.err;
  const auto ref = read_csv(dir / "default" / "epochs.csv");
  ASSERT_FALSE(ref.empty());
  for (const quddpm::KernelTable* t : quddpm::supported_kernel_tables()) {
    const fs::path out = dir / t->name;
    r = run_quddpm("train " + cfg + " --threads 1 --out " + out.string(),
                   std::string("QUDDPM_ISA=") + t->name);
    ASSERT_EQ(r.status, 0) << t->name << ": " << r.err;
    EXPECT_NE(r.err.find(std::string(t->name) + " kernels"), std::string::npos) << r.err;
    const auto rows = read_csv(out / "epochs.csv");
    ASSERT_EQ(rows.size(), ref.size()) << t->name;
    for (std::size_t k = 0; k < rows.size(); ++k)
      for (const char* key : {"loss", "grad_norm"})
        EXPECT_NEAR(cell(rows[k], key), cell(ref[k], key),
                    1e-10 * (1 + std::abs(cell(ref[k], key))))
            << t->name << " row " << k << " " << key;
  }
  fs::remove_all(dir);
}

TEST(KernelTablesEndToEnd, ForcedTableIsBitwiseIdenticalOnOneAndTwoThreads) {
  const auto dir = testing_cli::scratch_dir("isa_threads");
  const std::string cfg = write_tiny_config(dir);
  // The last supported SIMD table (the lowest instruction set), or portable.
  const auto tables = quddpm::supported_kernel_tables();
  const std::string isa = tables.size() > 1 ? tables[tables.size() - 2]->name : "portable";
  for (int threads : {1, 2}) {
    auto r = run_quddpm("train " + cfg + " --threads " + std::to_string(threads) + " --out " +
                            (dir / ("t" + std::to_string(threads))).string(),
                        "QUDDPM_ISA=" + isa);
    ASSERT_EQ(r.status, 0) << r.err;
  }
  for (const char* f : {"epochs.csv", "params.npy", "generated.npy"})
    EXPECT_EQ(slurp((dir / "t1" / f).string()), slurp((dir / "t2" / f).string()))
        << isa << " " << f;
  fs::remove_all(dir);
}

TEST(KernelTablesEndToEnd, UnknownIsaIsRefusedBeforeAnythingIsWritten) {
  const auto dir = testing_cli::scratch_dir("isa_bad");
  const std::string cfg = write_tiny_config(dir);
  auto r = run_quddpm("train " + cfg + " --out " + (dir / "run").string(), "QUDDPM_ISA=avx9000");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("QUDDPM_ISA"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("avx9000"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("portable"), std::string::npos) << "names the supported ones: " << r.err;
  EXPECT_FALSE(fs::exists(dir / "run"));
  fs::remove_all(dir);
}

TEST(KernelTablesEndToEnd, VersionNamesTheKernelsInUse) {
  auto r = run_quddpm("--version", "QUDDPM_ISA=portable");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("kernels: portable"), std::string::npos) << r.out;
  r = run_quddpm("--version");
  EXPECT_NE(r.out.find(std::string("kernels: ") + quddpm::active_kernels().name), std::string::npos)
      << r.out;
}

}  // namespace
