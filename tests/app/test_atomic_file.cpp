// Writers never follow a symbolic link: not at the destination (refused by name), and not at
// their temporary name either (a link planted there is refused, its target untouched).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "app/formats/atomic_file.hpp"
#include "app/formats/npy.hpp"
#include "support/run_command.hpp"

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  return testing_cli::slurp(p.string());
}

class AtomicFile : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("quddpm_atomic_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "victim.txt") << "the user's file\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(AtomicFile, TemporaryNameThatIsALinkIsRefusedAndItsTargetUntouched) {
  const fs::path out = dir_ / "config.json";
  const fs::path tmp = out.string() + ".tmp." + std::to_string(::getpid());
  fs::create_symlink(dir_ / "victim.txt", tmp);
  EXPECT_THROW(quddpm::app::write_file_atomically(out.string(), "{}\n"), std::runtime_error);
  EXPECT_EQ(slurp(dir_ / "victim.txt"), "the user's file\n");
  EXPECT_FALSE(fs::exists(out));

  const fs::path npy = dir_ / "params.npy";
  fs::create_symlink(dir_ / "victim.txt", npy.string() + ".tmp." + std::to_string(::getpid()));
  EXPECT_THROW(quddpm::npy::write_reals(npy.string(), quddpm::RealMatrix::Zero(2, 2)),
               std::exception);
  EXPECT_EQ(slurp(dir_ / "victim.txt"), "the user's file\n");
}

TEST_F(AtomicFile, DestinationThatIsALinkIsRefusedByName) {
  const fs::path out = dir_ / "manifest.json";
  fs::create_symlink(dir_ / "victim.txt", out);
  try {
    quddpm::app::write_file_atomically(out.string(), "{}\n");
    FAIL() << "wrote through a link";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(out.string() + ": refusing to replace a symbolic link"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(slurp(dir_ / "victim.txt"), "the user's file\n");
  EXPECT_TRUE(fs::is_symlink(out));
}

}  // namespace
