// A run folder is held by its descriptor: what quddpm writes, reads, renames and removes inside
// it never goes through a symbolic link, and a folder moved or replaced by a link while a run
// writes redirects nothing (the files land in the folder that was opened, the link's target is
// untouched).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "app/formats/folder.hpp"
#include "app/formats/npy.hpp"
#include "app/formats/sha256.hpp"
#include "app/run/run_directory.hpp"
#include "support/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using quddpm::app::Folder;
using quddpm::app::Links;
using quddpm::app::RunDirectory;

std::string slurp(const fs::path& p) {
  return testing_cli::slurp(p.string());
}

class FolderAt : public testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("quddpm_folder_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "victim");
    std::ofstream(root_ / "victim" / "precious.txt") << "the user's file\n";
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string victim() const { return slurp(root_ / "victim" / "precious.txt"); }
  fs::path root_;
};

TEST_F(FolderAt, WritesFollowTheOpenedFolderNotALinkPutInItsPlace) {
  fs::create_directory(root_ / "run");
  const Folder run = Folder::open(root_ / "run", Links::kRefuse);
  fs::rename(root_ / "run", root_ / "moved");
  fs::create_directory_symlink(root_ / "victim", root_ / "run");
  run.write_atomically("config.json", "{}\n");
  quddpm::npy::write_reals(run, "params.npy", quddpm::RealMatrix::Ones(1, 2));
  EXPECT_EQ(slurp(root_ / "moved" / "config.json"), "{}\n");
  EXPECT_EQ(quddpm::npy::read_reals(run, "params.npy").sum(), 2.0);
  EXPECT_FALSE(fs::exists(root_ / "victim" / "config.json"));
  EXPECT_EQ(fs::directory_iterator(root_ / "victim")->path().filename(), "precious.txt");
}

TEST_F(FolderAt, ALinkInsideIsRefusedByNameWhenRefusingAndFollowedOnlyWhenAsked) {
  fs::create_directory(root_ / "run");
  fs::create_symlink(root_ / "victim" / "precious.txt", root_ / "run" / "epochs.csv");
  const Folder run = Folder::open(root_ / "run", Links::kRefuse);
  std::string why;
  EXPECT_FALSE(run.open_regular("epochs.csv", O_RDWR, Links::kRefuse, why));
  EXPECT_EQ(why.rfind("is a symbolic link", 0), 0U) << why;
  EXPECT_TRUE(run.open_regular("epochs.csv", O_RDONLY, Links::kFollow, why));
  EXPECT_THROW(quddpm::npy::read_reals(run, "epochs.csv"), quddpm::npy::Error);
  EXPECT_THROW(run.child("epochs.csv", false), std::runtime_error);
  try {
    run.write_atomically("epochs.csv", "x\n");
    FAIL() << "replaced a link";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("epochs.csv: refusing to replace a symbolic link"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(victim(), "the user's file\n");
  EXPECT_TRUE(fs::is_symlink(root_ / "run" / "epochs.csv"));
}

TEST_F(FolderAt, ALinkedSubFolderIsRefusedAndNeverCreatedThrough) {
  fs::create_directory(root_ / "run");
  fs::create_directory_symlink(root_ / "victim", root_ / "run" / "checkpoint");
  const Folder run = Folder::open(root_ / "run", Links::kRefuse);
  try {
    run.child("checkpoint", true);
    FAIL() << "opened a linked folder";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint: is a symbolic link"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(Folder::open(root_ / "run" / "checkpoint", Links::kRefuse), std::runtime_error);
  EXPECT_NO_THROW(Folder::open(root_ / "run" / "checkpoint", Links::kFollow));
}

TEST_F(FolderAt, RemoveTreeRemovesLinksNotWhatTheyPointTo) {
  fs::create_directories(root_ / "run" / "checkpoint" / "deep");
  std::ofstream(root_ / "run" / "checkpoint" / "deep" / "state.json") << "{}";
  fs::create_directory_symlink(root_ / "victim", root_ / "run" / "checkpoint" / "to_victim");
  fs::create_symlink(root_ / "victim" / "precious.txt", root_ / "run" / "checkpoint" / "f");
  const Folder run = Folder::open(root_ / "run", Links::kRefuse);
  EXPECT_TRUE(run.remove_tree("checkpoint"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(root_ / "run" / "checkpoint")));
  EXPECT_EQ(victim(), "the user's file\n");
}

TEST_F(FolderAt, ARunFolderSwappedForALinkIsNeitherCommittedNorRemovedThroughIt) {
  const std::string out = (root_ / "result").string();
  {
    RunDirectory dir(out, RunDirectory::Mode::kFresh);
    dir.folder().write_atomically("config.json", "{}\n");
    fs::rename(root_ / "result.partial", root_ / "elsewhere");
    fs::create_directory_symlink(root_ / "victim", root_ / "result.partial");
    dir.folder().write_atomically("manifest.json", "{}\n");  // lands in the moved folder
    try {
      dir.commit();
      FAIL() << "committed a folder that is no longer the run's";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("is no longer this run's folder"), std::string::npos)
          << e.what();
    }
  }  // the destructor must not remove what now sits at result.partial
  EXPECT_EQ(victim(), "the user's file\n");
  EXPECT_TRUE(fs::is_symlink(root_ / "result.partial"));
  EXPECT_FALSE(fs::exists(root_ / "result"));
  EXPECT_EQ(slurp(root_ / "elsewhere" / "manifest.json"), "{}\n");
}

TEST_F(FolderAt, ACommittedRunIsTheFolderItWroteInto) {
  const std::string out = (root_ / "result").string();
  RunDirectory dir(out, RunDirectory::Mode::kFresh);
  dir.folder().write_atomically("config.json", "{}\n");
  dir.folder().child("checkpoint", true).write_atomically("state.json", "{}\n");
  dir.commit();
  EXPECT_EQ(slurp(root_ / "result" / "config.json"), "{}\n");
  EXPECT_FALSE(fs::exists(root_ / "result" / "checkpoint"));
  EXPECT_FALSE(fs::exists(root_ / "result.partial"));
  dir.folder().write_atomically("late.txt", "x");  // the descriptor follows the rename
  EXPECT_TRUE(fs::exists(root_ / "result" / "late.txt"));
}

// A run's own copy of its target (target.npy) is hashed and read without following a link
// there; a user's input path may be a link.
TEST_F(FolderAt, TheRunsTargetCopyIsNeverReadThroughALink) {
  fs::create_directory(root_ / "run");
  fs::create_symlink(root_ / "victim" / "precious.txt", root_ / "run" / "target.npy");
  const std::string copy = (root_ / "run" / "target.npy").string();
  EXPECT_THROW(quddpm::app::sha256_file(copy, Links::kRefuse), std::runtime_error);
  EXPECT_EQ(quddpm::app::sha256_file(copy), quddpm::app::sha256_hex("the user's file\n"));
}

TEST_F(FolderAt, AFolderLeftByARunKilledWhileCreatingItIsReplacedAsQuddpms) {
  // Killed between taking the lock and renaming its marker into place: only quddpm's names.
  fs::create_directory(root_ / "result.partial");
  std::ofstream(root_ / "result.partial" / ".lock") << "1 host\n";
  std::ofstream(root_ / "result.partial" / ".quddpm-run.tmp.1") << "a quddpm run folder";
  EXPECT_TRUE(quddpm::app::is_quddpm_run(root_ / "result.partial"));
  {
    RunDirectory dir((root_ / "result").string(), RunDirectory::Mode::kFresh);
    EXPECT_TRUE(dir.folder().has(".quddpm-run"));
    EXPECT_FALSE(dir.folder().has(".quddpm-run.tmp.1"));
  }
  // Any other file makes it the user's.
  fs::create_directory(root_ / "mine");
  std::ofstream(root_ / "mine" / ".lock") << "";
  std::ofstream(root_ / "mine" / "notes.txt") << "mine";
  EXPECT_FALSE(quddpm::app::is_quddpm_run(root_ / "mine"));
}

}  // namespace
